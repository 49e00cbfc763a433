"""karbor.services.protection.manager, in process: the real local
provider, file-system bank, taskflow engines and SQLite database, called
as the RPC server would call it."""

import json
import logging
import os
import time

from oslo_context import context as oslo_context

from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.db import checkpoints as checkpoints_db
from karbor.db import operation_logs as operation_logs_db
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection import graph
from karbor.services.protection import local_roots
from karbor.services.protection import manager as manager_module
from karbor.services.protection import provider as provider_module
from karbor.tests.unit.protection import base

PROVIDER = provider_module.LOCAL_PROVIDER_ID
TYPE = local_roots.RESOURCE_TYPE


class ManagerTest(base.ManagerCalls, base.ProtectionTestCase):

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, 'root')
        self.src = os.path.join(self.root, 'data')
        base.write(os.path.join(self.src, 'a.txt'), b'alpha\n' * 1000)
        base.write(os.path.join(self.src, 'sub', 'b.bin'),
                   bytes(range(256)) * 50, 0o600)
        base.write(os.path.join(self.src, 'sub', 'empty'))
        os.makedirs(os.path.join(self.src, 'emptydir'))
        self.enable_local_provider(self.root)
        self.manager = manager_module.ProtectionManager()
        self.manager.init_host()
        self.addCleanup(self.manager.cleanup_host)
        self.bank = provider_module.get_registry().get(PROVIDER).bank
        self.project = 'p1'
        self.provider_id = PROVIDER
        self.ctx = karbor_context.RequestContext(project_id='p1',
                                                 user_id='u1')

    # Rows, as the API writes them before its cast

    def resource(self, path=None):
        path = path or self.src
        name = os.path.relpath(path, self.root)
        return {'type': TYPE, 'id': local_roots.directory_id(path),
                'name': name, 'extra_info': {'path': name}}

    def new_checkpoint(self, resources=None):
        return super().new_checkpoint(resources or [self.resource()])

    def protect(self, resources=None):
        return super().protect(resources or [self.resource()])

    def bank_keys(self, checkpoint_id):
        return self.bank.list_objects(
            checkpoint_module.checkpoint_prefix(checkpoint_id) + '/')

    def resource_key(self, name):
        return '%s/resource-data/%s#%s/%s' % (
            checkpoint_module.checkpoint_prefix(self.checkpoint_id), TYPE,
            local_roots.directory_id(self.src), name)

    def assertLogEnded(self, log_id, status, error=None):
        # The last task ends the object, then its log: wait for the log.
        log = operation_logs_db.operation_log_get(log_id)
        log = self.wait(
            lambda: operation_logs_db.operation_log_get(log_id),
            constants.OPERATION_LOG_STATUS_RUNNING[log.operation_type])
        self.assertEqual(status, log.status)
        self.assertIsNotNone(log.started_at)
        self.assertIsNotNone(log.ended_at)
        self.assertIsNone(log.host)
        if error is None:
            self.assertIsNone(log.error_info)
        else:
            self.assertIn(error, log.error_info)
        return log

    # The whole cycle

    def test_protect_restore_delete(self):
        before = base.snapshot(self.src)
        row, log_id = self.protect()
        self.checkpoint_id = checkpoint_id = row.id
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE, row.status,
                         row.status_reason)
        self.assertIsNone(row.host)
        key = '%s#%s' % (TYPE, local_roots.directory_id(self.src))
        self.assertEqual([key], [graph.resource_key(n.value) for n in
                                 graph.deserialize(row.resource_graph)])
        self.assertLogEnded(log_id, constants.OPERATION_LOG_STATUS_SUCCESS)

        # The bank holds the checkpoint.
        keys = self.bank_keys(checkpoint_id)
        for name in ('metadata', 'status', 'manifest.json',
                     'data/00000000'):
            self.assertIn(self.resource_key(name), keys)
        index = self.bank.get_json(
            checkpoint_module.checkpoint_prefix(checkpoint_id) +
            '/index.json')
        self.assertEqual(
            (checkpoint_id, 'available', 'p1', PROVIDER, row.plan_id),
            (index['id'], index['status'], index['project_id'],
             index['provider_id'], index['protection_plan']['id']))
        self.assertEqual([key], [graph.resource_key(n.value) for n in
                                 graph.unpack(index['resource_graph'])])
        self.assertEqual({'status': 'available', 'reason': None,
                          'manifest': True},
                         self.bank.get_json(self.resource_key('status')))
        metadata = self.bank.get_json(self.resource_key('metadata'))
        self.assertEqual(('data', 3, 2, 6000 + 256 * 50),
                         (metadata['name'], metadata['files'],
                          metadata['directories'], metadata['bytes']))
        prefix = self.resource_key('')
        self.assertEqual(
            sorted(o['key'] for o in self.bank.get_json(
                self.resource_key('manifest.json'))['objects']),
            [k[len(prefix):] for k in keys if k.startswith(prefix + 'data/')])

        # Restore next to the original.
        restore, log_id = self.restore(checkpoint_id)
        self.assertEqual(constants.RESTORE_STATUS_SUCCESS, restore.status,
                         restore.status_reason)
        self.assertEqual({key: 'available'}, restore.resources_status)
        self.assertEqual({key: ''}, restore.resources_reason)
        self.assertIsNone(restore.host)
        self.assertLogEnded(log_id, constants.OPERATION_LOG_STATUS_SUCCESS)
        target = '%s.restored-%s' % (self.src, restore.id[-8:])
        self.assertEqual(before, base.snapshot(target))

        # A second restore, to a target of the caller's choice.
        chosen = os.path.join(self.root, 'chosen')
        restore, _ = self.restore(checkpoint_id, {
            TYPE: {'target_path': os.path.join(self.root, 'unused')},
            key: {'target_path': chosen}})
        self.assertEqual(constants.RESTORE_STATUS_SUCCESS, restore.status,
                         restore.status_reason)
        self.assertEqual(before, base.snapshot(chosen))
        self.assertFalse(os.path.exists(os.path.join(self.root, 'unused')))

        # Delete: nothing of the checkpoint stays in the bank.
        row, log_id = self.delete(checkpoint_id)
        self.assertEqual(constants.CHECKPOINT_STATUS_DELETED, row.status,
                         row.status_reason)
        self.assertLogEnded(log_id, constants.OPERATION_LOG_STATUS_SUCCESS)
        self.assertEqual([], self.bank_keys(checkpoint_id))
        self.assertFalse(os.path.exists(os.path.join(
            self.bank.plugin.root, 'checkpoints', checkpoint_id)))
        # The source was never touched.
        self.assertEqual(before, base.snapshot(self.src))

    def test_protect_of_a_vanished_directory(self):
        resource = self.resource()
        key = '%s#%s' % (TYPE, resource['id'])
        self.checkpoint_id = None
        os.rename(self.src, os.path.join(self.tmp, 'gone'))
        row, log_id = self.protect([resource])
        self.assertEqual(constants.CHECKPOINT_STATUS_ERROR, row.status)
        self.assertIn(key, row.status_reason)
        self.assertIn('could not be found', row.status_reason)
        self.assertIsNone(row.host)
        log = self.assertLogEnded(log_id, constants.OPERATION_LOG_STATUS_ERROR,
                                  key)
        self.assertEqual(row.status_reason, log.error_info)
        self.checkpoint_id = row.id
        status = self.bank.get_json(self.resource_key('status'))
        self.assertEqual('error', status['status'])
        self.assertIn('could not be found', status['reason'])
        # The row ends first, then the index in the bank.
        index_key = checkpoint_module.checkpoint_prefix(row.id) + \
            '/index.json'
        deadline = time.monotonic() + 10
        index = self.bank.get_json(index_key)
        while index['status'] != 'error' and time.monotonic() < deadline:
            time.sleep(0.05)
            index = self.bank.get_json(index_key)
        self.assertEqual(('error', row.status_reason),
                         (index['status'], index['status_reason']))

    def test_restore_from_a_corrupted_object(self):
        row, _ = self.protect()
        self.checkpoint_id = row.id
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE, row.status)
        path = os.path.join(self.bank.plugin.root,
                            *self.resource_key('data/00000000').split('/'))
        with open(path, 'r+b') as f:
            f.seek(10)
            f.write(b'X')
        before = sorted(os.listdir(self.root))
        restore, log_id = self.restore(row.id)
        key = '%s#%s' % (TYPE, local_roots.directory_id(self.src))
        self.assertEqual(constants.RESTORE_STATUS_FAILURE, restore.status)
        self.assertIn('data/00000000', restore.status_reason)
        self.assertIn('SHA-256 mismatch', restore.status_reason)
        self.assertIn(key, restore.status_reason)
        self.assertEqual({key: 'error'}, restore.resources_status)
        self.assertIn('data/00000000', restore.resources_reason[key])
        self.assertLogEnded(log_id, constants.OPERATION_LOG_STATUS_ERROR,
                            'data/00000000')
        self.assertEqual(before, sorted(os.listdir(self.root)))

    def test_restore_target_outside_the_roots_fails(self):
        row, _ = self.protect()
        restore, log_id = self.restore(row.id, {
            TYPE: {'target_path': os.path.join(self.tmp, 'elsewhere')}})
        self.assertEqual(constants.RESTORE_STATUS_FAILURE, restore.status)
        self.assertIn('not inside your directories', restore.status_reason)
        self.assertLogEnded(log_id, constants.OPERATION_LOG_STATUS_ERROR,
                            'not inside your directories')
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'elsewhere')))

    def test_protect_of_a_type_without_plugin_fails_before_the_flow(self):
        row, log_id = self.protect([{'type': 'OS::Nova::Server',
                                     'id': 'vm-1', 'name': 'vm'}])
        self.assertEqual(constants.CHECKPOINT_STATUS_ERROR, row.status)
        self.assertIn('OS::Nova::Server', row.status_reason)
        self.assertIsNone(row.host)
        self.assertLogEnded(log_id, constants.OPERATION_LOG_STATUS_ERROR,
                            'OS::Nova::Server')

    def test_protect_of_a_checkpoint_no_longer_waiting_is_ignored(self):
        checkpoint_id, log_id = self.new_checkpoint()
        checkpoints_db.checkpoint_update(
            checkpoint_id, {'status': constants.CHECKPOINT_STATUS_ERROR})
        self.manager.protect(self.ctx, checkpoint_id, log_id)
        # Claimed by another host: ignored as well.
        other_id, other_log = self.new_checkpoint()
        checkpoints_db.checkpoint_update(other_id, {'host': 'other-host'})
        self.manager.protect(self.ctx, other_id, other_log)
        self.manager.cleanup_host()   # waits for anything started
        self.assertEqual(constants.CHECKPOINT_STATUS_ERROR,
                         checkpoints_db.checkpoint_get(checkpoint_id).status)
        other = checkpoints_db.checkpoint_get(other_id)
        self.assertEqual((constants.CHECKPOINT_STATUS_PROTECTING,
                          'other-host'), (other.status, other.host))
        for log in (log_id, other_log):
            self.assertEqual('protecting',
                             operation_logs_db.operation_log_get(log).status)
        self.assertEqual([], self.bank_keys(checkpoint_id))
        self.assertEqual([], self.bank_keys(other_id))

    def test_ping(self):
        answer = self.manager.ping(self.ctx, {'x': 1})
        self.assertEqual(('test-host', {'x': 1}),
                         (answer['host'], answer['payload']))
        json.dumps(answer)

    def test_every_log_line_carries_its_operations_request(self):
        """Two protects by two users: each line the flows log is seen with
        the context (request id, user) of its own operation."""
        seen = []

        class Recorder(logging.Handler):
            def emit(self, record):
                current = oslo_context.get_current()
                seen.append((record.getMessage(),
                             getattr(current, 'request_id', None),
                             getattr(current, 'user_id', None)))
        handler = Recorder(level=logging.DEBUG)
        karbor_logger = logging.getLogger('karbor')
        karbor_logger.addHandler(handler)
        self.addCleanup(karbor_logger.removeHandler, handler)
        self.addCleanup(karbor_logger.setLevel, karbor_logger.level)
        karbor_logger.setLevel(logging.DEBUG)
        other = os.path.join(self.root, 'other')
        base.write(os.path.join(other, 'x'), b'x')
        contexts = [karbor_context.RequestContext(
            project_id='p1', user_id=user, overwrite=False)
            for user in ('alice', 'bob')]
        checkpoints = []
        for ctx, path in zip(contexts, (self.src, other)):
            checkpoint_id, log_id = self.new_checkpoint([self.resource(path)])
            self.manager.protect(ctx, checkpoint_id, log_id)
            checkpoints.append(checkpoint_id)
        for checkpoint_id in checkpoints:
            self.wait_checkpoint(checkpoint_id,
                                 constants.CHECKPOINT_STATUS_PROTECTING)
        for ctx, checkpoint_id in zip(contexts, checkpoints):
            # The last line comes just after the status.
            deadline = time.monotonic() + 30
            while not [s for s in seen if checkpoint_id in s[0] and
                       'is available' in s[0]]:
                self.assertLess(time.monotonic(), deadline, seen)
                time.sleep(0.05)
            lines = [s for s in seen if checkpoint_id in s[0]]
            self.assertGreaterEqual(len(lines), 2, seen)
            for message, request_id, user in lines:
                self.assertEqual((ctx.request_id, ctx.user_id),
                                 (request_id, user), message)
