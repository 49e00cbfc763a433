"""Keystone trusts: how an operation acts for its caller after the request
that asked for it has ended.

A protect, delete, restore or verification that reaches Cinder, Glance or
Nova can run for hours, longer than the caller's token lives; the caller
may also log out (revoke the token) meanwhile. So, behind Keystone and
with Karbor's service user configured (``[service_user]``), the API asks
Keystone, with the caller's token and while it is still valid, for a
trust: the caller (trustor) lets the service user (trustee) act as the
caller (impersonation) with the caller's roles on the caller's project,
until ``trust_lifetime`` at most. Only the trust's id goes with the
operation (in the request context); the caller's token is dropped from
that context, so it is neither sent to the protection service nor kept.
The protection service gets the trust's tokens with the service user's
credentials (:func:`karbor.services.protection.clients.auth.trust_auth`)
and deletes the trust when the operation ends (:func:`release`).

When Keystone refuses the trust (a caller whose token may not delegate,
such as an application credential restricted from it), the operation
falls back to the caller's token, as without a service user. A service
user that cannot log in is the operator's to fix: the request is refused
(503) with that reason.

A scheduled operation runs when nobody is there to ask: its trust is made
once, when it is created (:func:`for_schedule`, without expiry unless
``scheduled_trust_lifetime`` says otherwise), kept on the scheduled
operation, and handed to each of its runs with ``keep_trust`` set, so that
the end of a run does not delete it (:func:`release`); it is deleted with
the scheduled operation (:func:`delete`). Here a trust that Keystone
refuses refuses the scheduled operation (403 saying why), since nobody
could give its runs a token later.
"""

import datetime

from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from karbor.common import exception
from karbor.i18n import _
from karbor.services.protection.clients import auth
from karbor.services.protection.clients import reasons

LOG = logging.getLogger(__name__)

GROUP = auth.GROUP


class ScheduleTrustRefused(exception.KarborException):
    msg_fmt = _('Keystone refused a trust from you to Karbor\'s service '
                'user (%(reason)s); the runs of a scheduled operation act '
                'for you through one. Create it with a token that may make '
                'trusts (a password token, or an application credential '
                'that is not restricted), or ask the operator to turn off '
                '[service_user] delegate_with_trusts')
    code = 403
    fault_name = 'forbidden'
    safe = True


class KeystoneUnavailable(exception.ServiceUnavailable):
    msg_fmt = _('Keystone could not %(what)s the trust of this scheduled '
                'operation: %(reason)s; try again later')


def wanted(context, provider, conf=cfg.CONF):
    """Whether an operation of ``context`` on ``provider`` should run
    through a trust: behind Keystone, with a service user, when one of the
    provider's plugins acts for the caller, and for a caller with a
    token."""
    return bool(conf.auth_strategy == 'keystone' and
                conf[GROUP].delegate_with_trusts and
                auth.has_service_user(conf) and
                getattr(context, 'auth_token', None) and
                provider.acts_for_caller)


def _identity_url(service, keystone):
    return service.get_endpoint(keystone, service_type='identity',
                                interface='public', version=(3, 0))


def create(context, conf=cfg.CONF, lifetime=None):
    """The id of a new trust from the caller of ``context`` to the service
    user, expiring after ``lifetime`` seconds (``trust_lifetime`` when
    None, never when 0); ServiceUserFailed when the service user cannot be
    loaded, a keystoneauth error when Keystone refuses."""
    service, keystone = auth.service_credentials(conf)
    try:
        trustee = service.get_user_id(keystone)
    except ks_exc.ClientException as e:
        raise auth.ServiceUserFailed(reason=auth.describe(e))
    if lifetime is None:
        lifetime = conf[GROUP].trust_lifetime
    body = {'trust': {
        'trustor_user_id': context.user_id,
        'trustee_user_id': trustee,
        'project_id': context.project_id,
        'impersonation': True,
        'roles': [{'name': role} for role in context.roles],
    }}
    if lifetime:
        expires = timeutils.utcnow() + datetime.timedelta(seconds=lifetime)
        body['trust']['expires_at'] = expires.strftime(
            '%Y-%m-%dT%H:%M:%S.%fZ')
    url = _identity_url(service, keystone).rstrip('/') + '/OS-TRUST/trusts'
    resp = keystone.post(url, json=body, authenticated=False,
                         headers={'X-Auth-Token': context.auth_token})
    return resp.json()['trust']['id']


def delegate(context, provider, conf=cfg.CONF):
    """``context`` as an operation on ``provider`` should carry it: with a
    trust and without the caller's token when :func:`wanted`, else
    unchanged. ServiceUserFailed when the service user cannot log in."""
    if not wanted(context, provider, conf):
        return context
    try:
        trust_id = create(context, conf)
    except ks_exc.ClientException as e:
        LOG.warning('No trust for %s on project %s (%s); the operation '
                    'uses the caller\'s token', context.user_id,
                    context.project_id, e)
        return context
    delegated = context.__class__.from_dict(context.to_dict())
    delegated.trust_id = trust_id
    delegated.auth_token = None
    return delegated


