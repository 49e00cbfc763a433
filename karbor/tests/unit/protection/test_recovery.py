"""karbor.services.protection.recovery: nothing stays in a transient state
after a crash. The clock is karbor.tests.unit.helpers.FrozenTime (a mocked
timeutils.utcnow), so that rows and heartbeats can be made old."""

from karbor.common import constants
from karbor.db import checkpoints as checkpoints_db
from karbor.db import operation_logs as operation_logs_db
from karbor.db import restores as restores_db
from karbor.db import services as services_db
from karbor.services.protection import manager as manager_module
from karbor.services.protection import recovery
from karbor.tests.unit import helpers
from karbor.tests.unit.protection import base

PROTECTING = constants.CHECKPOINT_STATUS_PROTECTING
DELETING = constants.CHECKPOINT_STATUS_DELETING
IN_PROGRESS = constants.RESTORE_STATUS_IN_PROGRESS


class RecoveryTest(base.ProtectionTestCase):

    def setUp(self):
        super().setUp()
        self.clock = self.useFixture(helpers.FrozenTime())

    def checkpoint(self, status, host):
        return checkpoints_db.checkpoint_create({
            'project_id': 'p1', 'provider_id': 'prov', 'status': status,
            'protection_plan': {}, 'host': host}).id

    def restore(self, status, host):
        return restores_db.restore_create({
            'project_id': 'p1', 'provider_id': 'prov',
            'checkpoint_id': 'cp', 'parameters': {}, 'status': status,
            'host': host}).id

    def log(self, operation, host, status=None):
        return operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': operation, 'host': host,
            'status': status or
            constants.OPERATION_LOG_STATUS_RUNNING[operation]}).id

    def rows_of(self, host):
        """One of each transient row, run by ``host``."""
        return {
            'protecting': self.checkpoint(PROTECTING, host),
            'deleting': self.checkpoint(DELETING, host),
            'restore': self.restore(IN_PROGRESS, host),
            'protect-log': self.log(constants.OPERATION_PROTECT, host),
            'delete-log': self.log(constants.OPERATION_DELETE, host),
            'restore-log': self.log(constants.OPERATION_RESTORE, host),
        }

    def states(self, rows):
        c = checkpoints_db.checkpoint_get
        r = restores_db.restore_get
        o = operation_logs_db.operation_log_get
        got = {}
        for name, row_id in rows.items():
            row = (c if name in ('protecting', 'deleting') else
                   r if name == 'restore' else o)(row_id)
            got[name] = row
        return got

    def assertFailed(self, rows, *reason_parts):
        got = self.states(rows)
        self.assertEqual(
            {'protecting': constants.CHECKPOINT_STATUS_ERROR,
             'deleting': constants.CHECKPOINT_STATUS_ERROR_DELETING,
             'restore': constants.RESTORE_STATUS_FAILURE,
             'protect-log': constants.OPERATION_LOG_STATUS_ERROR,
             'delete-log': constants.OPERATION_LOG_STATUS_ERROR,
             'restore-log': constants.OPERATION_LOG_STATUS_ERROR},
            {name: row.status for name, row in got.items()})
        for name, row in got.items():
            self.assertIsNone(row.host, name)
            reason = (row.error_info if name.endswith('-log')
                      else row.status_reason)
            for part in reason_parts:
                self.assertIn(part, reason, name)
            if name.endswith('-log'):
                self.assertEqual(self.clock.now, row.ended_at)

    def assertUntouched(self, rows, host):
        got = self.states(rows)
        self.assertEqual(
            {'protecting': PROTECTING, 'deleting': DELETING,
             'restore': IN_PROGRESS, 'protect-log': 'protecting',
             'delete-log': 'deleting', 'restore-log': 'in_progress'},
            {name: row.status for name, row in got.items()})
        for name, row in got.items():
            self.assertEqual(host, row.host, name)
            if name.endswith('-log'):
                self.assertIsNone(row.error_info)
                self.assertIsNone(row.ended_at)
            else:
                self.assertIsNone(row.status_reason)

    def test_fail_interrupted(self):
        mine = self.rows_of('H')
        theirs = self.rows_of('other')
        done_log = self.log(constants.OPERATION_PROTECT, 'H',
                            status=constants.OPERATION_LOG_STATUS_SUCCESS)
        available = self.checkpoint(constants.CHECKPOINT_STATUS_AVAILABLE,
                                    'H')
        failed = recovery.fail_interrupted('H')
        self.assertEqual(sorted([mine['protecting'], mine['deleting'],
                                 mine['restore']]), sorted(failed))
        self.assertFailed(mine, 'interrupted', 'host H')
        self.assertUntouched(theirs, 'other')
        self.assertEqual(constants.OPERATION_LOG_STATUS_SUCCESS,
                         operation_logs_db.operation_log_get(done_log).status)
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE,
                         checkpoints_db.checkpoint_get(available).status)
        # Nothing left to do the second time.
        self.assertEqual([], recovery.fail_interrupted('H'))

    def test_fail_orphans_of_a_dead_service(self):
        services_db.service_report('dead', constants.SERVICE_BINARY_PROTECTION)
        dead = self.rows_of('dead')
        self.clock.advance(self.conf.conf.service_down_time + 1)
        services_db.service_report('alive',
                                   constants.SERVICE_BINARY_PROTECTION)
        alive = self.rows_of('alive')
        # An API process of a host says nothing about its protection work.
        services_db.service_report('api-only', constants.SERVICE_BINARY_API)
        api_only = self.rows_of('api-only')
        self.clock.advance(self.conf.conf.service_down_time + 1)
        services_db.service_report('alive',
                                   constants.SERVICE_BINARY_PROTECTION)
        failed = recovery.fail_orphans()
        self.assertEqual(sorted([dead['protecting'], dead['deleting'],
                                 dead['restore']]), sorted(failed))
        self.assertFailed(dead, 'interrupted', 'host dead',
                          'stopped reporting')
        self.assertUntouched(alive, 'alive')
        self.assertUntouched(api_only, 'api-only')

    def test_fail_orphans_of_a_service_that_never_reported(self):
        service = services_db.service_report(
            'silent', constants.SERVICE_BINARY_PROTECTION)
        services_db.service_update(service.id, {'last_heartbeat': None})
        rows = self.rows_of('silent')
        recovery.fail_orphans()
        self.assertFailed(rows, 'host silent')

    def test_unclaimed_rows_are_not_failed_for_waiting(self):
        timeout = self.conf.conf.protection.claim_timeout
        old = self.rows_of(None)
        self.clock.advance(timeout - 5)
        fresh = self.rows_of(None)
        self.clock.advance(10 * timeout)
        self.assertEqual([], recovery.fail_orphans())
        self.assertUntouched(old, None)
        self.assertUntouched(fresh, None)

    def test_waiting_lists_what_waited_longer_than_given(self):
        timeout = self.conf.conf.protection.claim_timeout
        old = self.rows_of(None)
        self.clock.advance(timeout - 5)
        fresh = self.rows_of(None)
        claimed = self.rows_of('H')
        self.assertEqual([], recovery.waiting(timeout))
        self.clock.advance(10)
        # Only the rows without a host that waited longer (their logs are
        # not linked to them here: no object id in the log rows).
        self.assertEqual(
            sorted([old['protecting'], old['deleting'], old['restore']]),
            sorted(object_id for _kind, object_id, _log in
                   recovery.waiting(timeout)))
        # Oldest first; a row with a host is never waiting.
        both = [object_id for _k, object_id, _l in recovery.waiting(1)]
        self.assertEqual(6, len(both))
        self.assertEqual(
            sorted([old['protecting'], old['deleting'], old['restore']]),
            sorted(both[:3]))
        self.assertEqual(
            sorted([fresh['protecting'], fresh['deleting'],
                    fresh['restore']]), sorted(both[3:]))
        self.assertNotIn(claimed['protecting'], both)

    def test_delete_of_an_old_checkpoint_waits_from_its_delete(self):
        # A checkpoint made long ago and deleted now waits for a service
        # from now on, not from when it was made.
        checkpoint_id = self.checkpoint(constants.CHECKPOINT_STATUS_AVAILABLE,
                                        None)
        self.clock.advance(10 * self.conf.conf.protection.claim_timeout)
        checkpoints_db.checkpoint_update(checkpoint_id, {'status': DELETING})
        timeout = self.conf.conf.protection.claim_timeout
        self.assertEqual([], recovery.waiting(timeout))
        self.clock.advance(timeout + 1)
        self.assertEqual([(constants.OPERATION_DELETE, checkpoint_id, None)],
                         recovery.waiting(timeout))
        self.assertEqual([], recovery.fail_orphans())
        self.assertEqual(DELETING,
                         checkpoints_db.checkpoint_get(checkpoint_id).status)


class ManagerStartTest(base.ProtectionTestCase):
    """A protection service that starts fails what its host was running."""

    def test_init_host_fails_interrupted_work_of_its_host(self):
        cp = checkpoints_db.checkpoint_create({
            'project_id': 'p1', 'provider_id': 'prov', 'status': PROTECTING,
            'protection_plan': {}, 'host': 'test-host'}).id
        other = checkpoints_db.checkpoint_create({
            'project_id': 'p1', 'provider_id': 'prov', 'status': PROTECTING,
            'protection_plan': {}, 'host': 'another-host'}).id
        self.enable_local_provider(self.tmp + '/root')
        manager = manager_module.ProtectionManager()
        manager.init_host()
        self.addCleanup(manager.cleanup_host)
        row = checkpoints_db.checkpoint_get(cp)
        self.assertEqual(constants.CHECKPOINT_STATUS_ERROR, row.status)
        self.assertIn('interrupted', row.status_reason)
        self.assertEqual(PROTECTING,
                         checkpoints_db.checkpoint_get(other).status)
