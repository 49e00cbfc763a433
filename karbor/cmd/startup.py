"""Start-up failures said in one line: what to change, not a traceback."""

import errno
import fcntl
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


LOCK_FILE = 'karbor-all.lock'

# The open lock file of this process: the lock lasts as long as it is open,
# that is as long as the process lives (the kernel drops it at exit, also
# after kill -9).
_HELD = []


def lock_state_path(path, holder, prog='karbor-all'):
    """Take the exclusive lock of state directory ``path`` (flock on its
    ``karbor-all.lock``) and write ``holder`` (who holds it: pid, API
    address) into it; StartupError naming the holder if another process
    has it. Nothing else of the directory is touched either way."""
    name = os.path.join(path, LOCK_FILE)
    try:
        fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        raise StartupError(state_path_problem(path, e))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            os.close(fd)
            raise StartupError(state_path_problem(path, e))
        with os.fdopen(fd, 'r') as f:
            other = f.read().strip() or 'still starting'
        raise StartupError(
            'the state path %s is in use by another %s (%s): stop it '
            'first, or give this one another --state-path' % (
                path, prog, other))
    os.ftruncate(fd, 0)
    os.write(fd, ('%s\n' % holder).encode('utf-8'))
    os.fsync(fd)
    _HELD.append(fd)
    return fd


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
