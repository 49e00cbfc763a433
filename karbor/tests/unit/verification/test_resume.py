"""A verification whose worker dies is resumed, not failed: the resources
whose verdict was written are not checked again. By the same service
restarted (no jobboard), or by another worker once the dead one's claim
on the Redis jobboard expired.

A worker "dies" here by never coming back from one resource's check: its
thread is held until the test ends (the local directory plugin's
VerifyOperation.on_main is patched for that; the rest is real: SQLite
database, taskflow persistence, Redis 127.0.0.1:6379 for the board)."""

import contextlib
import datetime
import json
import os
import threading
import time
import uuid

import fixtures
from oslo_config import cfg
import redis
from oslo_utils import timeutils

from karbor.common import constants
from karbor.db import services as services_db
from karbor.db import verifications as verifications_db
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection import graph
from karbor.services.protection import jobs
from karbor.services.protection import manager
from karbor.services.protection import recovery
from karbor.services.protection.tasks import resource_tasks
from karbor.services.protection import verification
from karbor.services.protection.protection_plugins import local_directory
from karbor.tests.unit.verification import base


class DeadWorker(fixtures.Fixture):
    """The first check of resource ``key`` never returns (until the test
    ends, then it fails): the worker that ran it is dead. Counts the
    checks of every resource."""

    def __init__(self, key):
        super().__init__()
        self.key = key
        self.calls = {}
        self.held = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()

    def _setUp(self):
        real = local_directory.VerifyOperation.on_main
        dead = self

        def on_main(operation, checkpoint, resource, *args, **kwargs):
            key = graph.resource_key(resource)
            with dead._lock:
                dead.calls[key] = dead.calls.get(key, 0) + 1
                first = key == dead.key and not dead.held.is_set()
                if first:
                    dead.held.set()
            if first:
                dead._release.wait(base.SETTLE_TIMEOUT * 2)
                raise RuntimeError('this worker is dead')
            return real(operation, checkpoint, resource, *args, **kwargs)

        self.useFixture(fixtures.MockPatchObject(
            local_directory.VerifyOperation, 'on_main', on_main))
        self.addCleanup(self._release.set)


class ResumeTestCase(base.VerificationTestCase):

    def setUp(self):
        super().setUp()
        self.checkpoint = self.available_checkpoint(dirs=('alpha', 'beta'))
        self.alpha = self.resource_key('alpha')
        self.beta = self.resource_key('beta')
        # Every verdict written at once (not in batches each second), so
        # that alpha's is in the database when its worker dies: a check
        # whose verdict was not written yet runs again on resume.
        self.useFixture(fixtures.MockPatchObject(
            verification.Progress.__init__, '__defaults__', (0.0, None)))

    def wait_until(self, predicate, what, timeout=base.SETTLE_TIMEOUT):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                self.fail('timed out waiting for %s' % what)
            time.sleep(0.02)

    def verdict_written(self, verification_id):
        """alpha's verdict is in the database: every resource is checked
        in one task, and a resumed verification checks again only those
        without a verdict."""
        return verifications_db.verification_get(
            verification_id).resources_status.get(self.alpha) == "success"


