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
"""

import datetime

from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from karbor.services.protection.clients import auth

LOG = logging.getLogger(__name__)

GROUP = auth.GROUP


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


def create(context, conf=cfg.CONF):
    """The id of a new trust from the caller of ``context`` to the service
    user; ServiceUserFailed when the service user cannot be loaded, a
    keystoneauth error when Keystone refuses."""
    service, keystone = auth.service_credentials(conf)
    try:
        trustee = service.get_user_id(keystone)
    except ks_exc.ClientException as e:
        raise auth.ServiceUserFailed(reason=auth.describe(e))
    expires = timeutils.utcnow() + datetime.timedelta(
        seconds=conf[GROUP].trust_lifetime)
    body = {'trust': {
        'trustor_user_id': context.user_id,
        'trustee_user_id': trustee,
        'project_id': context.project_id,
        'impersonation': True,
        'roles': [{'name': role} for role in context.roles],
        'expires_at': expires.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
    }}
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


def release(context, conf=cfg.CONF):
    """Delete the trust of an operation that ended, with a token of the
    trust itself (Keystone lets the trustee, acting as the trustor, delete
    it). A trust that cannot be deleted expires on its own."""
    trust_id = getattr(context, 'trust_id', None)
    if not trust_id:
        return
    try:
        trust, keystone = auth.trust_auth(trust_id, conf)
        service, _keystone = auth.service_credentials(conf)
        url = '%s/OS-TRUST/trusts/%s' % (
            _identity_url(service, keystone).rstrip('/'), trust_id)
        keystone.delete(url, auth=trust, raise_exc=False)
    except (auth.ServiceUserFailed, ks_exc.ClientException) as e:
        LOG.warning('Trust %s could not be deleted (%s); it expires on its '
                    'own', trust_id, e)
    finally:
        auth.forget_trust(trust_id)
