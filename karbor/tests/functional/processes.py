"""karbor-api and karbor-protection as two real processes, for the
functional tests that drive them over HTTP and RabbitMQ."""

import os
import subprocess
import time

import fixtures

from karbor.common import constants
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import utils

REPORT_INTERVAL = 1
# How long a start-up (imports, database, broker) may take.
START_TIMEOUT = 30
MANAGE_TIMEOUT = 60


class KarborServices(fixtures.Fixture):
    """karbor-api and karbor-protection sharing a configuration file, a
    database of their own on ``backend`` (MariaDB or PostgreSQL) and a
    RabbitMQ topic of their own. ``configure(services, sections)`` may
    change the sections of ``karbor.conf`` and write files (providers)
    under ``services.tmp`` before the file is written. ``rabbit``: a
    fixture with ``url`` and ``topic`` (a private broker of the test), set
    up here; by default the machine's RabbitMQ."""

    def __init__(self, backend, service_down_time, configure=None,
                 rabbit=None):
        super().__init__()
        self.backend = backend
        self.service_down_time = service_down_time
        self.configure = configure
        self.rabbit_fixture = rabbit

    def _setUp(self):
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.rabbit = self.useFixture(self.rabbit_fixture or
                                      ft_fixtures.RabbitMQ())
        self.db_url = self.useFixture(ft_fixtures.Database(self.backend)).url
        self.host = ft_fixtures.unique_name('karbor-ft-')
        self.state_path = os.path.join(self.tmp, 'state')
        self.port = utils.free_port()
        sections = {
            'DEFAULT': {'transport_url': self.rabbit.url,
                        'auth_strategy': 'noauth',
                        'state_path': self.state_path,
                        'report_interval': REPORT_INTERVAL,
                        'service_down_time': self.service_down_time,
                        'host': self.host},
            'api': {'port': self.port, 'host_ip': '127.0.0.1'},
            'protection': {'topic': self.rabbit.topic},
            'database': {'connection': self.db_url}}
        if not self.rabbit.durable:
            # Karbor's default (durable) is kept when the broker is the
            # test's own.
            sections['oslo_messaging_rabbit'] = {
                'amqp_durable_queues': 'false'}
        if self.configure:
            self.configure(self, sections)
        self.config_file = utils.write_config(
            os.path.join(self.tmp, 'karbor.conf'), sections)
        result = subprocess.run(
            [utils.executable('karbor-manage'), '--config-file',
             self.config_file, 'db', 'sync'],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=MANAGE_TIMEOUT)
        if result.returncode:
            raise AssertionError('karbor-manage db sync failed on %s:\n%s' %
                                 (self.backend, result.stdout.decode(
                                     'utf-8', 'replace')))
        self.processes = []
        self.protection = self.start('karbor-protection')
        self.api = self.start('karbor-api')

    def start(self, command):
        process = self.useFixture(utils.KarborProcess(
            command, ['--config-file', self.config_file],
            os.path.join(self.tmp, '%s.log' % command)))
        self.processes.append(process)
        return process

    def restart_protection(self):
        """A new karbor-protection on the same host (after a kill)."""
        self.processes.remove(self.protection)
        self.protection = self.start('karbor-protection')

    def stop_protection(self, timeout=15):
        """SIGTERM to karbor-protection; its exit code. It is no longer
        among the processes that must live; :meth:`start_protection`
        starts another, which writes to the same log."""
        self.processes.remove(self.protection)
        return self.protection.stop(timeout=timeout)

    def start_protection(self):
        self.protection = self.start('karbor-protection')
        return self.protection

    def logs(self):
        """The output of every process, for the message of a failure."""
        parts = []
        for process in self.processes:
            parts.append('----- %s (pid %s, exit code %s) -----\n%s' % (
                process.command, process.process.pid,
                process.process.poll(), process.output()))
        return '\n'.join(parts)


def make_protect_root(services):
    """Make ``services.root``, ``<state_path>/protect``: the built-in local
    provider's root of a project is ``<project id>`` under it (karbor-all
    would make it; the separate services do not); for a ``configure`` of
    :class:`KarborServices`."""
    services.root = os.path.realpath(os.path.join(services.state_path,
                                                  'protect'))
    os.makedirs(services.root)
    return services.root


class ProcessTestMixin:
    """Waits and API requests that fail with the processes' logs; the test
    sets ``services`` (a :class:`KarborServices`) and ``base_url``."""

    def fail_with_logs(self, message):
        self.fail('%s\n\nProcess logs (%s, host %s, topic %s):\n%s' % (
            message, self.services.backend, self.services.host,
            self.services.rabbit.topic, self.services.logs()))

    def wait(self, predicate, what, timeout=START_TIMEOUT, interval=0.2,
             expect_dead=()):
        """The first true value of ``predicate``; fails with the logs, at
        once if a process other than ``expect_dead`` exits."""
        deadline = time.monotonic() + timeout
        last_error = None
        while True:
            for process in self.services.processes:
                if (process not in expect_dead and
                        process.process.poll() is not None):
                    self.fail_with_logs('%s exited (code %s) while waiting '
                                        'for %s' % (process.command,
                                                    process.process.poll(),
                                                    what))
            try:
                result = predicate()
                if result:
                    return result
            except AssertionError:
                raise
            except Exception as e:  # the API may not listen yet
                last_error = e
            if time.monotonic() >= deadline:
                self.fail_with_logs('Timed out after %ss waiting for %s '
                                    '(last error: %r)' %
                                    (timeout, what, last_error))
            time.sleep(interval)

    def wait_protection_up(self):
        """Until the API lists the karbor-protection of the services "up":
        an RPC cast sent before it consumes its topic would be lost."""
        host = self.services.host
        self.wait(lambda: [s for s in self.request(
            'GET', '/os-services?host=%s&binary=%s' % (
                host, constants.SERVICE_BINARY_PROTECTION))['services']
            if s['state'] == constants.SERVICE_STATE_UP],
            'karbor-protection of host %s listed "up"' % host)

    def list_directories(self):
        """{name: id} of the project's local directories, listed page by
        page as a client does (the local provider knows an id once it has
        listed it)."""
        found = {}
        path = '/protectables/OS::Local::Directory/instances?limit=1000'
        while True:
            page = self.request('GET', path)
            for item in page['instances']:
                found[item['name']] = item['id']
            if not page['instances_links']:
                return found
            path = ('/protectables/OS::Local::Directory/instances?limit=1000'
                    '&marker=%s' % page['instances'][-1]['id'])

    def request(self, method, path, body=None, expected=200):
        status, _headers, doc = utils.http(method, self.base_url + path,
                                           body=body, token='admin-token')
        if status != expected:
            self.fail_with_logs('%s %s answered %s, not %s: %s' %
                                (method, path, status, expected, doc))
        return doc