class RestartTest(ResumeTestCase):
    """No jobboard (karbor-all): the service, started again on the same
    host, resumes what it was running."""

    def test_restart_resumes_keeping_the_verdicts_written(self):
        dead = self.useFixture(DeadWorker(self.beta))
        created = self.verify(self.checkpoint['id']).json['verification']
        self.assertTrue(dead.held.wait(base.SETTLE_TIMEOUT))
        # alpha's check finished and its verdict was written; beta's runs
        # forever.
        self.wait_until(lambda: self.verdict_written(created['id']),
                        "alpha's verdict written")
        shown = self.show(created['id'])
        self.assertEqual('verifying', shown['status'])
        # A check whose verdict had not reached the database when its
        # worker died runs again (verdicts are written in batches; with
        # the interval patched to 0 it is rare but a write may be busy).
        alpha_calls = 1 if shown['resource_status'].get(
            self.alpha) == 'success' else 2

        # The same host starts again (as after kill -9 and a restart).
        restarted = manager.ProtectionManager(self.service.host)
        restarted.init_host()
        self.addCleanup(restarted.cleanup_host)
        shown = self.wait_verification(created['id'], 'success')
        self.assertEqual(dict.fromkeys((self.alpha, self.beta), 'success'),
                         shown['resource_status'])
        self.assertEqual(2, shown['progress']['resources_total'])
        self.assertEqual('success', self.log_of(created['id']).status)
        # alpha was not checked again; beta was, by the restarted service.
        self.assertEqual({self.alpha: alpha_calls, self.beta: 2},
                         dead.calls)
        # Without a jobboard it was never saved in taskflow's tables: its
        # row (verdicts, counters) is what it resumes from.
        self.assertIsNone(jobs.load('verify', created['id']))

    def test_stopped_service_suspends_and_restart_resumes(self):
        # A stop (not a death): the flow is suspended after its running
        # task, the verification stays verifying with its verdicts, and
        # the service started again ends it without checking them again.
        gate = self.useFixture(base.Gate(self))
        created = self.verify(self.checkpoint['id']).json['verification']
        gate.wait_arrived(2)
        stopping = threading.Thread(target=self.service.stop)
        stopping.start()
        self.wait_until(self.service.manager._stop.is_set,
                        'the service stopping')
        gate.open()
        stopping.join(base.SETTLE_TIMEOUT)
        shown = self.show(created['id'])
        self.assertEqual('verifying', shown['status'])
        self.assertEqual(dict.fromkeys((self.alpha, self.beta), 'success'),
                         shown['resource_status'])
        restarted = manager.ProtectionManager(self.service.host)
        restarted.init_host()
        self.addCleanup(restarted.cleanup_host)
        shown = self.wait_verification(created['id'], 'success')
        self.assertEqual(2, shown['progress']['resources_total'])
        self.assertEqual(2, shown['progress']['resources_checked'])
        self.assertEqual('success', self.log_of(created['id']).status)

    def test_a_verification_is_not_saved_without_a_jobboard(self):
        # Without a jobboard a verification runs in memory (it resumes
        # from its row, see above); [task_flow] max_resumable_resources
        # plays no part.
        self.conf.config(max_resumable_resources=1, group='task_flow')
        saves = []
        real = jobs.save
        self.useFixture(fixtures.MockPatchObject(
            jobs, 'save', lambda *a, **k: saves.append(a) or real(*a, **k)))
        created = self.verify(self.checkpoint['id']).json['verification']
        shown = self.wait_verification(created['id'], 'success')
        self.assertEqual(dict.fromkeys((self.alpha, self.beta), 'success'),
                         shown['resource_status'])
        self.assertEqual([], saves)
        self.assertIsNone(jobs.load('verify', created['id']))

    def test_too_large_protect_runs_unsaved_resumable_mocked(self):
        # An operation jobs.resumable refuses (mocked here) runs without
        # being saved.
        self.useFixture(fixtures.MockPatchObject(
            jobs, 'resumable', lambda *a, **k: False))
        saves = []
        real = jobs.save
        self.useFixture(fixtures.MockPatchObject(
            jobs, 'save', lambda *a, **k: saves.append(a) or real(*a, **k)))
        checkpoint = self.available_checkpoint(dirs=('gamma',))
        self.assertEqual([], saves)
        self.assertIsNone(jobs.load('protect', checkpoint['id']))

    def test_not_resumable_is_failed_with_reason(self):
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'status': 'verifying',
            'parameters': {}, 'host': 'gone-host'})
        self.assertIn(row.id, recovery.fail_interrupted('gone-host'))
        shown = self.show(row.id)
        self.assertEqual('error', shown['status'])
        self.assertIn('cannot be resumed', shown['status_reason'])


class JobboardTestCase(ResumeTestCase):
    """Two workers on one Redis jobboard (127.0.0.1:6379, a namespace of
    the test's own)."""

    # Renewed every 2 s; a loaded machine may delay a renewal a little.
    EXPIRY = 6

    def setUp(self):
        super().setUp()
        # The service of the base class has no board: stop it.
        self.service.stop()
        namespace = 'karbor-test-%s' % uuid.uuid4().hex
        self.conf.config(jobboard_backend_hosts=['127.0.0.1'],
                         jobboard_backend_port=6379,
                         jobboard_backend_namespace=namespace,
                         jobboard_expiration_time=self.EXPIRY,
                         max_simultaneous_jobs=1,
                         jobboard_poll_interval=0.1, group='task_flow')
        client = redis.Redis('127.0.0.1', 6379)
        self.addCleanup(lambda: [client.delete(k) for k in
                                 client.scan_iter(match=namespace + '*')])


