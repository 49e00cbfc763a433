"""Options of the [DEFAULT] group shared by every Karbor process."""

import os
import socket

from oslo_config import cfg

from karbor.i18n import _


def default_state_path():
    base = os.environ.get('XDG_STATE_HOME') or os.path.join(
        os.path.expanduser('~'), '.local', 'state')
    return os.path.join(base, 'karbor')


opts = [
    cfg.StrOpt('state-path',
               default=default_state_path(),
               sample_default='$XDG_STATE_HOME/karbor or '
                              '~/.local/state/karbor',
               help=_('Directory where Karbor keeps its state: the SQLite '
                      'database of the embedded default, the file-system '
                      'bank and the local protection root.')),
    cfg.StrOpt('auth_strategy',
               default='keystone',
               choices=[('keystone', _('Validate tokens with Keystone '
                                       '(keystonemiddleware auth_token).')),
                        ('noauth', _('No authentication. A token '
                                     '"user:project[:role,...]" names the '
                                     'caller; any other token makes the '
                                     'caller admin of the project in the '
                                     'URL. For tests and single-user '
                                     'setups only.'))],
               help=_('How API requests are authenticated.')),
    cfg.HostAddressOpt('host',
                       default=socket.gethostname(),
                       sample_default='<the machine host name>',
                       help=_('Name of this node, as reported in the '
                              'services list.')),
    cfg.IntOpt('report_interval',
               default=10, min=1,
               help=_('Seconds between two heartbeats of a service into '
                      'the database.')),
    cfg.IntOpt('service_down_time',
               default=60, min=1,
               help=_('A service whose last heartbeat is older than this '
                      'many seconds is reported "down".')),
    cfg.StrOpt('sqlite_synchronous',
               default='NORMAL',
               choices=[('NORMAL', _('A commit is written to the '
                                     'write-ahead log and reaches the disk '
                                     'at the next checkpoint of the log: a '
                                     'crash of any process loses nothing; '
                                     'a power loss or a crash of the '
                                     'operating system may take the last '
                                     'commits back (the database stays '
                                     'consistent; the bank, made durable '
                                     'before a checkpoint is recorded '
                                     'available, is not affected).')),
                        ('FULL', _('Every commit waits for the disk '
                                   '(fsync): nothing is taken back even '
                                   'by a power loss; each commit costs a '
                                   'disk flush (measured here: 0.5 ms '
                                   'against 0.03 ms).'))],
               help=_('SQLite only (the embedded default, karbor-all): how '
                      'a commit reaches the disk (PRAGMA synchronous, with '
                      'the WAL journal). Other databases are not '
                      'affected.')),
]


# Every command takes --state-path.
cli_opts = opts[:1]


def register_opts(conf):
    conf.register_cli_opts(cli_opts)
    conf.register_opts(opts)
