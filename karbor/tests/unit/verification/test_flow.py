"""The protection service's side: the flow (InitiateVerificationTask, a
verdict per resource, CompleteVerificationTask), the manager and the
operation log that follows a verification from start to end."""

import json
import os

import fixtures
from oslo_utils import uuidutils

from karbor.common import context as karbor_context
from karbor.db import checkpoints as checkpoints_db
from karbor.db import operation_logs as operation_logs_db
from karbor.db import verifications as verifications_db
from karbor.services.protection.flows import verify as verify_flow
from karbor.services.protection import rpcapi
from karbor.services.protection.tasks import verification_tasks
from karbor.services.protection import verification
from karbor.tests.unit.verification import base


class FlowTest(base.VerificationTestCase):

    def setUp(self):
        super().setUp()
        self.checkpoint = self.available_checkpoint(
            dirs=('alpha', 'beta', 'gamma'))
        self.keys = [self.resource_key(d)
                     for d in ('alpha', 'beta', 'gamma')]

    def assertLog(self, verification, status, error=None):
        log = self.log_of(verification['id'])
        self.assertEqual(
            ('verify', status, self.checkpoint['id'],
             self.checkpoint['protection_plan']['id'],
             base.LOCAL_PROVIDER_ID, 'p1'),
            (log.operation_type, log.status, log.checkpoint_id,
             log.plan_id, log.provider_id, log.project_id))
        self.assertIsNotNone(log.started_at)
        self.assertIsNotNone(log.ended_at)
        self.assertIsNone(log.host)
        if error is None:
            self.assertIsNone(log.error_info)
        else:
            self.assertIn(error, log.error_info)
        # The same log through the API.
        [listed] = self.get('operation_logs' + self.query(
            verification_id=verification['id'])).json['operation_logs']
        self.assertEqual((log.id, status), (listed['id'], listed['status']))
        return log

    def assertEnded(self, verification, status):
        row = verifications_db.verification_get(verification['id'])
        self.assertEqual(status, row.status)
        self.assertIsNone(row.host)
        self.assertIsNotNone(row.ended_at)
        self.assertNotIn('verifying', (row.resources_status or {}).values())
        return row

    def bank_totals(self):
        """Objects and bytes the checkpoint's manifests record."""
        objects = size = 0
        for rel in ('alpha', 'beta', 'gamma'):
            path = self.bank_file(self.object_key(self.checkpoint['id'], rel,
                                                  'manifest.json'))
            with open(path) as f:
                manifest = json.load(f)
            objects += len(manifest['objects'])
            size += sum(o['size'] for o in manifest['objects'])
            self.assertEqual(manifest['total_bytes'],
                             sum(o['size'] for o in manifest['objects']))
        return objects, size

    # The whole flow

    def test_success_and_progress(self):
        objects, size = self.bank_totals()
        self.assertEqual(3, objects)
        for level in ('quick', 'deep'):
            shown = self.verified(self.checkpoint['id'],
                                  {base.DIRECTORY: {'level': level}},
                                  status='success')
            self.assertEqual(dict.fromkeys(self.keys, 'success'),
                             shown['resource_status'])
            self.assertEqual({'resources_total': 3, 'resources_checked': 3,
                              'objects_total': objects,
                              'objects_checked': objects,
                              'bytes_total': size, 'bytes_checked': size},
                             shown['progress'])
            self.assertIsNone(shown['status_reason'])
            self.assertLessEqual(shown['created_at'], shown['started_at'])
            self.assertLessEqual(shown['started_at'], shown['ended_at'])
            self.assertEnded(shown, 'success')
            self.assertLog(shown, 'success')

    def test_one_failing_resource_does_not_stop_the_others(self):
        os.unlink(self.bank_file(self.object_key(
            self.checkpoint['id'], 'beta', 'data/00000000')))
        shown = self.verified(self.checkpoint['id'], status='error')
        alpha, beta, gamma = self.keys
        self.assertEqual({alpha: 'success', beta: 'error',
                          gamma: 'success'}, shown['resource_status'])
        self.assertEqual('', shown['resource_reason'][alpha])
        self.assertEqual('', shown['resource_reason'][gamma])
        self.assertIn('data/00000000', shown['resource_reason'][beta])
        self.assertEqual('1 of 3 resource(s) failed verification: %s' % beta,
                         shown['status_reason'])
        self.assertEqual(3, shown['progress']['resources_checked'])
        self.assertEnded(shown, 'error')
        self.assertLog(shown, 'error', beta)

    def test_every_resource_failing(self):
        for rel in ('alpha', 'beta', 'gamma'):
            os.unlink(self.bank_file(self.object_key(
                self.checkpoint['id'], rel, 'metadata')))
        shown = self.verified(self.checkpoint['id'], status='error')
        self.assertEqual(dict.fromkeys(self.keys, 'error'),
                         shown['resource_status'])
        self.assertIn('3 of 3', shown['status_reason'])
        for key in self.keys:
            self.assertIn(key, shown['status_reason'])
            self.assertIn('metadata is missing', shown['resource_reason'][key])
        self.assertLog(shown, 'error', '3 of 3')

    # InitiateVerificationTask and its revert

    def test_index_missing(self):
        index = self.index_key(self.checkpoint['id'])
        os.unlink(self.settled_index_file(self.checkpoint['id']))
        shown = self.verified(self.checkpoint['id'], status='error')
        self.assertIn(index, shown['status_reason'])
        self.assertIn('missing', shown['status_reason'])
        self.assertNotIn('Traceback', shown['status_reason'])
        # Nothing was checked, so no resource is left 'verifying'.
        self.assertNotIn('verifying', shown['resource_status'].values())
        self.assertEnded(shown, 'error')
        self.assertLog(shown, 'error', index)

    def test_index_not_json(self):
        index = self.index_key(self.checkpoint['id'])
        with open(self.settled_index_file(self.checkpoint['id']),
                  'wb') as f:
            f.write(b'not json{')
        shown = self.verified(self.checkpoint['id'], status='error')
        self.assertIn(index, shown['status_reason'])
        self.assertLog(shown, 'error', index)

    def test_revert_marks_both_error(self):
        """Calls the revert of InitiateVerificationTask directly, as the
        engine would after a failure."""
        from taskflow.types import failure
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'host': 'test-host',
            'status': 'verifying', 'parameters': {}})
        log = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'verify',
            'status': 'verifying', 'verification_id': row.id,
            'host': 'test-host'})
        try:
            raise ValueError('the bank is on fire')
        except ValueError:
            failed = failure.Failure()
        task = verification_tasks.InitiateVerificationTask([], None)
        task.revert(verification_id=row.id, operation_log_id=log.id,
                    flow_failures={'x': failed})
        row = verifications_db.verification_get(row.id)
        log = operation_logs_db.operation_log_get(log.id)
        self.assertEqual(('error', 'the bank is on fire', None),
                         (row.status, row.status_reason, row.host))
        self.assertEqual(('error', 'the bank is on fire', None),
                         (log.status, log.error_info, log.host))
        self.assertIsNotNone(row.ended_at)
        self.assertIsNotNone(log.ended_at)

    # A verify hook that returns a future is awaited

    def hook_returns_futures(self):
        """The local directory plugin's VerifyOperation.on_main is patched
        to return a real ``concurrent.futures.Future`` per resource, as a
        plugin that hands its backend check to the waiter does; the test
        resolves them. {directory name: future}, and an event set when
        all hooks ran."""
        from concurrent import futures
        import threading
        from karbor.services.protection.protection_plugins import \
            local_directory
        made = {}
        all_called = threading.Event()
        lock = threading.Lock()

        def on_main(operation, checkpoint, resource, *args, **kwargs):
            future = futures.Future()
            future.set_running_or_notify_cancel()
            with lock:
                made[resource.name.rstrip('/').split('/')[-1]] = future
                if len(made) == len(self.keys):
                    all_called.set()
            return future
        self.useFixture(fixtures.MockPatchObject(
            local_directory.VerifyOperation, 'on_main', on_main))
        return made, all_called

    def test_hook_future_failed_is_that_resources_error(self):
        """With real concurrent.futures Futures from a patched plugin
        hook: the verification waits for them (it stays verifying while
        one is unresolved), a failed one is its resource's error with its
        reason, a resolved one is success."""
        made, all_called = self.hook_returns_futures()
        created = self.verify(self.checkpoint['id']).json['verification']
        self.assertTrue(all_called.wait(base.SETTLE_TIMEOUT))
        alpha, beta, gamma = self.keys
        made['alpha'].set_result(None)
        made['gamma'].set_result({'ignored': True})
        # The hooks returned long ago; their work has not ended.
        import time
        time.sleep(0.5)
        shown = self.show(created['id'])
        self.assertEqual('verifying', shown['status'])
        self.assertEqual('verifying', shown['resource_status'][beta])
        made['beta'].set_exception(RuntimeError(
            'backup 5e1f of volume v1 is gone from Cinder'))
        shown = self.wait_verification(created['id'], 'error')
        self.assertEqual({alpha: 'success', beta: 'error',
                          gamma: 'success'}, shown['resource_status'])
        self.assertIn('backup 5e1f of volume v1 is gone from Cinder',
                      shown['resource_reason'][beta])
        self.assertEqual('1 of 3 resource(s) failed verification: %s' % beta,
                         shown['status_reason'])
        self.assertEqual(3, shown['progress']['resources_checked'])
        self.assertLog(shown, 'error', beta)

    def test_hook_futures_all_resolved_is_success(self):
        """Real concurrent.futures Futures from a patched plugin hook,
        all resolved with a result: success, after the last one."""
        made, all_called = self.hook_returns_futures()
        created = self.verify(self.checkpoint['id']).json['verification']
        self.assertTrue(all_called.wait(base.SETTLE_TIMEOUT))
        for future in made.values():
            future.set_result(None)
        shown = self.wait_verification(created['id'], 'success')
        self.assertEqual(dict.fromkeys(self.keys, 'success'),
                         shown['resource_status'])

    def test_pending_verdicts_wait_for_the_callbacks(self):
        """PendingVerdicts.wait returns only once the verdict of every
        resource is recorded, not merely once its futures resolved (real
        concurrent.futures Futures; the Progress records in memory)."""
        from concurrent import futures
        recorded = {}
        progress = verification.Progress(
            lambda values: None,
            record=lambda verdicts, values: recorded.update(verdicts),
            interval=0)
        pending = verification_tasks.PendingVerdicts(progress)
        first, second = futures.Future(), futures.Future()
        pending.add('T#1', [first, second], verification.Problems())
        cancelled = futures.Future()
        pending.add('T#2', [cancelled], verification.Problems())
        first.set_result(1)
        second.set_exception(ValueError('digest mismatch'))
        self.assertTrue(cancelled.cancel())
        pending.wait()
        self.assertEqual({'T#1': ('error', 'digest mismatch'),
                          'T#2': ('error', 'the check was cancelled')},
                         {k: (s, r) for k, (s, r) in recorded.items()})

    # No resurrection: an ended verification stays ended

    def _ended_verification(self):
        """A verification and its log that a recovery ended while their
        flow had not started yet."""
        from karbor.services.protection import recovery
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'host': 'dead-host',
            'status': 'verifying', 'parameters': {}})
        log = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'verify',
            'status': 'verifying', 'verification_id': row.id,
            'host': 'dead-host'})
        self.assertEqual({row.id}, set(recovery.fail_interrupted(
            'dead-host')))
        return (verifications_db.verification_get(row.id),
                operation_logs_db.operation_log_get(log.id))

    def assertUnchanged(self, before, log_before):
        after = verifications_db.verification_get(before.id)
        log_after = operation_logs_db.operation_log_get(log_before.id)
        fields = ('status', 'status_reason', 'resources_status',
                  'started_at', 'ended_at', 'host', 'progress')
        self.assertEqual([getattr(before, f) for f in fields],
                         [getattr(after, f) for f in fields])
        self.assertEqual(
            ('error', log_before.error_info, log_before.ended_at),
            (log_after.status, log_after.error_info, log_after.ended_at))

    def test_late_initiate_does_not_resurrect(self):
        """The issue's case: InitiateVerificationTask runs after the
        verification ended; it stays ended, with its reason."""
        row, log = self._ended_verification()
        self.assertEqual('error', row.status)
        resources = [self.directory(d) for d in ('alpha', 'beta')]
        from karbor.services.protection import graph
        task = verification_tasks.InitiateVerificationTask(
            [graph.make_resource(base.DIRECTORY, r['id'], r['name'])
             for r in resources],
            verification.Progress(lambda values: None,
                                  record=lambda v, values: None))
        error = self.assertRaises(
            verification_tasks.exception.OperationEnded, task.execute,
            row.id, base.LOCAL_PROVIDER_ID, self.checkpoint['id'])
        self.assertIn('had already ended error', str(error))
        self.assertUnchanged(row, log)
        # Its revert, as the engine runs it next, changes nothing either.
        from taskflow.types import failure
        try:
            raise error
        except Exception:
            failed = failure.Failure()
        task.revert(verification_id=row.id, operation_log_id=log.id,
                    flow_failures={'x': failed})
        self.assertUnchanged(row, log)

    def test_late_flow_does_not_resurrect(self):
        """The whole verification flow, run by a real taskflow engine on a
        verification that ended before it started: every step is refused
        and nothing of the verification or its log changes."""
        from taskflow import engines
        from karbor.services.protection import graph
        from karbor.services.protection import provider as provider_module
        row, log = self._ended_verification()
        checkpoint_row = checkpoints_db.checkpoint_get(self.checkpoint['id'])
        flow = verify_flow.get_flow(
            provider_module.get_registry().get(base.LOCAL_PROVIDER_ID),
            row.id, graph.deserialize(checkpoint_row.resource_graph), 2)
        ctx = karbor_context.RequestContext(project_id='p1', user_id='u')
        self.assertRaises(
            verification_tasks.exception.OperationEnded, engines.run, flow,
            store={'context': ctx.to_dict(), 'verification_id': row.id,
                   'provider_id': base.LOCAL_PROVIDER_ID,
                   'checkpoint_id': self.checkpoint['id'],
                   'operation_log_id': log.id, 'parameters': {}})
        self.assertUnchanged(row, log)

    def test_late_verdicts_and_end_are_refused(self):
        """Verdicts and the end that arrive after a reset are refused and
        say so (False); the reset's end stays."""
        row, log = self._ended_verification()
        self.assertFalse(verifications_db.verification_set_resource_statuses(
            row.id, {self.keys[0]: ('success', '')}, progress={'x': 1}))
        self.assertFalse(verifications_db.verification_set_progress(
            row.id, {'x': 2}))
        self.assertFalse(verifications_db.verification_end(
            row.id, 'success', log.id))
        self.assertUnchanged(row, log)

    # CompleteVerificationTask

    def test_complete_when_the_checkpoint_changed(self):
        """Runs CompleteVerificationTask directly: the checkpoint went to
        error while it was being verified; the verification cannot be a
        success."""
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'status': 'verifying',
            'parameters': {},
            'resources_status': dict.fromkeys(self.keys, 'success')})
        log = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'verify',
            'status': 'verifying', 'verification_id': row.id})
        task = verification_tasks.CompleteVerificationTask(
            verification.Progress(lambda values: None))
        task.execute(row.id, self.checkpoint['id'], log.id)
        self.assertEqual('success', verifications_db.verification_get(
            row.id).status)
        self.assertEqual('success',
                         operation_logs_db.operation_log_get(log.id).status)

        checkpoints_db.checkpoint_update(self.checkpoint['id'],
                                         {'status': 'error'})
        verifications_db.verification_update(row.id,
                                             {'status': 'verifying'})
        operation_logs_db.operation_log_update(log.id,
                                               {'status': 'verifying'})
        task.execute(row.id, self.checkpoint['id'], log.id)
        row = verifications_db.verification_get(row.id)
        self.assertEqual('error', row.status)
        self.assertIn('became error', row.status_reason)
        log = operation_logs_db.operation_log_get(log.id)
        self.assertEqual('error', log.status)
        self.assertIn('became error', log.error_info)

    def test_complete_with_a_resource_without_verdict(self):
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'status': 'verifying',
            'parameters': {},
            'resources_status': {self.keys[0]: 'success',
                                 self.keys[1]: 'verifying'}})
        log = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'verify',
            'status': 'verifying', 'verification_id': row.id})
        verification_tasks.CompleteVerificationTask(
            verification.Progress(lambda values: None)).execute(
            row.id, self.checkpoint['id'], log.id)
        row = verifications_db.verification_get(row.id)
        self.assertEqual('error', row.status)
        self.assertIn(self.keys[1], row.status_reason)
        self.assertNotIn(self.keys[0], row.status_reason)

    def test_complete_after_recovery_changes_nothing(self):
        """Runs CompleteVerificationTask directly on a verification that
        the recovery already ended: the verdict stays."""
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id'], 'status': 'error',
            'status_reason': 'interrupted', 'parameters': {},
            'resources_status': dict.fromkeys(self.keys, 'error')})
        log = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'verify',
            'status': 'error', 'error_info': 'interrupted',
            'verification_id': row.id})
        for key in self.keys:
            verifications_db.verification_set_resource_status(
                row.id, key, 'success')
        verification_tasks.CompleteVerificationTask(
            verification.Progress(lambda values: None)).execute(
            row.id, self.checkpoint['id'], log.id)
        row = verifications_db.verification_get(row.id)
        self.assertEqual(('error', 'interrupted'),
                         (row.status, row.status_reason))
        self.assertEqual(dict.fromkeys(self.keys, 'error'),
                         row.resources_status)
        log = operation_logs_db.operation_log_get(log.id)
        self.assertEqual(('error', 'interrupted'),
                         (log.status, log.error_info))

    # No operation log is left 'verifying' when no flow could be built

    def assertFailedBeforeFlow(self, verification_id, *words):
        shown = self.wait_verification(verification_id, 'error')
        self.assertTrue(shown['status_reason'].strip())
        for word in words:
            self.assertIn(word, shown['status_reason'])
        self.assertNotIn('Traceback', shown['status_reason'])
        row = self.assertEnded(shown, 'error')
        log = self.log_of(verification_id)
        self.assertEqual('error', log.status)
        self.assertEqual(row.status_reason, log.error_info)
        self.assertIsNotNone(log.ended_at)
        self.assertIsNone(log.host)
        return shown

    def test_resource_graph_corrupt(self):
        # The plugin lookup needs the graph; make it unreadable.
        checkpoints_db.checkpoint_update(self.checkpoint['id'],
                                         {'resource_graph': '[{"0x0": '})
        created = self.verify(self.checkpoint['id']).json['verification']
        self.assertFailedBeforeFlow(created['id'])

    def test_flow_factory_fails(self):
        """Patches flows.verify.get_flow to raise."""
        self.useFixture(fixtures.MockPatchObject(
            verify_flow, 'get_flow',
            side_effect=RuntimeError('no flow for you')))
        created = self.verify(self.checkpoint['id']).json['verification']
        self.assertFailedBeforeFlow(created['id'], 'no flow for you')

    def test_provider_gone(self):
        # A row the API would not have written: its provider is unknown to
        # the protection service.
        unknown = uuidutils.generate_uuid()
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': unknown,
            'checkpoint_id': self.checkpoint['id'], 'status': 'verifying',
            'parameters': {}})
        log = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'verify',
            'status': 'verifying', 'verification_id': row.id})
        ctx = karbor_context.RequestContext(project_id='p1', user_id='u')
        rpcapi.ProtectionAPI().verify(ctx, row.id, log.id)
        self.assertFailedBeforeFlow(row.id, unknown)

    def test_checkpoint_row_gone(self):
        unknown = uuidutils.generate_uuid()
        row = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': unknown, 'status': 'verifying',
            'parameters': {}})
        log = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'verify',
            'status': 'verifying', 'verification_id': row.id})
        ctx = karbor_context.RequestContext(project_id='p1', user_id='u')
        rpcapi.ProtectionAPI().verify(ctx, row.id, log.id)
        self.assertFailedBeforeFlow(row.id, unknown)

    def test_cast_of_an_ended_verification_is_ignored(self):
        shown = self.verified(self.checkpoint['id'], status='success')
        log = self.log_of(shown['id'])
        ctx = karbor_context.RequestContext(project_id='p1', user_id='u')
        # As if the cast were delivered twice.
        self.service.manager.verify(ctx, shown['id'], log.id)
        row = verifications_db.verification_get(shown['id'])
        self.assertEqual(('success', None), (row.status, row.host))
        self.assertEqual(shown['ended_at'], row.ended_at.isoformat())
        self.assertEqual('success', self.log_of(shown['id']).status)

    # Progress is visible while it runs

    def test_visible_while_running(self):
        gate = self.useFixture(base.Gate(self))
        created = self.verify(self.checkpoint['id']).json['verification']
        gate.wait_arrived(3)
        shown = self.show(created['id'])
        self.assertEqual('verifying', shown['status'])
        self.assertEqual(dict.fromkeys(self.keys, 'verifying'),
                         shown['resource_status'])
        self.assertEqual(3, shown['progress']['resources_total'])
        self.assertEqual(0, shown['progress']['resources_checked'])
        self.assertIsNotNone(shown['started_at'])
        self.assertIsNone(shown['ended_at'])
        log = self.log_of(created['id'])
        self.assertEqual(('verifying', 'test-host'), (log.status, log.host))
        row = verifications_db.verification_get(created['id'])
        self.assertEqual('test-host', row.host)
        gate.open()
        self.wait_verification(created['id'], 'success')
