"""Compare-and-set status changes and the atomic refusal to delete a
checkpoint that is being verified or restored, on SQLite, MariaDB and
PostgreSQL (real servers, a database of its own per test).

The lock tests hold one side's transaction open at the exact point where
a check-then-act design would let the other side slip in, and show that
the other side waits and then refuses; the race tests start both sides
together many times and check that exactly one of them wins each time.
"""

import os
import threading

from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import engines

from karbor.common import constants
from karbor.common import exception
from karbor.db import api as db_api
from karbor.db import checkpoints as checkpoints_db
from karbor.db import migration
from karbor.db import models
from karbor.db import operation_logs as operation_logs_db
from karbor.db import restores as restores_db
from karbor.db import verifications as verifications_db
from karbor.tests import base
from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.unit.db import test_state_changes as unit_cases

SQLITE = 'sqlite'
# How long the other side must stay blocked to count as waiting.
BLOCKED_FOR = 1.0
WAIT = 30
RACE_ROUNDS = 15


class _OnBackend:
    """Karbor's database functions on a fresh, migrated database of
    ``backend``."""

    backend = None

    def database(self):
        if self.backend == SQLITE:
            url = 'sqlite:///%s' % os.path.join(self.state_path,
                                                'karbor.sqlite')
        else:
            url = self.useFixture(ft_fixtures.Database(self.backend)).url
        engine = engines.create_engine(url)
        migration.upgrade('head', engine=engine)
        db_api.tune_sqlite(engine)
        self.addCleanup(engine.dispose)
        self.addCleanup(
            enginefacade._context_manager.patch_engine(engine))
        return engine

    def checkpoint(self, status=constants.CHECKPOINT_STATUS_AVAILABLE):
        return checkpoints_db.checkpoint_create({
            'project_id': 'p1', 'provider_id': 'prov', 'status': status,
            'protection_plan': {'id': 'plan'}}).id

    @staticmethod
    def log_values(kind, checkpoint_id):
        return {'project_id': 'p1', 'operation_type': kind,
                'checkpoint_id': checkpoint_id,
                'status': constants.OPERATION_LOG_STATUS_RUNNING[kind]}

    def start_delete(self, checkpoint_id):
        return checkpoints_db.checkpoint_start_delete(
            checkpoint_id,
            self.log_values(constants.OPERATION_DELETE, checkpoint_id))

    def start_verification(self, checkpoint_id):
        return verifications_db.verification_create_for_checkpoint(
            {'project_id': 'p1', 'provider_id': 'prov',
             'checkpoint_id': checkpoint_id, 'parameters': {},
             'status': constants.VERIFICATION_STATUS_VERIFYING},
            self.log_values(constants.OPERATION_VERIFY, checkpoint_id))

    def start_restore(self, checkpoint_id):
        return restores_db.restore_create_for_checkpoint(
            {'project_id': 'p1', 'provider_id': 'prov',
             'checkpoint_id': checkpoint_id, 'parameters': {},
             'status': constants.RESTORE_STATUS_IN_PROGRESS},
            self.log_values(constants.OPERATION_RESTORE, checkpoint_id))

    def in_thread(self, target):
        """Run ``target`` in a thread; a dict that gets its 'result' or
        'error', and the thread."""
        outcome = {}

        def run():
            try:
                outcome['result'] = target()
            except Exception as e:
                outcome['error'] = e
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return outcome, thread

    # Sequential refusals, with the fault a person reads

    def test_delete_refused_while_verifying_then_allowed(self):
        checkpoint_id = self.checkpoint()
        verification, log = self.start_verification(checkpoint_id)
        error = self.assertRaises(exception.InvalidState, self.start_delete,
                                  checkpoint_id)
        self.assertEqual(409, error.code)
        self.assertIn('is being verified (1 verification(s) running: %s)'
                      % verification.id, str(error))
        self.assertIn('reset its state', str(error))
        row = checkpoints_db.checkpoint_get(checkpoint_id)
        self.assertEqual('available', row.status)
        self.assertEqual([], operation_logs_db.operation_log_get_all(
            filters={'operation_type': 'delete'}))
        self.assertTrue(verifications_db.verification_end(
            verification.id, 'success', log.id))
        row, delete_log = self.start_delete(checkpoint_id)
        self.assertEqual('deleting', row.status)
        self.assertEqual(('deleting', checkpoint_id),
                         (delete_log.status, delete_log.checkpoint_id))

    def test_delete_refused_while_restoring(self):
        checkpoint_id = self.checkpoint()
        restore, _ = self.start_restore(checkpoint_id)
        error = self.assertRaises(exception.InvalidState, self.start_delete,
                                  checkpoint_id)
        self.assertIn('is being restored', str(error))
        self.assertIn(restore.id, str(error))

    def test_delete_refused_while_protecting(self):
        checkpoint_id = self.checkpoint(
            constants.CHECKPOINT_STATUS_PROTECTING)
        error = self.assertRaises(exception.InvalidState, self.start_delete,
                                  checkpoint_id)
        self.assertIn('is being protected', str(error))

    def test_verification_and_restore_refused_while_deleting(self):
        checkpoint_id = self.checkpoint()
        self.start_delete(checkpoint_id)
        for start in (self.start_verification, self.start_restore):
            error = self.assertRaises(exception.InvalidState, start,
                                      checkpoint_id)
            self.assertEqual(409, error.code)
            self.assertIn('is deleting', str(error))
        self.assertEqual([], verifications_db.verification_get_all())
        self.assertEqual([], restores_db.restore_get_all())
        self.assertEqual(['delete'], [
            log.operation_type
            for log in operation_logs_db.operation_log_get_all()])

    # No window between the check and the change

    def _hold(self, work, checkpoint_id):
        """A transaction that locks the checkpoint and does ``work`` in
        it, then waits, uncommitted, until told; (locked, release,
        thread)."""
        locked = threading.Event()
        release = threading.Event()

        def hold():
            with db_api.writer() as session:
                db_api.lock_checkpoint(session, checkpoint_id)
                work(session)
                session.flush()
                locked.set()
                release.wait(WAIT)
        outcome, thread = self.in_thread(hold)
        self.assertTrue(locked.wait(WAIT), outcome)
        return release, thread

    def assertWaitsThenRefused(self, release, holder, attempt, message):
        outcome, thread = self.in_thread(attempt)
        thread.join(BLOCKED_FOR)
        self.assertTrue(thread.is_alive(),
                        'did not wait for the other transaction: %s' %
                        outcome)
        release.set()
        holder.join(WAIT)
        thread.join(WAIT)
        self.assertFalse(thread.is_alive())
        self.assertIsInstance(outcome.get('error'), exception.InvalidState,
                              outcome)
        self.assertIn(message, str(outcome['error']))

    def test_delete_waits_for_a_verification_being_created(self):
        checkpoint_id = self.checkpoint()

        def create(session):
            session.add(models.Verification(
                id='v-in-flight', project_id='p1', provider_id='prov',
                checkpoint_id=checkpoint_id, parameters={},
                status=constants.VERIFICATION_STATUS_VERIFYING))
        release, holder = self._hold(create, checkpoint_id)
        self.assertWaitsThenRefused(
            release, holder, lambda: self.start_delete(checkpoint_id),
            'being verified (1 verification(s) running: v-in-flight)')
        self.assertEqual('available', checkpoints_db.checkpoint_get(
            checkpoint_id).status)

    def test_verification_waits_for_a_delete_in_flight(self):
        checkpoint_id = self.checkpoint()

        def delete(session):
            row = session.get(models.Checkpoint, checkpoint_id)
            row.status = constants.CHECKPOINT_STATUS_DELETING
        release, holder = self._hold(delete, checkpoint_id)
        self.assertWaitsThenRefused(
            release, holder, lambda: self.start_verification(checkpoint_id),
            'is deleting; only an available checkpoint can be verified')
        self.assertEqual([], verifications_db.verification_get_all())

    def test_races_have_exactly_one_winner(self):
        """Delete and verify (or restore) started together, many times:
        each time exactly one of them wins, and never does a checkpoint
        end up deleting with a verification or restore running."""
        wins = {'delete': 0, 'other': 0}
        for i in range(RACE_ROUNDS):
            checkpoint_id = self.checkpoint()
            other = self.start_verification if i % 2 else self.start_restore
            barrier = threading.Barrier(2)

            def go(fn, checkpoint_id=checkpoint_id):
                barrier.wait(WAIT)
                return fn(checkpoint_id)
            deleting, t1 = self.in_thread(
                lambda: go(self.start_delete))
            starting, t2 = self.in_thread(lambda: go(other))
            t1.join(WAIT)
            t2.join(WAIT)
            self.assertEqual(
                1, ('result' in deleting) + ('result' in starting),
                (deleting, starting))
            for outcome in (deleting, starting):
                if 'error' in outcome:
                    self.assertIsInstance(outcome['error'],
                                          exception.InvalidState)
            wins['delete' if 'result' in deleting else 'other'] += 1
            status = checkpoints_db.checkpoint_get(checkpoint_id).status
            running = (verifications_db.verification_count_running(
                checkpoint_id) + restores_db.restore_count_running(
                checkpoint_id))
            self.assertEqual(
                ('deleting', 0) if 'result' in deleting else
                ('available', 1), (status, running))
        self.assertEqual(RACE_ROUNDS, sum(wins.values()))


class _CompareAndSet(unit_cases.StateChangeTests):
    pass


class StateChangesSQLiteTest(_CompareAndSet, _OnBackend, base.TestCase):
    backend = SQLITE


class StateChangesMySQLTest(_CompareAndSet, _OnBackend, base.TestCase):
    backend = ft_fixtures.MYSQL


class StateChangesPostgreSQLTest(_CompareAndSet, _OnBackend,
                                 base.TestCase):
    backend = ft_fixtures.POSTGRESQL
