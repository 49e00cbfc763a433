"""karbor-api and karbor-protection as two real processes.

They share a configuration file, a database on a real server (MariaDB or
PostgreSQL) and RabbitMQ, as in production. The test process talks to the
API over HTTP and to the protection service over RabbitMQ.
"""

import logging
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
from karbor.tests.functional import processes

REPORT_INTERVAL = processes.REPORT_INTERVAL
SERVICE_DOWN_TIME = 3
# How long a process may take to stop on SIGTERM.
STOP_TIMEOUT = 10


class _ApiAndProtectionProcesses(processes.ProcessTestMixin):
    """The shared body; subclasses name the database ``backend``."""

    backend = None

    def setUp(self):
        super().setUp()
        # The log lines of this process become a detail of a failure.
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.services = self.useFixture(processes.KarborServices(
            self.backend, SERVICE_DOWN_TIME))
        self.host = self.services.host
        self.protection = self.services.protection
        self.base_url = 'http://127.0.0.1:%d/v1/%s' % (self.services.port,
                                                       uuid.uuid4().hex)
        self.service = self.wait(
            lambda: self.protection_service(state=constants.SERVICE_STATE_UP),
            'karbor-protection of host %s listed "up" by the API' %
            self.host)

    # Helpers

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
        conf.config(transport_url=self.services.rabbit.url)
        conf.config(topic=self.services.rabbit.topic, group='protection')
        rpc.cleanup()
        self.addCleanup(rpc.cleanup)

        api = rpcapi.ProtectionAPI(timeout=30)
        try:
            reply = api.ping(context.get_admin_context(), 'hello')
        except Exception as e:
            self.fail_with_logs('ping over RabbitMQ failed: %r' % e)
        self.assertEqual(self.host, reply['host'], self.services.logs())
        self.assertEqual('hello', reply['payload'], self.services.logs())
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
                           self.services.logs())
        self.assertEqual(self.service['id'], down['id'])
        self.assertEqual(constants.SERVICE_STATUS_ENABLED, down['status'])

    def test_sigterm_stops_both_cleanly(self):
        for process in (self.protection, self.services.api):
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
