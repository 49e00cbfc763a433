"""Two karbor-operationengine processes beside karbor-api and
karbor-protection, on MariaDB and RabbitMQ, as in production: an
every-minute protect runs once per due time; after kill -9 of one engine
between runs, the other runs the next due times, once each, none missed.
"""

import datetime
import logging
import os
import uuid

import fixtures
from oslotest import base

from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import processes
from karbor.tests.functional import utils

PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = 'OS::Local::Directory'
BINARY = 'karbor-operationengine'
# The first due time is up to a minute away.
RUN_TIMEOUT = 150


class _TwoEngines(processes.ProcessTestMixin):

    backend = None

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))

        def configure(services, sections):
            processes.make_protect_root(services)
            sections['providers'] = {'enable_local_provider': 'true'}
            sections['operationengine'] = {'max_sleep': 1}

        self.services = self.useFixture(processes.KarborServices(
            self.backend, 3, configure))
        self.project = uuid.uuid4().hex
        self.base_url = 'http://127.0.0.1:%d/v1/%s' % (self.services.port,
                                                       self.project)
        self.wait_protection_up()
        self.engines = [self.start_engine(i) for i in (1, 2)]
        self.wait(lambda: len(self.engines_up()) == 2,
                  'both engines listed "up"')

    def start_engine(self, number):
        host = '%s-engine-%d' % (self.services.host, number)
        extra = utils.write_config(os.path.join(
            self.services.tmp, 'engine-%d.conf' % number),
            {'DEFAULT': {'host': host}})
        process = self.useFixture(utils.KarborProcess(
            BINARY, ['--config-file', self.services.config_file,
                     '--config-file', extra],
            os.path.join(self.services.tmp, 'engine-%d.log' % number)))
        self.services.processes.append(process)
        return process

    def engines_up(self):
        return [s['host'] for s in self.request(
            'GET', '/os-services?binary=%s' % BINARY)['services']
            if s['state'] == 'up' and
            s['host'].startswith(self.services.host)]

    def protect_logs(self):
        return sorted((log for log in self.request(
            'GET', '/operation_logs?limit=1000')['operation_logs']
            if log['scheduled_operation_id']),
            key=lambda log: log['extra_info']['due_at'])

    def done(self, count):
        logs = self.protect_logs()
        ended = [log for log in logs if log['status'] != 'protecting']
        return logs if len(ended) >= count else None

    def test_each_due_time_once_with_one_engine_killed(self):
        root = os.path.join(self.services.root, self.project, 'docs')
        os.makedirs(root)
        with open(os.path.join(root, 'a.txt'), 'w') as f:
            f.write('scheduled\n')
        directory = self.list_directories()['docs']
        plan = self.request('POST', '/plans', {'plan': {
            'name': 'p', 'provider_id': PROVIDER_ID, 'resources': [
                {'id': directory, 'type': DIRECTORY, 'name': 'docs'}]}})[
            'plan']
        trigger = self.request('POST', '/triggers', {'trigger_info': {
            'name': 'every-minute', 'type': 'time', 'properties': {
                'format': 'crontab', 'pattern': '* * * * *',
                'window': 60}}})['trigger_info']
        self.request('POST', '/scheduled_operations', {
            'scheduled_operation': {
                'name': 'protect', 'operation_type': 'protect',
                'trigger_id': trigger['id'], 'operation_definition': {
                    'plan_id': plan['id'], 'provider_id': PROVIDER_ID}}})
        self.wait(lambda: self.done(1), 'the first scheduled run',
                  timeout=RUN_TIMEOUT, interval=1)
        self.engines[0].kill()
        logs = self.wait(lambda: self.done(3), 'two runs after kill -9',
                         timeout=RUN_TIMEOUT, interval=1,
                         expect_dead=(self.engines[0],))
        dues = [datetime.datetime.fromisoformat(log['extra_info']['due_at'])
                for log in logs]
        self.assertEqual(len(dues), len(set(dues)), logs)
        # Consecutive minutes: none missed, none twice.
        self.assertEqual([datetime.timedelta(minutes=1)] * (len(dues) - 1),
                         [b - a for a, b in zip(dues, dues[1:])], logs)
        self.assertEqual([], [log for log in logs if log['status'] not in
                              ('success', 'protecting')])


class MySQLTwoEnginesTest(_TwoEngines, base.BaseTestCase):
    backend = ft_fixtures.MYSQL
