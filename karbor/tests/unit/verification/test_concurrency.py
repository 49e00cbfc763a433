"""Several verifications at once, a checkpoint deleted while it is being
verified, and a protection service that stops in the middle."""

import datetime
import threading

import fixtures
from oslo_utils import timeutils
from oslo_utils import uuidutils

from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.db import api as db_api
from karbor.db import checkpoints as checkpoints_db
from karbor.db import models
from karbor.db import operation_logs as operation_logs_db
from karbor.db import verifications as verifications_db
from karbor.services.protection import recovery
from karbor.services.protection.tasks import verification_tasks
from karbor.tests.unit.verification import base


class ConcurrencyTest(base.VerificationTestCase):

    def setUp(self):
        super().setUp()
        self.checkpoint = self.available_checkpoint(dirs=('alpha', 'beta'))
        self.keys = [self.resource_key('alpha'), self.resource_key('beta')]
        self.item = self.checkpoints_path(rest='/' + self.checkpoint['id'])

    def test_two_at_once(self):
        gate = self.useFixture(base.Gate(self))
        first = self.verify(self.checkpoint['id']).json['verification']
        second = self.verify(self.checkpoint['id'], {
            base.DIRECTORY: {'level': 'deep'}}).json['verification']
        # Both are running: four resource checks held at the same time.
        gate.wait_arrived(4)
        self.assertEqual(['verifying', 'verifying'],
                         [self.show(v['id'])['status']
                          for v in (first, second)])
        gate.open()
        for created in (first, second):
            shown = self.wait_verification(created['id'], 'success')
            self.assertEqual(dict.fromkeys(self.keys, 'success'),
                             shown['resource_status'])
            self.assertEqual(2, shown['progress']['resources_checked'])
            self.assertEqual('success', self.log_of(created['id']).status)
        self.assertEqual(2, len(self.verify_logs()))

    def test_two_at_once_each_its_own_verdict(self):
        # A flipped byte: the quick one cannot see it, the deep one does.
        path = self.bank_file(self.object_key(self.checkpoint['id'], 'beta',
                                              'data/00000000'))
        with open(path, 'r+b') as f:
            f.seek(100)
            byte = f.read(1)
            f.seek(100)
            f.write(bytes([byte[0] ^ 0x20]))
        gate = self.useFixture(base.Gate(self))
        quick = self.verify(self.checkpoint['id'], {
            base.DIRECTORY: {'level': 'quick'}}).json['verification']
        deep = self.verify(self.checkpoint['id'], {
            base.DIRECTORY: {'level': 'deep'}}).json['verification']
        gate.wait_arrived(4)
        gate.open()
        quick = self.wait_verification(quick['id'], 'success')
        deep = self.wait_verification(deep['id'], 'error')
        self.assertEqual({self.keys[0]: 'success', self.keys[1]: 'error'},
                         deep['resource_status'])
        self.assertIn('SHA-256 mismatch',
                      deep['resource_reason'][self.keys[1]])
        self.assertEqual(dict.fromkeys(self.keys, 'success'),
                         quick['resource_status'])
        self.assertEqual(('success', 'error'),
                         (self.log_of(quick['id']).status,
                          self.log_of(deep['id']).status))

    def test_many_at_once(self):
        created = [self.verify(self.checkpoint['id']).json['verification']
                   for _ in range(6)]
        for item in created:
            self.wait_verification(item['id'], 'success')
        self.assertEqual(6, len(self.verify_logs()))
        self.assertEqual(['success'] * 6,
                         [log.status for log in self.verify_logs()])

    # Deleting a checkpoint while it is being verified

    def assertDeleteRefused(self):
        message = self.assertFault(self.delete(self.item, status=409), 409,
                                   'conflictingRequest')
        self.assertIn(self.checkpoint['id'], message)
        self.assertIn('being verified', message)
        self.assertEqual('available',
                         self.show_checkpoint(self.checkpoint['id'])['status'])
        self.assertEqual([], operation_logs_db.operation_log_get_all(
            filters={'operation_type': constants.OPERATION_DELETE}))

    def test_delete_while_verifying_row(self):
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'status': 'verifying',
            'parameters': {}, 'host': 'elsewhere'})
        self.assertDeleteRefused()
        # A member of the project is refused the same way.
        self.assertFault(self.delete(self.item, token=base.MEMBER,
                                     status=409), 409, 'conflictingRequest')
        # Verifications that ended do not hold the checkpoint.
        verifications_db.verification_update(row.id, {'status': 'error'})
        verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'status': 'success',
            'parameters': {}})
        self.delete(self.item, status=202)
        self.wait_gone(lambda: self.get(self.item, status=None))

    def test_verifying_another_checkpoint_does_not_hold_this_one(self):
        verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': uuidutils.generate_uuid(),
            'status': 'verifying', 'parameters': {}})
        self.delete(self.item, status=202)
        self.wait_gone(lambda: self.get(self.item, status=None))

    def test_delete_while_verifying(self):
        gate = self.useFixture(base.Gate(self))
        created = self.verify(self.checkpoint['id']).json['verification']
        gate.wait_arrived(2)
        self.assertDeleteRefused()
        gate.open()
        self.wait_verification(created['id'], 'success')
        self.delete(self.item, status=202)
        self.wait_gone(lambda: self.get(self.item, status=None))
        # Once deleted, it can no longer be verified.
        self.assertFault(self.verify(self.checkpoint['id'], status=404),
                         404, 'itemNotFound')

    def test_checkpoint_deleting_when_verification_ends(self):
        # The API refuses the delete; should the checkpoint change state
        # anyway (another path), the verification cannot end 'success'.
        gate = self.useFixture(base.Gate(self))
        created = self.verify(self.checkpoint['id']).json['verification']
        gate.wait_arrived(2)
        checkpoints_db.checkpoint_update(self.checkpoint['id'],
                                         {'status': 'deleting'})
        gate.open()
        shown = self.wait_verification(created['id'], 'error')
        self.assertIn('became deleting', shown['status_reason'])
        self.assertIn('became deleting',
                      self.log_of(created['id']).error_info)


