"""With a jobboard, a live worker takes over what nobody would run
otherwise instead of failing it: the operation of a cast that a worker
consumed and died before claiming (no host), and the operation of a
host whose liveness key expired; never the work of a live host. A flow
whose store taskflow left half written loads again, and a job of an
operation that has ended is consumed without running.

Real parts: SQLite, taskflow persistence, Redis 127.0.0.1:6379 (a
namespace of the test's own), the local directory plugin. The takeover's
clock is the manager's ``_clock``, stepped by the test instead of
waiting (mocked, and only that)."""

import contextlib
import threading
import time

from futurist import ThreadPoolExecutor
import redis
import testtools

from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.db import checkpoints as checkpoints_db
from karbor.db import operation_logs as operation_logs_db
from karbor.db import verifications as verifications_db
from karbor.services.protection import jobs
from karbor.tests.unit.verification import base
from karbor.tests.unit.verification import test_resume


class TakeoverTest(test_resume.JobboardTestCase):

    def orphan(self, host, status='verifying'):
        """A verification of the checkpoint and its running log, as the
        API records them, left with ``host``."""
        checkpoint = checkpoints_db.checkpoint_get(self.checkpoint['id'])
        row = verifications_db.verification_create({
            'project_id': checkpoint.project_id,
            'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': checkpoint.id, 'status': status,
            'parameters': {}, 'host': host})
        operation_logs_db.operation_log_create({
            'project_id': checkpoint.project_id,
            'operation_type': constants.OPERATION_VERIFY,
            'status': 'verifying', 'verification_id': row.id,
            'checkpoint_id': checkpoint.id,
            'provider_id': base.LOCAL_PROVIDER_ID})
        return row

    def status(self, verification_id):
        return verifications_db.verification_get(verification_id)

    def wait_ended(self, verification_id):
        self.wait_until(lambda: self.status(verification_id).status !=
                        'verifying', 'verification %s ended' %
                        verification_id)
        return self.status(verification_id)

    def test_lost_cast_and_dead_host_taken_over_live_host_kept(self):
        worker = self.start_protection_service('worker-a')
        manager = worker.manager
        now = [1000.0]
        manager._clock = lambda: now[0]
        lost_cast = self.orphan(None)
        dead_host = self.orphan('gone-host')
        live_host = self.orphan('worker-live')
        liveness = jobs.Liveness()
        self.addCleanup(liveness.close)
        liveness.mark('worker-live')

        # First look: nothing yet (a cast may still be queued, a host
        # may only be slow to renew).
        self.assertEqual([], manager.adopt_orphans(set()))
        now[0] += self.EXPIRY
        # A dead host's work after one expiry; no host's after three.
        self.assertEqual([dead_host.id], manager.adopt_orphans(set()))
        now[0] += 2 * self.EXPIRY
        liveness.mark('worker-live')
        self.assertEqual([lost_cast.id], manager.adopt_orphans(set()))

        for taken in (lost_cast, dead_host):
            ended = self.wait_ended(taken.id)
            self.assertEqual('success', ended.status, ended.status_reason)
            self.assertEqual(dict.fromkeys((self.alpha, self.beta),
                                           'success'),
                             ended.resources_status)
            self.assertEqual('success', self.log_of(taken.id).status)
        kept = self.status(live_host.id)
        self.assertEqual(('verifying', 'worker-live'),
                         (kept.status, kept.host))
        self.assertEqual([], manager.adopt_orphans(set()))

    def test_restarted_worker_takes_its_own_work_again(self):
        """Killed after it claimed a row and before it posted the job: the
        same host, started again, builds it again at once."""
        claimed = self.orphan('worker-a')
        self.start_protection_service('worker-a')
        ended = self.wait_ended(claimed.id)
        self.assertEqual('success', ended.status, ended.status_reason)
        self.assertEqual('success', self.log_of(claimed.id).status)

    def test_half_saved_store_loads_again(self):
        row = self.orphan('worker-x')
        store = {constants.STORE_CHECKPOINT_ID: self.checkpoint['id'],
                 constants.STORE_VERIFICATION_ID: row.id,
                 constants.STORE_PARAMETERS: {}}
        jobs.save(constants.OPERATION_VERIFY, row.id, store)
        # As taskflow's injection leaves it when cut between its commits.
        _book, flow_detail = jobs.load(constants.OPERATION_VERIFY, row.id)
        injector = [atom for atom in flow_detail
                    if atom.name == '_TaskFlow_INJECTOR'][0]
        self.assertEqual(store, injector.results)
        injector.results = None
        with contextlib.closing(jobs.persistence().get_connection()) as conn:
            conn.update_atom_details(injector)

        _book, flow_detail = jobs.load(constants.OPERATION_VERIFY, row.id)
        pool = ThreadPoolExecutor(1)
        self.addCleanup(pool.shutdown)
        _context, engine = jobs.engine_for(flow_detail, pool)
        self.assertEqual(row.id, engine.storage.fetch(
            constants.STORE_VERIFICATION_ID))
        # And it was repaired where it is saved.
        _book, flow_detail = jobs.load(constants.OPERATION_VERIFY, row.id)
        self.assertEqual(store, [atom for atom in flow_detail if atom.name ==
                                 '_TaskFlow_INJECTOR'][0].results)

    def test_job_of_ended_operation_consumed_without_running(self):
        ended = self.orphan(None, status='success')
        store = {constants.STORE_CHECKPOINT_ID: self.checkpoint['id'],
                 constants.STORE_VERIFICATION_ID: ended.id,
                 constants.STORE_PARAMETERS: {},
                 constants.STORE_OPERATION_LOG_ID: None}
        book, flow_detail = jobs.save(constants.OPERATION_VERIFY, ended.id,
                                      store)
        worker = self.start_protection_service('worker-a')
        board = worker.manager.board
        jobs.post(board, book, flow_detail)
        self.wait_until(lambda: ended.id not in jobs.ids_on_board(board),
                        'the job consumed')
        row = self.status(ended.id)
        self.assertEqual(('success', None), (row.status, row.host))
        # Not run: no verdict was given.
        self.assertFalse(row.resources_status)

    def test_worker_whose_claim_was_taken_stops_acting(self):
        """Fencing: the claim of a running job is taken by another
        conductor (as after a renewal delayed past the expiry); the
        worker that ran it suspends its flow instead of running it to its
        end beside the new owner. (The claim is taken by hand through
        Redis: the plugin check is held by the gate, patched.)"""
        gate = self.useFixture(base.Gate(self))
        worker = self.start_protection_service('worker-a')
        conductor = worker.manager.conductor
        created = self.verify(self.checkpoint['id']).json['verification']
        gate.wait_arrived(2)
        board = worker.manager.board
        job = [job for job in board.iterjobs(ensure_fresh=True)
               if job.details['object_id'] == created['id']][0]
        client = redis.Redis('127.0.0.1', 6379)
        self.addCleanup(client.close)
        client.delete(board.join(job.key + board.OWNED_POSTFIX))
        board.claim(job, 'another-worker', expiry=300)
        # worker-a sees it at its next renewal and asks its engine to
        # suspend (after the checks held now).
        self.wait_until(lambda: jobs.load(
            constants.OPERATION_VERIFY, created['id'])[1].state ==
            'SUSPENDING', 'worker-a suspending the flow',
            timeout=self.EXPIRY + base.SETTLE_TIMEOUT)
        gate.open()
        self.wait_until(lambda: created['id'] not in conductor.running_ids(),
                        'the flow suspended on worker-a')
        # Not run to its end here: the new owner's to run.
        self.assertEqual('another-worker', board.find_owner(job))
        self.assertEqual('verifying', self.status(created['id']).status)
        _book, flow_detail = jobs.load(constants.OPERATION_VERIFY,
                                       created['id'])
        self.assertEqual('SUSPENDED', flow_detail.state)

    def test_lost_cast_taken_over_with_the_context_the_api_saved(self):
        """The API saves the operation's context (no token) before its
        cast; the worker taking over a lost cast runs with it. (Checks
        held by the gate, patched, while the saved flow is read.)"""
        gate = self.useFixture(base.Gate(self))
        worker = self.start_protection_service('worker-a')
        manager = worker.manager
        now = [1000.0]
        manager._clock = lambda: now[0]
        lost_cast = self.orphan(None)
        caller = karbor_context.RequestContext(
            project_id=lost_cast.project_id, user_id='caller-1',
            auth_token='secret-token', overwrite=False)
        jobs.save_context(constants.OPERATION_VERIFY, lost_cast.id, caller)
        self.assertEqual([], manager.adopt_orphans(set()))
        now[0] += 3 * self.EXPIRY
        self.assertEqual([lost_cast.id], manager.adopt_orphans(set()))
        gate.wait_arrived(1)
        _book, flow_detail = jobs.load(constants.OPERATION_VERIFY,
                                       lost_cast.id)
        saved = flow_detail.meta['store'][constants.STORE_CONTEXT]
        self.assertEqual('caller-1', saved['user'])
        self.assertNotIn('secret-token', str(flow_detail.meta))
        gate.open()
        ended = self.wait_ended(lost_cast.id)
        self.assertEqual('success', ended.status, ended.status_reason)