class JobboardTest(JobboardTestCase):

    def test_claim_expires_and_another_worker_resumes(self):
        dead = self.useFixture(DeadWorker(self.beta))
        first = self.start_protection_service('worker-a')
        created = self.verify(self.checkpoint['id']).json['verification']
        self.assertTrue(dead.held.wait(base.SETTLE_TIMEOUT))
        self.wait_until(lambda: self.verdict_written(created['id']),
                        "alpha's verdict written")
        self.assertEqual('worker-a', verifications_db.verification_get(
            created['id']).host)
        written = verifications_db.verification_get(
            created['id']).resources_status.get(self.alpha) == 'success'
        # worker-a dies: it no longer renews its claim.
        first.manager.conductor._stopped.set()
        died = time.monotonic()
        self.start_protection_service('worker-b')
        # At clean-up the dead thread is let go before the services stop.
        self.addCleanup(dead._release.set)
        self.wait_until(lambda: verifications_db.verification_get(
            created['id']).host == 'worker-b', 'worker-b resumes',
            timeout=self.EXPIRY + base.SETTLE_TIMEOUT)
        resumed_after = time.monotonic() - died
        print('death to resume: %.2f s (claim expiry %d s)' % (
            resumed_after, self.EXPIRY))
        # Not before the claim expired (renewed last up to 2 s before the
        # death, later on a loaded machine).
        self.assertGreater(resumed_after, 1.0)
        shown = self.wait_verification(created['id'], 'success')
        self.assertEqual(dict.fromkeys((self.alpha, self.beta), 'success'),
                         shown['resource_status'])
        self.assertEqual('success', self.log_of(created['id']).status)
        self.assertEqual({self.alpha: 1 if written else 2, self.beta: 2},
                         dead.calls)
        self.wait_until(lambda: jobs.load('verify', created['id']) is None,
                        'the saved flow removed')

    def test_job_lost_by_the_board_is_posted_again(self):
        """Redis restarted without its data: an operation this host took
        and posted, whose job is gone from the board, is posted again (at
        the second look) and runs to its end; the one this host runs is
        not posted again."""
        gate = self.useFixture(base.Gate(self))
        worker = self.start_protection_service('worker-a')
        running = self.verify(self.checkpoint['id']).json['verification']
        gate.wait_arrived(2)
        # One job at a time: the second waits on the board.
        waiting = self.verify(self.checkpoint['id']).json['verification']
        board = worker.manager.board
        self.wait_until(lambda: waiting['id'] in jobs.ids_on_board(board),
                        'the second job posted')
        # The board loses everything.
        client = redis.Redis('127.0.0.1', 6379)
        namespace = cfg.CONF.task_flow.jobboard_backend_namespace
        for key in client.scan_iter(match=namespace + '*'):
            client.delete(key)
        self.assertEqual(set(), jobs.ids_on_board(board))
        self.assertEqual([], worker.manager.repost_lost(set()))
        self.assertEqual([waiting['id']], worker.manager.repost_lost(set()))
        on_board = jobs.ids_on_board(board)
        self.assertIn(waiting['id'], on_board)
        self.assertNotIn(running['id'], on_board)
        gate.open()
        for created in (running, waiting):
            self.wait_verification(created['id'], 'success')
        self.assertEqual(1, len([log for log in self.verify_logs()
                                 if log.verification_id == waiting['id']]))

    def test_live_claim_is_kept_though_heartbeat_looks_stale(self):
        """A worker whose heartbeat row looks stale (another host's clock)
        but whose job is claimed and renewed keeps its work; work of that
        host that is not on the board is failed as before."""
        board = jobs.make_board()
        self.addCleanup(board.close)
        service = services_db.service_report('stale-host',
                                             'karbor-protection')
        services_db.service_update(service.id, {
            'last_heartbeat': (timeutils.utcnow() -
                               datetime.timedelta(hours=1))})
        kept = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'status': 'verifying',
            'parameters': {}, 'host': 'stale-host'})
        book, flow_detail = jobs.save('verify', kept.id, {})
        job = jobs.post(board, book, flow_detail)
        board.claim(job, 'stale-host', expiry=60)
        lost = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'status': 'verifying',
            'parameters': {}, 'host': 'stale-host'})
        failed = recovery.fail_orphans(keep=jobs.ids_on_board(board))
        self.assertNotIn(kept.id, failed)
        self.assertIn(lost.id, failed)
        self.assertEqual('verifying', verifications_db.verification_get(
            kept.id).status)
        self.assertEqual('error', verifications_db.verification_get(
            lost.id).status)
        with contextlib.suppress(Exception):
            board.consume(job, 'stale-host')