class RecoveryTest(base.VerificationTestCase):
    """A protection service that stopped leaves no verification
    'verifying': at its restart, what its host ran ends 'error' with a
    reason saying it was interrupted."""

    def setUp(self):
        super().setUp()
        self.checkpoint = self.available_checkpoint(dirs=('alpha', 'beta'))
        self.alpha = self.resource_key('alpha')
        self.beta = self.resource_key('beta')

    def running(self, host, statuses=None):
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'status': 'verifying',
            'parameters': {}, 'host': host,
            'resources_status': statuses or {},
            'resources_reason': {k: '' for k in statuses or {}}})
        log = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'verify', 'host': host,
            'status': 'verifying', 'verification_id': row.id,
            'checkpoint_id': self.checkpoint['id']})
        return row.id, log.id

    def test_fail_interrupted(self):
        mine, my_log = self.running('H', {self.alpha: 'success',
                                          self.beta: 'verifying'})
        theirs, their_log = self.running('other-host',
                                         {self.alpha: 'verifying'})
        failed = recovery.fail_interrupted('H')
        self.assertIn(mine, failed)
        self.assertNotIn(theirs, failed)

        shown = self.show(mine)
        self.assertEqual('error', shown['status'])
        self.assertIn('interrupted', shown['status_reason'])
        self.assertIn('H', shown['status_reason'])
        self.assertIsNotNone(shown['ended_at'])
        # The verdict given stays; the one never given is an error.
        self.assertEqual({self.alpha: 'success', self.beta: 'error'},
                         shown['resource_status'])
        self.assertEqual('', shown['resource_reason'][self.alpha])
        self.assertIn('interrupted', shown['resource_reason'][self.beta])
        self.assertIsNone(verifications_db.verification_get(mine).host)
        log = operation_logs_db.operation_log_get(my_log)
        self.assertEqual(('error', None), (log.status, log.host))
        self.assertIn('interrupted', log.error_info)
        self.assertIsNotNone(log.ended_at)

        # Another host's work is not touched.
        self.assertEqual('verifying', self.show(theirs)['status'])
        self.assertEqual({self.alpha: 'verifying'},
                         self.show(theirs)['resource_status'])
        self.assertEqual('verifying',
                         operation_logs_db.operation_log_get(
                             their_log).status)
        # Nor what already ended.
        self.assertEqual([], recovery.fail_interrupted('H'))

    def test_restart_of_the_host_runs_its_verification_again(self):
        # Without a jobboard a verification is never saved in taskflow's
        # tables: its host, started again, builds it again from its row
        # (as after kill -9) instead of failing it.
        row_id, log_id = self.running('H2', {self.alpha: 'verifying',
                                             self.beta: 'verifying'})
        # karbor-protection starts again on host H2.
        self.start_protection_service(host='H2')
        shown = self.wait_verification(row_id, 'success')
        self.assertEqual(dict.fromkeys((self.alpha, self.beta), 'success'),
                         shown['resource_status'])
        self.assertEqual(2, shown['progress']['resources_total'])
        self.assertEqual('success',
                         operation_logs_db.operation_log_get(log_id).status)

    def test_restart_of_the_host_fails_what_cannot_run_again(self):
        # A verification whose checkpoint has no resource graph to build
        # it from ends in error, with the reason, at its host's restart.
        row_id, log_id = self.running('H3', {self.alpha: 'verifying'})
        checkpoints_db.checkpoint_update(self.checkpoint['id'],
                                         {'resource_graph': 'not a graph'})
        self.start_protection_service(host='H3')
        shown = self.wait_verification(row_id, 'error')
        self.assertIn('could not start', shown['status_reason'])
        self.assertEqual('error',
                         operation_logs_db.operation_log_get(log_id).status)

    def test_interrupted_mid_run(self):
        """A real verification, held mid-run by the gate, is failed by the
        recovery of its own host (as at a restart after kill -9). Patches
        CompleteVerificationTask.execute to learn when the flow ends."""
        completed = threading.Event()
        real = verification_tasks.CompleteVerificationTask.execute

        def execute(task, verification_id, checkpoint_id, operation_log_id):
            try:
                return real(task, verification_id, checkpoint_id,
                            operation_log_id)
            finally:
                completed.set()

        self.useFixture(fixtures.MockPatchObject(
            verification_tasks.CompleteVerificationTask, 'execute',
            execute))
        gate = self.useFixture(base.Gate(self))
        created = self.verify(self.checkpoint['id']).json['verification']
        gate.wait_arrived(2)
        self.assertIn(created['id'], recovery.fail_interrupted('test-host'))
        shown = self.show(created['id'])
        self.assertEqual('error', shown['status'])
        self.assertEqual(dict.fromkeys((self.alpha, self.beta), 'error'),
                         shown['resource_status'])
        self.assertIn('interrupted', shown['status_reason'])
        self.assertEqual('error', self.log_of(created['id']).status)
        # Once failed, it no longer holds its checkpoint.
        self.assertEqual(0, verifications_db.verification_count_running(
            self.checkpoint['id']))
        # Should the flow still be alive after all (a service that only
        # stopped reporting), its end does not undo the verdict.
        gate.open()
        self.assertTrue(completed.wait(base.SETTLE_TIMEOUT))
        self.assertEqual(shown, self.show(created['id']))
        log = self.log_of(created['id'])
        self.assertEqual('error', log.status)
        self.assertIn('interrupted', log.error_info)

    def waited(self, row_id, seconds):
        """Make the verification's row look queued ``seconds`` ago."""
        old = timeutils.utcnow() - datetime.timedelta(seconds=seconds)
        with db_api.writer() as session:
            session.query(models.Verification).filter_by(id=row_id).update(
                {'created_at': old, 'updated_at': old})

    def test_never_claimed_is_not_failed_for_waiting(self):
        # Nobody took it (no host) for an hour, ten times the claim
        # timeout: it is queued, not failed.
        row_id, log_id = self.running(None)
        self.conf.config(claim_timeout=10, group='protection')
        self.waited(row_id, 3600)
        self.assertEqual([], recovery.fail_orphans())
        self.assertEqual('verifying', self.show(row_id)['status'])
        self.assertEqual('verifying',
                         operation_logs_db.operation_log_get(log_id).status)
        self.assertEqual([('verify', row_id, log_id)],
                         recovery.waiting(10))
        self.assertEqual([], recovery.waiting(7200))

    def test_never_claimed_is_taken_and_runs(self):
        # Its message lost (or queued behind others): after the claim
        # timeout a live protection service takes it and runs it.
        row_id, log_id = self.running(None)
        fresh_id, _fresh_log = self.running(None)
        self.conf.config(claim_timeout=10, group='protection')
        self.waited(row_id, 60)
        manager = self.service.manager
        self.assertEqual([row_id], manager.take_waiting())
        shown = self.wait_verification(row_id, 'success')
        self.assertEqual({self.alpha: 'success', self.beta: 'success'},
                         shown['resource_status'])
        self.assertIsNone(shown['status_reason'])
        self.assertEqual('success',
                         operation_logs_db.operation_log_get(log_id).status)
        # Queued for less than the claim timeout: left to its message.
        self.assertEqual([], manager.take_waiting())
        row = verifications_db.verification_get(fresh_id)
        self.assertEqual(('verifying', None), (row.status, row.host))
        # The message that comes at last finds it taken: ignored.
        manager.verify(karbor_context.RequestContext(
            project_id='p1', user_id='u'), row_id, log_id)
        self.assertEqual('success', self.show(row_id)['status'])

    def test_never_claimed_whose_provider_is_gone_ends_in_error(self):
        # What cannot run is still ended, with the reason.
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': uuidutils.generate_uuid(),
            'checkpoint_id': self.checkpoint['id'], 'status': 'verifying',
            'parameters': {}, 'host': None, 'resources_status': {},
            'resources_reason': {}})
        log = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'verify', 'host': None,
            'status': 'verifying', 'verification_id': row.id,
            'checkpoint_id': self.checkpoint['id']})
        self.conf.config(claim_timeout=10, group='protection')
        self.waited(row.id, 60)
        self.assertEqual([row.id], self.service.manager.take_waiting())
        shown = self.show(row.id)
        self.assertEqual('error', shown['status'])
        self.assertIn('could not start', shown['status_reason'])
        self.assertIn('provider', shown['status_reason'].lower())
        self.assertEqual('error',
                         operation_logs_db.operation_log_get(log.id).status)
