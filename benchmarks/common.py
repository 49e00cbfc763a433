"""What the benchmarks share: a karbor-all they start and drive over HTTP,
and what /proc says of a process. Linux only.

Only the standard library and Karbor's own requirements: the benchmarks run
from a plain install (``pip install -r requirements.txt -e .``), without the
test requirements.
"""

import configparser
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

PROJECT = 'bench'
MIB = 1024 * 1024
POLL_INTERVAL = 0.05
START_TIMEOUT = 60


BIN_DIR = os.path.dirname(sys.executable)


def executable(name):
    """A console script of this environment (karbor-all, karbor-api)."""
    path = os.path.join(BIN_DIR, name)
    if not os.path.exists(path):
        raise RuntimeError('%s is not installed next to %s; install the '
                           'project with "pip install -e ."' %
                           (name, sys.executable))
    return path


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run_sql(url, statement):
    """Run one statement (CREATE/DROP DATABASE) on the server at ``url``."""
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def spawn(processes, directory, command, args):
    """Start console script ``command`` in a session of its own, its output
    in ``directory/<command>.log``; append it to ``processes``."""
    log = open(os.path.join(directory, command + '.log'), 'wb')
    processes.append(subprocess.Popen(
        [executable(command)] + list(args), stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True))


def write_config(path, sections):
    """Write {'DEFAULT': {...}, 'database': {...}} as an ini file."""
    parser = configparser.ConfigParser(interpolation=None)
    for section, values in sections.items():
        if section != 'DEFAULT':
            parser.add_section(section)
        for key, value in values.items():
            parser.set(section, key, str(value))
    with open(path, 'w') as f:
        parser.write(f)
    return path


def http(method, url, body=None, token='admin-token', headers=None,
         timeout=10):
    """(status, headers, decoded JSON or None) of one request."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) \
        else body
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header('Content-Type', 'application/json')
    if token:
        req.add_header('X-Auth-Token', token)
    for key, value in (headers or {}).items():
        req.add_header(key, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            status, hdrs = resp.status, resp.headers
    except urllib.error.HTTPError as e:
        raw, status, hdrs = e.read(), e.code, e.headers
    doc = json.loads(raw) if raw else None
    return status, hdrs, doc


def proc_status_kib(pid, field):
    """A field of /proc/<pid>/status in KiB (VmRSS, VmHWM)."""
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise RuntimeError('%s not in /proc/%d/status' % (field, pid))


def cpu_seconds(pid):
    """user + system CPU seconds of process ``pid`` (all its threads)."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    ticks = os.sysconf('SC_CLK_TCK')
    return (int(fields[11]) + int(fields[12])) / ticks


def write_random(path, size, block=MIB):
    with open(path, 'wb') as f:
        left = size
        while left:
            n = min(block, left)
            f.write(os.urandom(n))
            left -= n


class KarborAll:
    """karbor-all on a free port of 127.0.0.1 with ``state`` as its state
    directory; its output goes to ``log_path``.

    ``args`` are more arguments of karbor-all (``--config-file``);
    requests go to ``/v1/<project>`` with ``token`` as X-Auth-Token (in
    noauth mode, ``user:project`` makes the caller a member of that
    project, and is also the token Karbor hands on to a noauth Cinder).
    """

    def __init__(self, state, log_path, args=(), project=PROJECT,
                 token='t'):
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d/v1/%s' % (self.port, project)
        self.token = token
        self.log = open(log_path, 'wb')
        self.log_path = log_path
        self.process = subprocess.Popen(
            [executable('karbor-all'), '--state-path', state,
             '--api-port', str(self.port)] + list(args),
            stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.pid = self.process.pid

    def _check_alive(self):
        if self.process.poll() is not None:
            raise RuntimeError('karbor-all exited with %s' %
                               self.process.returncode)

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                if http('GET', self.url.split('/v1/')[0] + '/',
                        token=None, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError('karbor-all did not answer within %ss' %
                           START_TIMEOUT)

    def call(self, method, path, body=None, expect=(200,), timeout=120):
        status, _, doc = http(method, self.url + path, body=body,
                              token=self.token, timeout=timeout)
        if status not in expect:
            raise RuntimeError('%s %s: HTTP %s %s' % (method, path, status,
                                                      doc))
        return doc

    def wait_status(self, path, key, wanted, failed, timeout,
                    interval=POLL_INTERVAL):
        """(monotonic time, body) once ``key``'s status is ``wanted``."""
        deadline = time.monotonic() + timeout
        while True:
            doc = self.call('GET', path)[key]
            if doc['status'] == wanted:
                return time.monotonic(), doc
            if doc['status'] in failed:
                raise RuntimeError('%s ended %s: %s' % (
                    path, doc['status'], str(doc)[:4000]))
            if time.monotonic() > deadline:
                raise RuntimeError('%s still %s after %ss' % (
                    path, doc['status'], timeout))
            self._check_alive()
            time.sleep(interval)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
