"""Options of [service_user]: Karbor's own Keystone user, through which
operations act for their callers after the request ended.

A protect, restore or verification can outlast the caller's token. Behind
Keystone (``auth_strategy = keystone``), with the credentials of this user
below, the API makes a Keystone trust from the caller to this user for
each operation that reaches Cinder, Glance or Nova
(``delegate_with_trusts``); the operation then uses tokens of that trust,
which keystoneauth renews, so that it outlives the caller's token, even a
revoked one, and the caller's token is neither sent to the protection
service nor kept. Without a trust, with ``send_service_user_token``, each
request carries the caller's token and a token of this user
(``X-Service-Token``); a service whose keystonemiddleware has
``service_token_roles_required`` then accepts the caller's expired token.
The password stays in the configuration file: oslo.config keeps it out of
the logs, and it never reaches the request context, RPC or the bank.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

from karbor.i18n import _

GROUP = 'service_user'

opts = [
    cfg.BoolOpt('send_service_user_token', default=False,
                help=_('Send a token of the user below with every request '
                       'to Cinder, Glance and Nova, so that they accept the '
                       'caller\'s token after it expires during a long '
                       'operation (their [keystone_authtoken] '
                       'service_token_roles_required). Needs auth_type and '
                       'the options of that plugin in this group.')),
    cfg.BoolOpt('delegate_with_trusts', default=True,
                help=_('Behind Keystone, and with auth_type and the '
                       'credentials of a user in this group: make a '
                       'Keystone trust from the caller to that user for '
                       'each protect, delete, restore or verification that '
                       'reaches Cinder, Glance or Nova, and run it with the '
                       'trust\'s tokens instead of the caller\'s token. '
                       'The trust is deleted when the operation ends. A '
                       'scheduled operation gets one trust when it is '
                       'created, for all its runs, deleted with it.')),
    cfg.IntOpt('trust_lifetime', default=86400, min=60,
               help=_('Seconds after which a trust made for an operation '
                      'expires, should the operation never end.')),
    cfg.IntOpt('scheduled_trust_lifetime', default=0, min=0,
               help=_('Seconds after which the trust made for a scheduled '
                      'operation (when it is created, with '
                      'delegate_with_trusts) expires; 0, the default: '
                      'never. The trust is deleted with the scheduled '
                      'operation; its runs stop acting for their owner '
                      'once it expires.')),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)
    ks_loading.register_auth_conf_options(conf, GROUP)
    ks_loading.register_session_conf_options(conf, GROUP)


def list_opts():
    """For the sample: ours, the session's, and those of the ``password``
    plugin (the usual choice; another auth_type has its own)."""
    return (opts +
            ks_loading.get_session_conf_options() +
            ks_loading.get_auth_common_conf_options() +
            ks_loading.get_auth_plugin_conf_options('password'))
