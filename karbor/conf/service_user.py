"""Options of [service_user]: Karbor's own Keystone user, whose token goes
with every request to Cinder, Glance and Nova beside the caller's.

A protect, restore or verification can outlast the caller's token. With
``send_service_user_token``, each request also carries a token of this
user (``X-Service-Token``), got from Keystone with the options below and
renewed before it expires; a service whose keystonemiddleware has
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
