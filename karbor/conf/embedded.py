"""Options of karbor-all only: the embedded default."""

from oslo_config import cfg

from karbor.i18n import _

opts = [
    cfg.BoolOpt('insecure-listen-anywhere',
                default=False,
                help=_('karbor-all only. Let karbor-all without '
                       'authentication (auth_strategy = noauth) listen on '
                       'an address other than loopback. Anyone who reaches '
                       'that address can then act as the administrator of '
                       'any project: give it only on a network you trust '
                       'completely, or put Keystone in front '
                       '(auth_strategy = keystone) instead.')),
]


def register_opts(conf):
    conf.register_cli_opts(opts)
