"""Start-up steps shared by the karbor-* commands."""

import os
import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

from karbor.api import app as api_app
from karbor.common import config
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
    config.parse_args(argv, conf, default_config_files=default_config_files,
                      default_config_dirs=default_config_dirs)
    files = config.files_read(conf)
    if files:
        LOG.info('Configuration files read: %s', ', '.join(files))
    else:
        LOG.info('No configuration file read: the command line and the '
                 'built-in defaults only')
    os.makedirs(conf.state_path, exist_ok=True)
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
    if conf.log_file or conf.log_dir:
        LOG.error('%s', message)
    sys.stderr.write('%s: error: %s\n' % (prog, message))
    sys.stderr.flush()
    return 2


def wait_for_signal(stop):
    """Block until SIGTERM or SIGINT, then call ``stop``."""
    done = threading.Event()

    def handler(signum, frame):
        LOG.info('Signal %s received, stopping', signum)
        done.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    # A signal interrupts the wait: its handler runs in this thread.
    done.wait()
    stop()
