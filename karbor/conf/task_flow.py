"""Options of the [task_flow] group: where flows are saved and how the
protection services share them (taskflow's persistence and jobboard)."""

from oslo_config import cfg

from karbor.i18n import _

GROUP = cfg.OptGroup('task_flow', title=_('Flows saved and shared between '
                                          'protection services'))

opts = [
    cfg.StrOpt('persistence_connection',
               secret=True,
               help=_('SQLAlchemy URL of the database where every running '
                      'flow is saved task by task (taskflow\'s logbooks, '
                      'flowdetails and atomdetails tables), so that it can '
                      'be resumed from its last finished task. Unset: the '
                      '[database] connection (karbor-manage db sync creates '
                      'the tables there).')),
    cfg.ListOpt('jobboard_backend_hosts',
                default=[],
                help=_('Redis hosts of the jobboard. Set: every protection '
                       'service posts the operations it receives as jobs '
                       'there and runs those it claims; a job whose worker '
                       'died is resumed by another. Unset (karbor-all, one '
                       'protection service): the service runs what it '
                       'receives and, restarted, resumes what it was '
                       'running.')),
    cfg.PortOpt('jobboard_backend_port', default=6379,
                help=_('Port of the jobboard\'s Redis.')),
    cfg.StrOpt('jobboard_backend_password', secret=True,
               help=_('Password of the jobboard\'s Redis.')),
    cfg.StrOpt('jobboard_backend_namespace', default='karbor_jobboard',
               help=_('Prefix of the jobboard\'s keys in Redis.')),
    cfg.StrOpt('jobboard_name', default='karbor_jobs',
               help=_('Name of the jobboard (the services that share work '
                      'use the same).')),
    cfg.IntOpt('jobboard_expiration_time', default=30, min=3,
               help=_('Seconds a claim on a job lasts unless its worker '
                      'renews it (every third of this time while it runs). '
                      'A worker that dies loses its claims after this long '
                      'and another resumes its jobs.')),
    cfg.IntOpt('max_simultaneous_jobs', min=1,
               help=_('Jobs one protection service claims and runs at the '
                      'same time; the others stay on the board for its '
                      'peers. Unset: [protection] '
                      'max_concurrent_operations.')),
    cfg.IntOpt('max_resumable_resources', default=1000, min=0,
               help=_('Operations on more resources than this run without '
                      'being saved task by task (each task saved costs '
                      'database writes that dominate a plan of thousands '
                      'of resources): the service that receives them runs '
                      'them, and if it dies they are failed as '
                      'interrupted, not resumed. Not counted: the '
                      'resources of a verification, and those of a '
                      'protect that depend on no other (saved a task per '
                      'batch of many). 0: no limit.')),
    cfg.FloatOpt('jobboard_poll_interval', default=0.5, min=0.05,
                 help=_('Seconds a conductor with nothing to claim waits '
                        'before it looks at the board again.')),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)
