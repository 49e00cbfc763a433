"""Start-up failures said in one line: what to change, not a traceback."""

import errno
import getpass
import os

from oslo_config import cfg


class StartupError(Exception):
    """A reason the command cannot start, ready to be shown as it is."""


def bind_problem(error, host, port):
    """What to change when the API cannot listen on ``host:port``."""
    text = str(error)
    code = getattr(error, 'errno', None)
    if code == errno.EADDRINUSE or 'Address already in use' in text:
        return ('port %s of %s is already in use by another program: stop '
                'it, or choose another port with --api-port (or [api] port '
                'in the configuration file)' % (port, host))
    if code == errno.EACCES or 'Permission denied' in text:
        return ('port %s needs privileges this user does not have: choose '
                'a port above 1023 with --api-port' % port)
    if code == errno.EADDRNOTAVAIL or 'Cannot assign requested address' in \
            text:
        return ('%s is not an address of this machine: choose another with '
                '--api-host-ip' % host)
    return ('cannot listen on %s port %s (%s): change --api-host-ip or '
            '--api-port' % (host, port, text))


def state_path_problem(path, error):
    return ('the state path %s cannot be used (%s): choose another with '
            '--state-path, or let user %s create and write it' % (
                path, error.strerror or error, getpass.getuser()))


def check_state_path(path):
    """Create the state directory; StartupError if it cannot be written."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise StartupError(state_path_problem(path, e))
    if not os.path.isdir(path) or not os.access(path, os.W_OK | os.X_OK):
        raise StartupError(state_path_problem(
            path, OSError(errno.EACCES, 'not a writable directory')))


def config_problem(error):
    """What to change when a configuration file is wrong, or None."""
    if isinstance(error, cfg.ConfigFilesNotFoundError):
        return ('configuration file %s cannot be read: check the path given '
                'to --config-file' % ', '.join(error.config_files))
    if isinstance(error, cfg.ConfigFileParseError):
        return 'configuration file %s is malformed: %s' % (
            error.config_file, error.msg)
    if isinstance(error, cfg.ConfigDirNotFoundError):
        return ('configuration directory %s cannot be read: check the path '
                'given to --config-dir' % error.config_dir)
    if isinstance(error, (cfg.ConfigFileValueError, cfg.RequiredOptError,
                          cfg.NoSuchOptError)):
        return 'configuration: %s' % str(error).replace('\n', ' ')
    return None


# Options of groups that a command takes on its command line, as argparse
# names them in its errors, and as the command line spells them.
_CLI_NAMES = {'--port': '--api-port (or [api] port)',
              '--host-ip': '--api-host-ip (or [api] host_ip)',
              '--host_ip': '--api-host-ip (or [api] host_ip)'}


def cli_problem(text):
    """One line of what argparse said about the command line or a
    command-line option set in a configuration file."""
    lines = [line for line in text.strip().splitlines()
             if line and not line.startswith(('usage:', '       '))]
    line = lines[-1] if lines else 'the command line is not valid'
    if ': error: ' in line:
        line = line.split(': error: ', 1)[1]
    for name, spelled in _CLI_NAMES.items():
        line = line.replace('argument %s:' % name, '%s:' % spelled)
    return ('%s; fix it on the command line or in the configuration file '
            '(--help lists the options)' % line)
