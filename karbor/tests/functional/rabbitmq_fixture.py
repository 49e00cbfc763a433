"""A RabbitMQ node of a test's own, which the test may stop and start.

The machine's RabbitMQ (5672) is shared by every test and every developer:
a test that takes the broker away starts its own node instead, on free
ports of 127.0.0.1, with everything it writes under a temporary directory:
its Erlang cookie (in a HOME of its own), its database (mnesia), its logs,
its configuration (no plugin, so no management listener). Nothing of
``/etc/rabbitmq`` is read: that configuration names port 5672.

The node registers its name with the machine's epmd, as every Erlang node
does; its name is unique to the test.
"""

import os
import secrets
import signal
import socket
import subprocess
import time

import fixtures

from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import utils

RABBITMQ_BIN = '/usr/lib/rabbitmq/bin'
# A cold start takes about 4 s on the 2-core CI machine, more when the
# tests load it.
START_TIMEOUT = 60
STOP_TIMEOUT = 30
CTL_TIMEOUT = 60


def _program(name):
    path = os.path.join(RABBITMQ_BIN, name)
    if not os.access(path, os.X_OK):
        raise AssertionError('%s is not installed (package rabbitmq-server); '
                             'the broker outage tests start a RabbitMQ node '
                             'of their own' % path)
    return path


class PrivateRabbitMQ(fixtures.Fixture):
    """A RabbitMQ node on free ports; ``url`` and ``topic`` as
    :class:`karbor.tests.functional.fixtures.RabbitMQ` has them. The node
    runs after set-up; :meth:`stop` and :meth:`start` take it away and
    bring it back with its durable queues and persistent messages."""

    durable = True

    def _setUp(self):
        self.base = self.useFixture(fixtures.TempDir()).path
        self.home = os.path.join(self.base, 'home')
        for name in ('home', 'mnesia', 'log'):
            os.makedirs(os.path.join(self.base, name))
        cookie = os.path.join(self.home, '.erlang.cookie')
        with open(cookie, 'w') as f:
            f.write(secrets.token_hex(20).upper())
        os.chmod(cookie, 0o400)
        self._write('env.conf', '')
        self._write('enabled_plugins', '[].\n')
        self._write('rabbitmq.conf', 'log.file.level = info\n')
        self.port = utils.free_port()
        self.dist_port = utils.free_port()
        self.nodename = '%s@localhost' % ft_fixtures.unique_name('karbor-ft-')
        self.url = 'rabbit://guest:guest@127.0.0.1:%d/' % self.port
        self.topic = ft_fixtures.unique_name('karbor-protection-')
        self.env = {
            'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
            'HOME': self.home,
            'LANG': 'C.UTF-8', 'LC_ALL': 'C.UTF-8',
            'RABBITMQ_CONF_ENV_FILE': os.path.join(self.base, 'env.conf'),
            'RABBITMQ_CONFIG_FILE': os.path.join(self.base, 'rabbitmq.conf'),
            'RABBITMQ_ENABLED_PLUGINS_FILE': os.path.join(
                self.base, 'enabled_plugins'),
            'RABBITMQ_NODENAME': self.nodename,
            'RABBITMQ_NODE_IP_ADDRESS': '127.0.0.1',
            'RABBITMQ_NODE_PORT': str(self.port),
            'RABBITMQ_DIST_PORT': str(self.dist_port),
            'RABBITMQ_MNESIA_BASE': os.path.join(self.base, 'mnesia'),
            'RABBITMQ_LOG_BASE': os.path.join(self.base, 'log'),
            'RABBITMQ_PID_FILE': os.path.join(self.base, 'rabbitmq.pid'),
            'ERL_EPMD_ADDRESS': '127.0.0.1',
        }
        self.process = None
        self.log_path = os.path.join(self.base, 'rabbitmq-server.out')
        self.addCleanup(self.stop)
        self.start()

    def _write(self, name, text):
        with open(os.path.join(self.base, name), 'w') as f:
            f.write(text)

    def _listening(self):
        try:
            with socket.create_connection(('127.0.0.1', self.port),
                                          timeout=1):
                return True
        except OSError:
            return False

    def output(self):
        with open(self.log_path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')[-4000:]

    def start(self):
        """Start the node; return once it accepts AMQP connections."""
        if self._listening():
            raise AssertionError('port %d of the private RabbitMQ is taken'
                                 % self.port)
        with open(self.log_path, 'ab') as log:
            self.process = subprocess.Popen(
                [_program('rabbitmq-server')], env=self.env,
                stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
                cwd=self.base)
        deadline = time.monotonic() + START_TIMEOUT
        while not self._listening():
            if self.process.poll() is not None:
                raise AssertionError(
                    'the private RabbitMQ %s exited with %s:\n%s' % (
                        self.nodename, self.process.returncode,
                        self.output()))
            if time.monotonic() > deadline:
                raise AssertionError(
                    'the private RabbitMQ %s did not listen on port %d '
                    'within %ss:\n%s' % (self.nodename, self.port,
                                         START_TIMEOUT, self.output()))
            time.sleep(0.1)

    def ctl(self, *args):
        """The output of ``rabbitmqctl -n <node> args``."""
        result = subprocess.run(
            [_program('rabbitmqctl'), '-n', self.nodename, '-q'] +
            list(args), env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=CTL_TIMEOUT)
        text = result.stdout.decode('utf-8', 'replace')
        if result.returncode:
            raise AssertionError('rabbitmqctl %s failed (%s): %s' % (
                ' '.join(args), result.returncode, text))
        return text

    def queues(self):
        """{name: {'durable': bool, 'messages': int}} of the node."""
        found = {}
        for line in self.ctl('list_queues', '--no-table-headers', 'name',
                             'durable', 'messages').splitlines():
            parts = line.split('\t')
            if len(parts) == 3:
                found[parts[0]] = {'durable': parts[1] == 'true',
                                   'messages': int(parts[2])}
        return found

    def _beam_pid(self):
        try:
            with open(self.env['RABBITMQ_PID_FILE']) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def stop(self):
        """Stop the node (rabbitmqctl stop, then its pid if need be) and
        wait until its port is closed."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            try:
                self.ctl('stop')
            except (AssertionError, subprocess.TimeoutExpired):
                pass
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                for pid in (self._beam_pid(), process.pid):
                    if pid:
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                process.wait(timeout=STOP_TIMEOUT)
        deadline = time.monotonic() + STOP_TIMEOUT
        while self._listening():
            if time.monotonic() > deadline:
                raise AssertionError('the private RabbitMQ %s still listens '
                                     'after it stopped' % self.nodename)
            time.sleep(0.1)
