"""karbor.db: every status change is a compare-and-set on the expected
current state, and an operation ends together with its log (SQLite; the
same tests run on MariaDB and PostgreSQL in
karbor.tests.functional.db.test_state_changes)."""

from unittest import mock

from oslo_db import exception as db_exc

from karbor.common import exception
from karbor.db import api as db_api
from karbor.db import checkpoints as checkpoints_db
from karbor.db import models
from karbor.db import operation_logs as operation_logs_db
from karbor.db import restores as restores_db
from karbor.db import verifications as verifications_db
from karbor.tests import base


class StateChangeTests:
    """Mixed into a test case whose database is set up."""

    def verification(self, status='verifying', host=None):
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': 'prov', 'checkpoint_id': 'c1',
            'status': status, 'host': host, 'parameters': {},
            'resources_status': {'a': 'verifying'}})
        log = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'verify',
            'status': 'verifying' if status == 'verifying' else status,
            'verification_id': row.id})
        return row, log

    def test_update_with_expected_takes_or_reports(self):
        row, _ = self.verification()
        took = verifications_db.verification_update(
            row.id, {'status': 'error'}, expected={'status': ['verifying']})
        self.assertEqual('error', took.status)
        refused = verifications_db.verification_update(
            row.id, {'status': 'verifying'},
            expected={'status': ['verifying']})
        self.assertIsNone(refused)
        self.assertEqual('error',
                         verifications_db.verification_get(row.id).status)

    def test_expected_null_matches_null_only(self):
        """``host: [None]`` means "claimed by no one"; SQL's IN never
        matches NULL, so the helper has to say IS NULL."""
        row, _ = self.verification(host=None)
        claimed = verifications_db.verification_update(
            row.id, {'host': 'h1'},
            expected={'status': ['verifying'], 'host': [None]})
        self.assertEqual('h1', claimed.host)
        self.assertIsNone(verifications_db.verification_update(
            row.id, {'host': 'h2'},
            expected={'status': ['verifying'], 'host': [None]}))
        self.assertEqual('h1', verifications_db.verification_get(
            row.id).host)

    def test_missing_row_is_not_found_not_refused(self):
        self.assertRaises(
            exception.VerificationNotFound,
            verifications_db.verification_update, 'no-such-id',
            {'status': 'error'}, expected={'status': ['verifying']})

    def test_end_takes_the_log_with_it(self):
        row, log = self.verification()
        self.assertTrue(verifications_db.verification_end(
            row.id, 'error', log.id, 'the bank is gone'))
        row = verifications_db.verification_get(row.id)
        log = operation_logs_db.operation_log_get(log.id)
        self.assertEqual(('error', 'the bank is gone', None),
                         (row.status, row.status_reason, row.host))
        self.assertEqual(('error', 'the bank is gone'),
                         (log.status, log.error_info))
        self.assertEqual(row.ended_at, log.ended_at)

    def test_second_end_changes_neither(self):
        row, log = self.verification()
        self.assertTrue(verifications_db.verification_end(
            row.id, 'success', log.id))
        self.assertFalse(verifications_db.verification_end(
            row.id, 'error', log.id, 'late failure'))
        self.assertEqual(('success', None), (
            verifications_db.verification_get(row.id).status,
            verifications_db.verification_get(row.id).status_reason))
        log = operation_logs_db.operation_log_get(log.id)
        self.assertEqual(('success', None), (log.status, log.error_info))

    def test_end_is_one_transaction(self):
        """If the log's part of the end fails, the object does not end
        either: they commit together or not at all."""
        row, log = self.verification()
        original = db_api.end_operation_log

        def broken(session, operation_log_id, values):
            original(session, operation_log_id, values)
            raise RuntimeError('the database went away mid-way')
        self.patch(db_api, 'end_operation_log', broken)
        self.assertRaises(RuntimeError, verifications_db.verification_end,
                          row.id, 'success', log.id)
        self.assertEqual('verifying',
                         verifications_db.verification_get(row.id).status)
        self.assertEqual('verifying',
                         operation_logs_db.operation_log_get(log.id).status)

    def test_restore_end_and_late_verdicts(self):
        row = restores_db.restore_create({
            'project_id': 'p1', 'provider_id': 'prov', 'checkpoint_id': 'c1',
            'status': 'in_progress', 'parameters': {},
            'resources_status': {}, 'resources_reason': {}})
        log = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'restore',
            'status': 'in_progress', 'restore_id': row.id})
        self.assertTrue(restores_db.restore_set_resource_statuses(
            row.id, {'a': ('restoring', '')}))
        self.assertTrue(restores_db.restore_end(row.id, 'fail', log.id,
                                                'disk full'))
        self.assertFalse(restores_db.restore_set_resource_statuses(
            row.id, {'a': ('available', '')}))
        self.assertFalse(restores_db.restore_end(row.id, 'success',
                                                 log.id))
        row = restores_db.restore_get(row.id)
        self.assertEqual(('fail', {'a': 'restoring'}),
                         (row.status, row.resources_status))
        self.assertEqual(('error', 'disk full'), (
            operation_logs_db.operation_log_get(log.id).status,
            operation_logs_db.operation_log_get(log.id).error_info))

    def test_ended_log_is_never_reopened(self):
        _, log = self.verification()
        self.assertTrue(operation_logs_db.operation_log_end(log.id))
        self.assertFalse(operation_logs_db.operation_log_end(log.id, 'no'))
        self.assertFalse(operation_logs_db.operation_log_claim(log.id, 'h'))
        log = operation_logs_db.operation_log_get(log.id)
        self.assertEqual(('success', None, None),
                         (log.status, log.error_info, log.host))

    def test_reset_of_a_running_verification(self):
        """An administrator's reset ends the verification, its unfinished
        resources and its running log in one go; a reset from a status it
        no longer has is refused."""
        row, log = self.verification()
        self.assertIsNone(verifications_db.verification_reset_state(
            row.id, 'success', 'error', 'stale view'))
        reset = verifications_db.verification_reset_state(
            row.id, 'verifying', 'error', 'state reset by admin')
        self.assertEqual(('error', 'state reset by admin', {'a': 'error'},
                          {'a': 'state reset by admin'}),
                         (reset.status, reset.status_reason,
                          reset.resources_status, reset.resources_reason))
        self.assertIsNotNone(reset.ended_at)
        log = operation_logs_db.operation_log_get(log.id)
        self.assertEqual(('error', 'state reset by admin'),
                         (log.status, log.error_info))
        # The flow's late end is refused.
        self.assertFalse(verifications_db.verification_end(
            row.id, 'success', log.id))
        self.assertEqual('error',
                         verifications_db.verification_get(row.id).status)

    def test_updated_at_moves_on_compare_and_set(self):
        row, _ = self.verification()
        self.assertIsNone(row.updated_at)
        verifications_db.verification_update(
            row.id, {'status': 'error'}, expected={'status': ['verifying']})
        self.assertIsNotNone(
            db_api.get_one(models.Verification, row.id,
                           exception.VerificationNotFound(
                               verification_id=row.id)).updated_at)


