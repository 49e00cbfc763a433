"""Start-up steps shared by the karbor-* commands."""

import contextlib
import io
import os
import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

from karbor.api import app as api_app
from karbor.cmd import startup
from karbor.common import config
from karbor.common import notify
from karbor.common import rpc
from karbor.db import api as db_api

LOG = logging.getLogger(__name__)


def prepare_process(argv, default_config_files=None, api_cli=False,
                    defaults=None, cli_opts=(), default_config_dirs=None):
    """Register options, apply per-command defaults, parse the arguments,
    and say in the log which configuration files were read."""
    conf = cfg.CONF
    config.register_all(conf, api_cli=api_cli)
    conf.register_cli_opts(cli_opts)
    for (group, name), value in (defaults or {}).items():
        conf.set_default(name, value, group=group)
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            config.parse_args(argv, conf,
                              default_config_files=default_config_files,
                              default_config_dirs=default_config_dirs)
    except SystemExit as e:
        if not e.code:
            sys.stderr.write(errors.getvalue())
            raise
        # argparse's words, with the option names this command takes.
        raise startup.StartupError(startup.cli_problem(errors.getvalue()))
    sys.stderr.write(errors.getvalue())
    files = config.files_read(conf)
    if files:
        LOG.info('Configuration files read: %s', ', '.join(files))
    else:
        LOG.info('No configuration file read: the command line and the '
                 'built-in defaults only')
    startup.check_state_path(conf.state_path)
    return conf


def prepare_api_process(argv, default_config_files=None, api_cli=False):
    conf = prepare_process(argv, default_config_files, api_cli=api_cli)
    rpc.init(conf)
    db_api.get_engine()
    # Loaded (banks checked) now, as karbor-protection does: what cannot
    # be loaded is logged at start, and no request waits for a bank.
    from karbor.services.protection import provider
    provider.get_registry()
    return api_app.setup_app(conf)


def startup_error(conf, message, prog='karbor'):
    """Say on stderr, in one line, why the command does not start (and in
    the log file, if there is one); the exit code."""
    try:
        to_file = conf.log_file or conf.log_dir
    except cfg.Error:
        to_file = False
    if to_file:
        LOG.error('%s', message)
    sys.stderr.write('%s: error: %s\n' % (prog, message))
    sys.stderr.flush()
    return 2


def explained(main, prog):
    """``main`` whose start-up failures end in one line on stderr and exit
    code 2 rather than a traceback."""
    def run(argv=None):
        try:
            return main(argv)
        except startup.StartupError as e:
            return startup_error(cfg.CONF, str(e), prog)
        except cfg.Error as e:
            message = startup.config_problem(e)
            if message is None:
                raise
            return startup_error(cfg.CONF, message, prog)
    return run


def running_operations(host):
    """How many operations the protection service of ``host`` runs."""
    from karbor.db import operation_logs as operation_logs_db
    from karbor.services.protection.tasks import common as task_common
    try:
        return len(operation_logs_db.operation_log_get_all(
            filters={'host': host,
                     'status': task_common.RUNNING_LOG_STATUSES}))
    except Exception:
        LOG.exception('Could not count the running operations')
        return None


def wait_for_signal(stop, running=None, ready=None):
    """Block until SIGTERM or SIGINT, then call ``stop``. While it stops,
    a second signal ends the process at once. ``running()``: how many
    operations the stop waits for; ``ready()`` is called once the signals
    are handled."""
    done = threading.Event()

    def second(signum, frame):
        message = ('Signal %s received again: stopping now; the operations '
                   'still running are left to the next start' % signum)
        LOG.warning('%s', message)
        sys.stderr.write(message + '\n')
        sys.stderr.flush()
        os._exit(130 if signum == signal.SIGINT else 143)

    def first(signum, frame):
        count = running() if running is not None else None
        waits = '' if count is None else (
            '; waiting for %d running operation%s to end' % (
                count, '' if count == 1 else 's'))
        message = ('Signal %s received, stopping%s (press Ctrl-C again to '
                   'stop now)' % (signum, waits))
        LOG.info('%s', message)
        if signum == signal.SIGINT:
            sys.stderr.write(message + '\n')
            sys.stderr.flush()
        signal.signal(signal.SIGTERM, second)
        signal.signal(signal.SIGINT, second)
        done.set()

    signal.signal(signal.SIGTERM, first)
    signal.signal(signal.SIGINT, first)
    if ready is not None:
        ready()
    # A signal interrupts the wait: its handler runs in this thread.
    done.wait()
    stop()
    # The notifications of the last operations leave before the process.
    notify.cleanup()
