"""Helpers of the functional and end-to-end tests: real processes, real
servers, on 127.0.0.1."""

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

import fixtures

BIN_DIR = os.path.dirname(sys.executable)


def executable(name):
    """A console script of this virtual environment (karbor-all, karbor)."""
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


def wait_for(predicate, timeout=30, interval=0.2, what='condition'):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except Exception as e:  # the server may not listen yet
            last_error = e
        time.sleep(interval)
    raise AssertionError('Timed out after %ss waiting for %s (last error: '
                         '%s)' % (timeout, what, last_error))


class KarborProcess(fixtures.Fixture):
    """One karbor-* process, stopped (SIGTERM, then SIGKILL) at clean-up.

    Its output goes to ``log_path``, which a failing test can read.
    """

    def __init__(self, command, args, log_path, env=None):
        super().__init__()
        self.command = command
        self.args = list(args)
        self.log_path = log_path
        self.env = env

    def _setUp(self):
        env = dict(os.environ)
        env.update(self.env or {})
        self.log = open(self.log_path, 'ab')
        self.addCleanup(self.log.close)
        self.process = subprocess.Popen(
            [executable(self.command)] + self.args,
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)
        self.addCleanup(self.stop)

    def output(self):
        with open(self.log_path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')

    def kill(self):
        """kill -9, as a crash would."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout=15):
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.process.returncode
