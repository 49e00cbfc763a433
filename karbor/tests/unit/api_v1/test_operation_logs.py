"""/v1/{project_id}/operation_logs: one row per protect, restore and
delete, written by the API and finished by the protection service."""

from oslo_utils import uuidutils

from karbor.tests.unit.api_v1 import base

LOG_KEYS = {'id', 'project_id', 'operation_type', 'checkpoint_id',
            'plan_id', 'provider_id', 'restore_id', 'verification_id',
            'scheduled_operation_id', 'status', 'error_info', 'extra_info',
            'started_at', 'ended_at', 'created_at'}


class OperationLogApiTest(base.ProtectionApiTestCase):

    start_service = True

    def setUp(self):
        super().setUp()
        self.plan = self.create_plan()
        self.checkpoint = self.create_checkpoint(self.plan['id'])
        restore = self.post('restores', {'restore': {
            'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': self.checkpoint['id']}},
            status=202).json['restore']
        self.restore = self.wait_for(
            lambda: self.get('restores/%s' % restore['id']).json['restore'],
            lambda r: r['status'] != 'in_progress', 'success')
        path = self.checkpoints_path(rest='/' + self.checkpoint['id'])
        self.delete(path, status=202)
        self.wait_gone(lambda: self.get(path, status=None))
        # The delete log ends right after the checkpoint disappears.
        self.logs = self.wait_for(
            self.all_logs,
            lambda logs: all(log['status'] in ('success', 'error')
                             for log in logs))

    def all_logs(self):
        return self.get('operation_logs').json['operation_logs']

    def by_type(self):
        return {log['operation_type']: log for log in self.logs}

    def test_one_row_per_operation(self):
        self.assertEqual(['delete', 'restore', 'protect'],
                         [log['operation_type'] for log in self.logs])
        for log in self.logs:
            self.assertEqual(LOG_KEYS, set(log))
            self.assertEqual('success', log['status'], log)
            self.assertIsNone(log['error_info'])
            self.assertTrue(uuidutils.is_uuid_like(log['id']))
            self.assertEqual('p1', log['project_id'])
            self.assertEqual(self.checkpoint['id'], log['checkpoint_id'])
            self.assertEqual(self.plan['id'], log['plan_id'])
            self.assertEqual(base.LOCAL_PROVIDER_ID, log['provider_id'])
            self.assertIsNotNone(log['started_at'])
            self.assertIsNotNone(log['ended_at'])
            self.assertLessEqual(log['started_at'], log['ended_at'])
        logs = self.by_type()
        self.assertEqual(self.restore['id'], logs['restore']['restore_id'])
        self.assertIsNone(logs['protect']['restore_id'])
        self.assertIsNone(logs['delete']['restore_id'])
        self.assertLessEqual(logs['protect']['ended_at'],
                             logs['restore']['started_at'])

    def test_filters(self):
        def types(**query):
            return [log['operation_type'] for log in self.get(
                'operation_logs' + self.query(**query)).json[
                    'operation_logs']]

        self.assertEqual(['delete', 'restore', 'protect'],
                         types(checkpoint_id=self.checkpoint['id']))
        self.assertEqual([], types(checkpoint_id=uuidutils.generate_uuid()))
        self.assertEqual(['restore'], types(operation_type='restore'))
        self.assertEqual(['protect'], types(
            operation_type='protect', checkpoint_id=self.checkpoint['id']))
        self.assertEqual(['restore'], types(restore_id=self.restore['id']))
        self.assertEqual(['delete', 'restore', 'protect'],
                         types(status='success'))
        self.assertEqual([], types(status='error'))
        self.assertEqual(['delete', 'protect', 'restore'],
                         types(sort='operation_type:asc'))
        self.assertEqual(['protect'], types(sort='created_at:asc', limit=1))
        message = self.assertFault(
            self.get('operation_logs' + self.query(colour='red'),
                     status=400), 400, 'badRequest')
        self.assertIn('colour', message)

    def test_paging(self):
        first = self.get('operation_logs' + self.query(limit=2)).json
        self.assertEqual([log['id'] for log in self.logs[:2]],
                         [log['id'] for log in first['operation_logs']])
        [link] = first['operation_logs_links']
        self.assertIn('marker=%s' % self.logs[1]['id'], link['href'])
        rest = self.get('operation_logs' + self.query(
            limit=2, marker=self.logs[1]['id'])).json
        self.assertEqual([self.logs[2]['id']],
                         [log['id'] for log in rest['operation_logs']])
        self.assertEqual([], rest['operation_logs_links'])

    def test_show(self):
        for log in self.logs:
            self.assertEqual({'operation_log': log}, self.get(
                'operation_logs/%s' % log['id'], token=base.MEMBER).json)
        for unknown in (uuidutils.generate_uuid(), 'nope'):
            message = self.assertFault(
                self.get('operation_logs/%s' % unknown, status=404), 404,
                'itemNotFound')
            self.assertIn(unknown, message)

    def test_other_project(self):
        other = {'token': base.OTHER, 'project': base.OTHER_PROJECT}
        for log in self.logs:
            message = self.assertFault(
                self.get('operation_logs/%s' % log['id'], status=404,
                         **other), 404, 'itemNotFound')
            self.assertIn(log['id'], message)
        self.assertEqual([], self.get('operation_logs', **other).json[
            'operation_logs'])
        self.assertFault(
            self.get('operation_logs' + self.query(all_tenants='1'),
                     status=403, **other), 403, 'forbidden')
        self.assertEqual(3, len(self.get('operation_logs' + self.query(
            all_tenants='1')).json['operation_logs']))
