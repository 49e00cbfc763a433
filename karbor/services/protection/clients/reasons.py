"""What a project user is told when a service failed: the kind of
failure in a few words, never the URL or the host it was reaching (which
may be internal to the cloud; the log keeps those)."""

from keystoneauth1 import exceptions as ks_exc

from karbor.i18n import _


def short(error):
    """What went wrong, in a few words and without a URL: the kind of
    failure, or the HTTP status the service answered."""
    status = getattr(error, 'http_status', None) or getattr(
        error, 'code', None) or getattr(error, 'status_code', None)
    if isinstance(status, int) and status >= 400:
        return _('it answered HTTP %d') % status
    text = '%s %s' % (error.__class__.__name__, error)
    if isinstance(error, (ks_exc.ConnectTimeout, ks_exc.RequestTimeout,
                          TimeoutError)) or 'timed out' in text.lower():
        return _('it did not answer in time')
    if 'reset' in text.lower() or 'Chunked' in text or \
            'IncompleteRead' in text:
        return _('the connection broke off')
    if isinstance(error, (ks_exc.ConnectionError, ConnectionError)) or \
            'connect' in text.lower():
        return _('it cannot be reached')
    return _('it failed (%s)') % error.__class__.__name__