class ProtectRestartTest(base.VerificationTestCase):
    """A protect of resources that depend on no other (one batch task)
    whose worker dies in the middle resumes on the same host started
    again, and protects again only the resources whose status in the bank
    is not ``available``. A worker "dies" as in DeadWorker: the second
    resource's protect never returns (local_directory's ProtectOperation
    .on_main patched); the rest is real."""

    def test_restart_skips_the_resources_already_protected(self):
        # One resource per group: the first is durable and recorded
        # available before the second starts.
        self.useFixture(fixtures.MockPatchObject(
            resource_tasks.ResourceBatchTask, 'group', 1))
        real = local_directory.ProtectOperation.on_main
        calls = []
        held = threading.Event()
        release = threading.Event()
        lock = threading.Lock()

        def on_main(operation, checkpoint, resource, *args, **kwargs):
            key = graph.resource_key(resource)
            with lock:
                calls.append(key)
                hold = len(calls) == 2
            if hold:
                held.set()
                release.wait(base.SETTLE_TIMEOUT * 2)
                raise RuntimeError('this worker is dead')
            return real(operation, checkpoint, resource, *args, **kwargs)

        self.useFixture(fixtures.MockPatchObject(
            local_directory.ProtectOperation, 'on_main', on_main))
        self.addCleanup(release.set)
        plan = self.create_plan('plan', dirs=('alpha', 'beta', 'gamma'))
        checkpoint = self.post(self.checkpoints_path(),
                               {'checkpoint': {'plan_id': plan['id']}},
                               status=202).json['checkpoint']
        self.assertTrue(held.wait(base.SETTLE_TIMEOUT))
        first, second = calls[:2]
        status_key = '%s/%s/%s/%s' % (
            checkpoint_module.checkpoint_prefix(checkpoint['id']),
            constants.BANK_RESOURCE_DATA, first,
            constants.BANK_RESOURCE_STATUS)
        path = os.path.join(self.bank_root(), *status_key.split('/'))

        def first_available():
            try:
                with open(path) as f:
                    return json.load(f)['status'] == 'available'
            except (OSError, ValueError):
                return False
        deadline = time.monotonic() + base.SETTLE_TIMEOUT
        while not first_available():
            self.assertLess(time.monotonic(), deadline,
                            'the first resource never became available')
            time.sleep(0.02)

        # The same host starts again (as after kill -9 and a restart).
        restarted = manager.ProtectionManager(self.service.host)
        restarted.init_host()
        self.addCleanup(restarted.cleanup_host)
        shown = self.wait_for(
            lambda: self.get(self.checkpoints_path(
                rest='/' + checkpoint['id'])).json['checkpoint'],
            lambda c: c['status'] != 'protecting')
        self.assertEqual('available', shown['status'])
        # The first was not protected again; the held one was, once more;
        # the third once.
        third = [k for k in calls if k not in (first, second)]
        self.assertEqual(1, calls.count(first))
        self.assertEqual(2, calls.count(second))
        self.assertEqual(1, len(third))
        self.assertEqual(4, len(calls))
        for key in (first, second, third[0]):
            rel = status_key.replace(first, key)
            with open(os.path.join(self.bank_root(),
                                   *rel.split('/'))) as f:
                self.assertEqual('available', json.load(f)['status'])
