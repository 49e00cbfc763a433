"""Two karbor-protection workers share a Redis jobboard: one is killed
with SIGKILL in the middle of 20 deep verifications and 20 protects, and
the jobboard's Redis is restarted; every operation ends success, run to
its end once, resumed by the other worker.

Real parts: karbor-api and two karbor-protection processes, MariaDB, the
machine's RabbitMQ, a private redis-server on a port of its own (the test
restarts it), the file-system bank of the built-in local provider.
"""

import logging
import os
import re
import threading
import time
import uuid

import fixtures
from oslotest import base
import sqlalchemy as sa

from karbor.services.protection import provider as provider_module
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import processes
from karbor.tests.functional import redis_server
from karbor.tests.functional import utils

DIRECTORY = 'OS::Local::Directory'
LOCAL_PROVIDER_ID = provider_module.LOCAL_PROVIDER_ID
SERVICE_DOWN_TIME = 5
CLAIM_EXPIRY = 5
OPERATIONS = 20
FILES = 8
FILE_SIZE = 256 * 1024
END_TIMEOUT = 150


class TestWorkerTakeover(processes.ProcessTestMixin, base.BaseTestCase):

    backend = ft_fixtures.MYSQL

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.redis = self.useFixture(redis_server.RedisServer())

        def configure(services, sections):
            processes.make_protect_root(services)
            sections['task_flow'] = {
                'jobboard_backend_hosts': '127.0.0.1',
                'jobboard_backend_port': self.redis.port,
                'jobboard_expiration_time': CLAIM_EXPIRY,
                'max_simultaneous_jobs': 2,
                'jobboard_poll_interval': 0.2}
            sections['protection']['max_concurrent_operations'] = 2
            sections['protection']['recovery_interval'] = 1
            sections['providers'] = {'enable_local_provider': 'true'}

        self.services = self.useFixture(processes.KarborServices(
            self.backend, SERVICE_DOWN_TIME, configure=configure))
        self.first = self.services.protection
        # The second worker: the same file, another host.
        extra = utils.write_config(
            os.path.join(self.services.tmp, 'worker-b.conf'),
            {'DEFAULT': {'host': self.services.host + '-b'}})
        self.second = self.useFixture(utils.KarborProcess(
            'karbor-protection', ['--config-file', self.services.config_file,
                                  '--config-file', extra],
            os.path.join(self.services.tmp, 'karbor-protection-b.log')))
        self.services.processes.append(self.second)
        self.project = uuid.uuid4().hex
        self.base_url = 'http://127.0.0.1:%d/v1/%s' % (self.services.port,
                                                       self.project)
        self.wait_protection_up()
        self.engine = sa.create_engine(self.services.db_url)
        self.addCleanup(self.engine.dispose)

    def hosts(self, table, ids):
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text(
                'SELECT id, host, status FROM %s' % table)).fetchall()
        return {r.id: (r.host, r.status) for r in rows if r.id in ids}

    def write_directory(self):
        root = os.path.join(self.services.root, self.project, 'data')
        os.makedirs(root)
        block = os.urandom(FILE_SIZE)
        for n in range(FILES):
            with open(os.path.join(root, 'f%02d' % n), 'wb') as f:
                f.write(b'%08d' % n + block[8:])
        listed = self.list_directories()
        return {'id': listed['data'], 'type': DIRECTORY, 'name': 'data'}

    def protect(self, plan_id):
        return self.request(
            'POST', '/providers/%s/checkpoints' % LOCAL_PROVIDER_ID,
            {'checkpoint': {'plan_id': plan_id}}, expected=202)[
            'checkpoint']['id']

    def checkpoint(self, checkpoint_id):
        return self.request('GET', '/providers/%s/checkpoints/%s' % (
            LOCAL_PROVIDER_ID, checkpoint_id))['checkpoint']

    def test_kill_one_of_two_workers_and_restart_redis(self):
        resource = self.write_directory()
        plan = self.request('POST', '/plans', {'plan': {
            'name': 'takeover', 'provider_id': LOCAL_PROVIDER_ID,
            'resources': [resource]}})['plan']
        base_checkpoint = self.protect(plan['id'])
        self.wait(lambda: self.checkpoint(base_checkpoint)['status'] ==
                  'available', 'the first checkpoint', timeout=60)

        started = time.monotonic()
        verifications, checkpoints, errors = [], [], []

        # The POSTs go on while the first worker is killed: casts are in
        # flight to it (taken from the queue, not yet claimed) when it dies.
        def post_all():
            try:
                for _ in range(OPERATIONS):
                    verifications.append(self.request(
                        'POST', '/verifications', {'verification': {
                            'provider_id': LOCAL_PROVIDER_ID,
                            'checkpoint_id': base_checkpoint,
                            'parameters': {DIRECTORY: {'level': 'deep'}}}},
                        expected=202)['verification']['id'])
                    checkpoints.append(self.protect(plan['id']))
            except BaseException as e:
                errors.append(e)
        poster = threading.Thread(target=post_all)
        poster.start()
        self.addCleanup(poster.join, 60)
        first_host = self.services.host

        # Kill the first worker while its conductor runs some of them
        # (claimed jobs, named in its log, not ended yet).
        second_host = first_host + '-b'

        def running_on_first():
            claimed = set(re.findall(r'Claimed job \S+ \(\w+ ([0-9a-f-]+)\)',
                                     self.first.output()))
            found = {}
            found.update(self.hosts('verifications', claimed))
            found.update(self.hosts('checkpoints', claimed))
            return {k for k, (host, status) in found.items()
                    if host == first_host and status in (
                        'verifying', 'protecting')}
        held = self.wait(running_on_first, 'the first worker running work',
                         timeout=60, interval=0.02)
        self.first.kill()
        died = time.monotonic()
        self.services.processes.remove(self.first)
        poster.join(60)
        self.assertEqual([], errors)
        self.assertEqual((OPERATIONS, OPERATIONS),
                         (len(verifications), len(checkpoints)))

        # Its work is resumed by the second worker once its claims expire.
        def resumed():
            found = {}
            found.update(self.hosts('verifications', held))
            found.update(self.hosts('checkpoints', held))
            return [k for k, (host, status) in found.items()
                    if host == second_host]
        self.wait(resumed, 'the second worker resuming the work of the '
                  'first', timeout=CLAIM_EXPIRY + 60, interval=0.05)
        resume_seconds = time.monotonic() - died
        # Not before the dead worker's claims expired.
        self.assertGreater(resume_seconds, CLAIM_EXPIRY / 3.0)

        # The jobboard's Redis restarted in the middle.
        self.redis.restart()

        def all_ended():
            ended = [self.request('GET', '/verifications/%s' % v)[
                'verification']['status'] for v in verifications]
            ended += [self.checkpoint(c)['status'] for c in checkpoints]
            return ended if not [s for s in ended if s in (
                'verifying', 'protecting')] else None
        statuses = self.wait(all_ended, 'every operation to end',
                             timeout=END_TIMEOUT, interval=0.5)
        elapsed = time.monotonic() - started
        self.assertEqual(['success'] * OPERATIONS + ['available'] *
                         OPERATIONS, statuses, self.services.logs())

        # Each ran to its end once: one "ended"/"available" line per
        # operation in the two workers' logs together.
        logs = self.first.output() + self.second.output()
        for verification_id in verifications:
            self.assertEqual(1, len(re.findall(
                'Verification %s ended success' % verification_id, logs)),
                verification_id)
        for checkpoint_id in checkpoints:
            self.assertEqual(1, len(re.findall(
                'Checkpoint %s is available' % checkpoint_id, logs)),
                checkpoint_id)
        # One operation log each, ended success; nothing left running.
        with self.engine.connect() as conn:
            logs_rows = conn.execute(sa.text(
                'SELECT status, verification_id, checkpoint_id FROM '
                'operation_logs')).fetchall()
        by_op = {}
        for row in logs_rows:
            key = row.verification_id if row.verification_id in set(
                verifications) else row.checkpoint_id
            by_op.setdefault(key, []).append(row.status)
        for op in verifications + checkpoints:
            self.assertEqual(1, len([s for s in by_op.get(op, [])]), op)
        # Taken over without a job to claim: a cast the dead worker had
        # taken, or a flow it saved and had not posted.
        taken_over = len(re.findall(r' taken over by ', logs))
        print('operations %d, ended success %d, resumed %d (claims '
              'expired), taken over %d (cast or job lost), lost 0, '
              'stuck 0; death to resume %.1f s (claim expiry %d s); '
              'all ended in %.1f s' % (
                  2 * OPERATIONS, statuses.count('success') +
                  statuses.count('available'), len(held), taken_over,
                  resume_seconds, CLAIM_EXPIRY, elapsed))