def _trust_url(trust_id, conf):
    service, keystone = auth.service_credentials(conf)
    return '%s/OS-TRUST/trusts/%s' % (
        _identity_url(service, keystone).rstrip('/'), trust_id)


def _scheduled(trust_id):
    """Whether ``trust_id`` is a scheduled operation's (then no run may
    delete it, even one whose context lost ``keep_trust``); True when the
    database cannot tell, so that a trust is rather left to expire."""
    from karbor.db import scheduled_operations as operations_db
    try:
        return operations_db.trust_in_use(trust_id)
    except Exception as e:
        LOG.warning('Whether trust %s is a scheduled operation\'s is '
                    'unknown (%s); it is kept', trust_id, e)
        return True


def release(context, conf=cfg.CONF):
    """Delete the trust of an operation that ended, with a token of the
    trust itself (Keystone lets the trustee, acting as the trustor, delete
    it). A trust that cannot be deleted expires on its own. The trust of
    a scheduled operation (``keep_trust``) stays for its next runs."""
    trust_id = getattr(context, 'trust_id', None)
    if not trust_id:
        return
    if getattr(context, 'keep_trust', False) or _scheduled(trust_id):
        LOG.debug('Trust %s is a scheduled operation\'s: kept', trust_id)
        return
    try:
        trust, keystone = auth.trust_auth(trust_id, conf)
        keystone.delete(_trust_url(trust_id, conf), auth=trust,
                        raise_exc=False)
    except (auth.ServiceUserFailed, ks_exc.ClientException) as e:
        LOG.warning('Trust %s could not be deleted (%s); it expires on its '
                    'own', trust_id, e)
    finally:
        auth.forget_trust(trust_id)


# Scheduled operations

def for_schedule(context, provider, conf=cfg.CONF):
    """The id of a trust for the runs of a scheduled operation that
    ``context`` creates on ``provider``, or None when its runs need none
    (as :func:`wanted`). :class:`ScheduleTrustRefused` (403) when Keystone
    refuses it, :class:`KeystoneUnavailable` or ServiceUserFailed (503)
    when Keystone or the service user fail."""
    if not wanted(context, provider, conf):
        return None
    try:
        trust_id = create(context, conf,
                          lifetime=conf[GROUP].scheduled_trust_lifetime)
    except ks_exc.HttpError as e:
        LOG.warning('Keystone refused a trust for a scheduled operation of '
                    '%s on project %s: %s', context.user_id,
                    context.project_id, e)
        if e.http_status in (400, 401, 403, 404):
            raise ScheduleTrustRefused(reason=reasons.short(e))
        raise KeystoneUnavailable(what=_('make'), reason=reasons.short(e))
    except ks_exc.ClientException as e:
        raise KeystoneUnavailable(what=_('make'), reason=auth.describe(e))
    LOG.info('Trust %s made for a scheduled operation of %s on project %s',
             trust_id, context.user_id, context.project_id)
    return trust_id


def delete(trust_id, context=None, conf=cfg.CONF):
    """Delete the trust of a deleted (or never created) scheduled
    operation: with a token of the trust, or, when Keystone refuses that
    (the trustor lost the delegated roles), with the caller's token of
    ``context`` (the trustor's may delete it). Gone already is fine; a
    trust that neither may delete is left, with a warning (it cannot act
    without the trustor's roles). :class:`KeystoneUnavailable` or
    ServiceUserFailed (503) when Keystone cannot be asked."""
    try:
        url = _trust_url(trust_id, conf)
        trust, keystone = auth.trust_auth(trust_id, conf)
        attempts = [{'auth': trust}]
        token = getattr(context, 'auth_token', None)
        if token:
            attempts.append({'authenticated': False,
                             'headers': {'X-Auth-Token': token}})
        status = None
        for attempt in attempts:
            try:
                status = keystone.delete(url, raise_exc=False,
                                         **attempt).status_code
            except ks_exc.HttpError as e:
                # Getting the trust's own token failed (401, 403, 404).
                status = e.http_status
            if status < 400 or status == 404:
                LOG.info('Trust %s of a scheduled operation deleted',
                         trust_id)
                return
            if status >= 500:
                break
    except ks_exc.ClientException as e:
        raise KeystoneUnavailable(what=_('delete'),
                                  reason=auth.describe(e))
    finally:
        auth.forget_trust(trust_id)
    if status >= 500:
        raise KeystoneUnavailable(what=_('delete'),
                                  reason=_('it answered HTTP %d') % status)
    LOG.warning('Trust %s of a deleted scheduled operation could not be '
                'deleted (Keystone answered HTTP %s); delete it in Keystone',
                trust_id, status)