class ConductorWakeTest(test_resume.JobboardTestCase):
    """A posted job is claimed at once, not after the conductor's poll
    interval (set here to a minute: each verification ending within
    seconds shows the wake-up); with one job at a time, the next is
    claimed as soon as a place frees."""

    POLL = 60.0

    def test_posted_jobs_claimed_at_once(self):
        self.conf.config(jobboard_poll_interval=self.POLL, group='task_flow')
        self.start_protection_service('worker-a')
        # Its conductor has looked at the empty board and waits.
        time.sleep(0.5)
        started = time.monotonic()
        created = [self.verify(self.checkpoint['id']).json['verification']
                   for _ in range(3)]
        for item in created:
            self.wait_until(lambda i=item: verifications_db.verification_get(
                i['id']).status != 'verifying', 'verification ended',
                timeout=self.POLL / 2)
            self.assertEqual('success', verifications_db.verification_get(
                item['id']).status)
        self.assertLess(time.monotonic() - started, self.POLL / 2)


class WaitTest(testtools.TestCase):
    """The conductor's wait between two looks at the board (no board)."""

    def test_wake_before_the_wait_is_kept(self):
        wait = jobs._Wait(60.0)
        wait.wake()
        started = time.monotonic()
        wait.wait()
        self.assertLess(time.monotonic() - started, 5.0)
        self.assertFalse(wait.is_stopped())

    def test_wake_during_the_wait(self):
        wait = jobs._Wait(60.0)
        threading.Timer(0.1, wait.wake).start()
        started = time.monotonic()
        wait.wait()
        self.assertLess(time.monotonic() - started, 5.0)

    def test_without_wake_it_waits_its_interval(self):
        wait = jobs._Wait(0.3)
        started = time.monotonic()
        wait.wait()
        self.assertGreaterEqual(time.monotonic() - started, 0.29)

    def test_interrupt_stops(self):
        wait = jobs._Wait(60.0)
        threading.Timer(0.1, wait.interrupt).start()
        wait.wait()
        self.assertTrue(wait.is_stopped())
