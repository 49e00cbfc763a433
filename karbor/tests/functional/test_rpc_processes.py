"""karbor-api and karbor-protection as two real processes.

They share a configuration file, a database on a real server (MariaDB or
PostgreSQL) and RabbitMQ, as in production. The test process talks to the
API over HTTP and to the protection service over RabbitMQ.
"""

import logging
import os
import subprocess
import time
import uuid

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base

from karbor.common import config
from karbor.common import constants
from karbor.common import context
from karbor.common import rpc
from karbor.services.protection import rpcapi
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import utils

REPORT_INTERVAL = 1
SERVICE_DOWN_TIME = 3
# How long a start-up (imports, database, broker) may take.
START_TIMEOUT = 30
MANAGE_TIMEOUT = 60
# How long a process may take to stop on SIGTERM.
STOP_TIMEOUT = 10


class _ApiAndProtectionProcesses:
    """The shared body; subclasses name the database ``backend``."""

    backend = None

    def setUp(self):
        super().setUp()
        # The log lines of this process become a detail of a failure.
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.rabbit = self.useFixture(ft_fixtures.RabbitMQ())
        self.db_url = self.useFixture(ft_fixtures.Database(self.backend)).url
        self.host = ft_fixtures.unique_name('karbor-ft-')
        self.project = uuid.uuid4().hex
        port = utils.free_port()
        self.base_url = 'http://127.0.0.1:%d/v1/%s' % (port, self.project)
        self.config_file = utils.write_config(
            os.path.join(self.tmp, 'karbor.conf'),
            {'DEFAULT': {'transport_url': self.rabbit.url,
                         'auth_strategy': 'noauth',
                         'state_path': os.path.join(self.tmp, 'state'),
                         'report_interval': REPORT_INTERVAL,
                         'service_down_time': SERVICE_DOWN_TIME,
                         'host': self.host},
             'api': {'port': port, 'host_ip': '127.0.0.1'},
             'protection': {'topic': self.rabbit.topic},
             'database': {'connection': self.db_url}})
        self._db_sync()
        self.processes = []
        self.protection = self._start('karbor-protection')
        self.api = self._start('karbor-api')
        self.service = self.wait(
            lambda: self.protection_service(state=constants.SERVICE_STATE_UP),
            'karbor-protection of host %s listed "up" by the API' %
            self.host)

    # Helpers

    def _db_sync(self):
        result = subprocess.run(
            [utils.executable('karbor-manage'), '--config-file',
             self.config_file, 'db', 'sync'],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=MANAGE_TIMEOUT)
        self.assertEqual(0, result.returncode,
                         'karbor-manage db sync failed on %s:\n%s' %
                         (self.backend,
                          result.stdout.decode('utf-8', 'replace')))

    def _start(self, command):
        process = self.useFixture(utils.KarborProcess(
            command, ['--config-file', self.config_file],
            os.path.join(self.tmp, '%s.log' % command)))
        self.processes.append(process)
        return process

    def logs(self):
        """The output of every process, for the message of a failure."""
        parts = []
        for process in self.processes:
            parts.append('----- %s (pid %s, exit code %s) -----\n%s' % (
                process.command, process.process.pid,
                process.process.poll(), process.output()))
        return '\n'.join(parts)

    def fail_with_logs(self, message):
        self.fail('%s\n\nProcess logs (%s, host %s, topic %s):\n%s' % (
            message, self.backend, self.host, self.rabbit.topic,
            self.logs()))

    def wait(self, predicate, what, timeout=START_TIMEOUT, interval=0.2,
             expect_dead=()):
        """The first true value of ``predicate``; fails with the logs.

        Fails at once if a process other than ``expect_dead`` exits.
        """
        deadline = time.monotonic() + timeout
        last_error = None
        while True:
            for process in self.processes:
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
            except Exception as e:  # the API may not listen yet
                last_error = e
            if time.monotonic() >= deadline:
                self.fail_with_logs('Timed out after %ss waiting for %s '
                                    '(last error: %r)' %
                                    (timeout, what, last_error))
            time.sleep(interval)

    def request(self, method, path, body=None, expected=200):
        status, _headers, doc = utils.http(method, self.base_url + path,
                                           body=body, token='admin-token')
        if status != expected:
            self.fail_with_logs('%s %s answered %s, not %s: %s' %
                                (method, path, status, expected, doc))
        return doc

    def protection_service(self, state=None):
        """This test's karbor-protection row, as GET /os-services shows
        it; None if absent or not in ``state``."""
        doc = self.request('GET', '/os-services')
        for service in doc['services']:
            if (service['host'] == self.host and
                    service['binary'] ==
                    constants.SERVICE_BINARY_PROTECTION):
                if state is None or service['state'] == state:
                    return service
        return None

    # Tests

    def test_protection_service_listed_up(self):
        doc = self.request('GET', '/os-services?host=%s&binary=%s' %
                           (self.host, constants.SERVICE_BINARY_PROTECTION))
        services = doc['services']
        self.assertEqual(1, len(services), services)
        service = services[0]
        self.assertEqual(self.host, service['host'])
        self.assertEqual(constants.SERVICE_BINARY_PROTECTION,
                         service['binary'])
        self.assertEqual(constants.SERVICE_STATE_UP, service['state'])
        self.assertEqual(constants.SERVICE_STATUS_ENABLED, service['status'])
        self.assertIsNone(service['disabled_reason'])
        self.assertIsNotNone(service['updated_at'])

    def test_ping_over_rabbitmq(self):
        conf = self.useFixture(config_fixture.Config(cfg.CONF))
        config.register_all(cfg.CONF)
        conf.config(transport_url=self.rabbit.url)
        conf.config(topic=self.rabbit.topic, group='protection')
        rpc.cleanup()
        self.addCleanup(rpc.cleanup)

        api = rpcapi.ProtectionAPI(timeout=30)
        try:
            reply = api.ping(context.get_admin_context(), 'hello')
        except Exception as e:
            self.fail_with_logs('ping over RabbitMQ failed: %r' % e)
        self.assertEqual(self.host, reply['host'], self.logs())
        self.assertEqual('hello', reply['payload'], self.logs())
        self.assertTrue(reply['version'])

    def test_disable_then_enable(self):
        path = '/os-services/%s' % self.service['id']
        doc = self.request('PUT', path, {'status': 'disabled',
                                         'disabled_reason': 'maintenance'})
        self.assertEqual(self.service['id'], doc['service']['id'])
        self.assertEqual(constants.SERVICE_STATUS_DISABLED,
                         doc['service']['status'])
        self.assertEqual('maintenance', doc['service']['disabled_reason'])
        listed = self.protection_service()
        self.assertEqual(constants.SERVICE_STATUS_DISABLED,
                         listed['status'])
        self.assertEqual('maintenance', listed['disabled_reason'])
        # Heartbeats go on: disabled is not down.
        self.assertEqual(constants.SERVICE_STATE_UP, listed['state'])

        doc = self.request('PUT', path, {'status': 'enabled'})
        self.assertEqual(constants.SERVICE_STATUS_ENABLED,
                         doc['service']['status'])
        self.assertIsNone(doc['service']['disabled_reason'])
        listed = self.protection_service()
        self.assertEqual(constants.SERVICE_STATUS_ENABLED, listed['status'])
        self.assertIsNone(listed['disabled_reason'])

    def test_disable_unknown_service(self):
        doc = self.request('PUT', '/os-services/999999999',
                           {'status': 'disabled'}, expected=404)
        self.assertEqual(404, doc['itemNotFound']['code'], doc)

    def test_service_down_after_kill(self):
        self.protection.kill()
        killed_at = time.monotonic()
        # The last heartbeat is at most REPORT_INTERVAL old at the kill.
        limit = SERVICE_DOWN_TIME + REPORT_INTERVAL + 3
        down = self.wait(
            lambda: self.protection_service(
                state=constants.SERVICE_STATE_DOWN),
            'karbor-protection of host %s listed "down" after SIGKILL' %
            self.host, timeout=limit, expect_dead=[self.protection])
        elapsed = time.monotonic() - killed_at
        # Not "down" before service_down_time has passed since the last
        # heartbeat (which was at most REPORT_INTERVAL before the kill).
        self.assertGreater(elapsed, SERVICE_DOWN_TIME - REPORT_INTERVAL - 0.5,
                           self.logs())
        self.assertEqual(self.service['id'], down['id'])
        self.assertEqual(constants.SERVICE_STATUS_ENABLED, down['status'])

    def test_sigterm_stops_both_cleanly(self):
        for process in (self.protection, self.api):
            started = time.monotonic()
            code = process.stop(timeout=STOP_TIMEOUT)
            took = time.monotonic() - started
            if code != 0 or took >= STOP_TIMEOUT:
                self.fail_with_logs('%s stopped with code %s after %.1fs '
                                    'on SIGTERM' % (process.command, code,
                                                    took))


class TestApiAndProtectionMySQL(_ApiAndProtectionProcesses,
                                base.BaseTestCase):
    backend = ft_fixtures.MYSQL


class TestApiAndProtectionPostgreSQL(_ApiAndProtectionProcesses,
                                     base.BaseTestCase):
    backend = ft_fixtures.POSTGRESQL
