"""Options of the [operationengine] group: triggers and the engine that
runs scheduled operations."""

from oslo_config import cfg

from karbor.i18n import _

GROUP = cfg.OptGroup('operationengine', title=_('Operation engine options'))

opts = [
    cfg.BoolOpt('enabled',
                default=True,
                help=_('Run the operation engine inside karbor-all. A '
                       'deployment of separate processes runs '
                       'karbor-operationengine instead.')),
    cfg.IntOpt('min_interval',
               default=60, min=1,
               help=_('Shortest interval, in seconds, between two due times '
                      'of a trigger; a pattern that fires more often is '
                      'refused (400).')),
    cfg.FloatOpt('max_sleep',
                 default=10.0, min=0.05,
                 help=_('Longest sleep, in seconds, of the engine between '
                        'two looks at the schedule. It wakes at the next '
                        'due time anyway; this bounds how late it notices '
                        'a trigger created or changed meanwhile and how '
                        'often it follows the runs it started.')),
    cfg.FloatOpt('follow_interval',
                 default=1.0, min=0.05,
                 help=_('Longest sleep, in seconds, of the engine while '
                        'runs it started are going on: how soon after a '
                        'protect ends its run ends and its retention '
                        'starts.')),
    cfg.IntOpt('start_timeout',
               default=300, min=10,
               help=_('Seconds after which a claimed run that started '
                      'nothing (its engine stopped between the claim and '
                      'the start) is ended as error.')),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)