class StateChangeSQLiteTest(StateChangeTests, base.TestCase):
    pass


class DeadlockRetryMockedTest(base.TestCase):
    """A write transaction chosen as a deadlock's victim runs again (the
    deadlock is mocked: SQLite has none; MySQL/PostgreSQL report theirs
    as the DBDeadlock raised here)."""

    def checkpoint(self):
        return checkpoints_db.checkpoint_create({
            'project_id': 'p1', 'provider_id': 'prov',
            'status': 'available', 'protection_plan': {'id': 'plan'}}).id

    def start(self, checkpoint_id):
        return verifications_db.verification_create_for_checkpoint(
            {'project_id': 'p1', 'provider_id': 'prov',
             'checkpoint_id': checkpoint_id, 'status': 'verifying',
             'parameters': {}},
            {'project_id': 'p1', 'operation_type': 'verify',
             'checkpoint_id': checkpoint_id, 'status': 'verifying'})

    def test_victim_of_a_deadlock_is_run_again_once(self):
        checkpoint_id = self.checkpoint()
        real = db_api.lock_checkpoint
        calls = []

        def deadlock_first(session, cid):
            calls.append(cid)
            if len(calls) == 1:
                raise db_exc.DBDeadlock()
            return real(session, cid)

        with mock.patch.object(db_api, 'lock_checkpoint', deadlock_first):
            row, log = self.start(checkpoint_id)
        self.assertEqual(2, len(calls))
        rows = verifications_db.verification_get_all(
            filters={'checkpoint_id': checkpoint_id})
        self.assertEqual([row.id], [r.id for r in rows])
        self.assertEqual(row.id, operation_logs_db.operation_log_get(
            log.id).verification_id)

    @staticmethod
    def always_deadlocked(calls):
        """A lock_checkpoint that records its call and is always the
        deadlock's victim."""
        def always(session, cid):
            calls.append(cid)
            raise db_exc.DBDeadlock()
        return always

    def test_gives_up_after_a_few_deadlocks(self):
        checkpoint_id = self.checkpoint()
        calls = []
        with mock.patch.object(db_api, 'lock_checkpoint',
                               self.always_deadlocked(calls)):
            self.assertRaises(db_exc.DBDeadlock, self.start, checkpoint_id)
        self.assertEqual(6, len(calls))
        self.assertEqual([], verifications_db.verification_get_all(
            filters={'checkpoint_id': checkpoint_id}))

    def test_not_retried_inside_an_outer_transaction(self):
        """The outer transaction was rolled back too: it is the one to
        run again, not the inner call within it."""
        checkpoint_id = self.checkpoint()
        calls = []
        with mock.patch.object(db_api, 'lock_checkpoint',
                               self.always_deadlocked(calls)):
            def outer():
                with db_api.writer():
                    self.start(checkpoint_id)
            self.assertRaises(db_exc.DBDeadlock, outer)
        self.assertEqual(1, len(calls))
