"""Options of the [protection] group: the protection service."""

from oslo_config import cfg

from karbor.i18n import _

GROUP = cfg.OptGroup('protection', title=_('Protection service options'))

opts = [
    cfg.StrOpt('topic',
               default='karbor-protection',
               help=_('RPC topic the protection service listens on.')),
    cfg.IntOpt('max_concurrent_operations',
               default=4, min=1,
               help=_('Protect, restore, delete and verify operations that '
                      'one protection service runs at the same time; more '
                      'wait in a queue.')),
    cfg.IntOpt('operation_threads',
               default=8, min=1,
               help=_('Threads of one operation: how many resource steps '
                      'run in parallel.')),
    cfg.IntOpt('verify_threads',
               default=4, min=1,
               help=_('Data objects of one resource that a verification '
                      'checks in parallel (each read streams with a '
                      'buffer of 1 MiB).')),
    cfg.IntOpt('claim_timeout',
               default=600, min=10,
               help=_('Without a jobboard: seconds after which an '
                      'operation that no protection service has taken '
                      '(its message queued behind others, or lost) is '
                      'taken by a running one and built again from the '
                      'database. Waiting operations are never failed for '
                      'waiting; one that cannot run (its provider is gone) '
                      'ends in error with the reason.')),
    cfg.IntOpt('recovery_interval',
               default=60, min=1,
               help=_('Seconds between two checks for operations of '
                      'protection services that stopped.')),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)
