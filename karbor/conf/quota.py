"""Options of the [quota] group: the default limits of each project."""

from oslo_config import cfg

from karbor.i18n import _

GROUP = cfg.OptGroup('quota', title=_('Quota options'))

opts = [
    cfg.IntOpt('plans',
               default=50, min=-1,
               help=_('Plans a project may have, unless an administrator '
                      'set its own limit (quota-update) or the default '
                      'class (quota-class-update default). -1: '
                      'unlimited.')),
    cfg.IntOpt('checkpoints',
               default=-1, min=-1,
               help=_('Checkpoints (any status but deleted) a project may '
                      'have, scheduled protects included, unless an '
                      'administrator set another limit. -1: unlimited.')),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)
