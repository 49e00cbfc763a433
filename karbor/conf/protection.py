"""Options of the [protection] group: the protection service."""

from oslo_config import cfg

from karbor.i18n import _

GROUP = cfg.OptGroup('protection', title=_('Protection service options'))

opts = [
    cfg.StrOpt('topic',
               default='karbor-protection',
               help=_('RPC topic the protection service listens on.')),
    cfg.IntOpt('rpc_threads',
               default=16, min=1,
               help=_('Threads that serve RPC requests in the protection '
                      'service.')),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)
