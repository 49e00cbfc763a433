"""Resources that depend on no other, many per task
(resource_tasks.ResourceBatchTask), run by a real taskflow engine on the
built-in local provider's file-system bank."""

from concurrent import futures
import threading

import fixtures
from taskflow import engines

from karbor.common import constants
from karbor.common import exception
from karbor.db import checkpoints as checkpoints_db
from karbor.db import verifications as verifications_db
from karbor.services.protection import data_objects
from karbor.services.protection.flows import resource_flow
from karbor.services.protection import graph
from karbor.services.protection import jobs
from karbor.services.protection import operation_progress
from karbor.services.protection import protection_plugin
from karbor.services.protection import provider as provider_module
from karbor.services.protection.tasks import checkpoint_tasks
from karbor.services.protection.tasks import resource_tasks
from karbor.tests.unit.protection import base
from karbor.tests.unit.protection import test_resource_flow as flow_tests

CHECKPOINT = 'cp-batch'


def lone(count, prefix='d'):
    return graph.build_graph(
        [graph.make_resource('Test::Child', '%s%04d' % (prefix, i))
         for i in range(count)], lambda r: [])


class WritingOperation(protection_plugin.Operation):
    """Writes a manifest and a data object of its resource, as a plugin
    does, and notes which resources ran; ``fail``: keys whose on_main
    raises."""

    def __init__(self, ran, fail=()):
        self.ran = ran
        self.fail = set(fail)
        self.lock = threading.Lock()

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        key = graph.resource_key(resource)
        with self.lock:
            self.ran.append(key)
        if key in self.fail:
            raise ValueError('the disk of %s is gone' % resource.id)
        section = checkpoint.resource_section(resource)
        data_objects.write(section, iter([(0, b'bytes of ' +
                                           key.encode())]), 2)
        section.put_json(constants.BANK_RESOURCE_MANIFEST, {'of': key})


def tracked(obj, name, log):
    """Replace method ``name`` of ``obj`` with one that also notes its
    calls in ``log`` (the real method still runs)."""
    real = getattr(obj, name)

    def wrapper(*args, **kwargs):
        log.append((name,) + args)
        return real(*args, **kwargs)
    setattr(obj, name, wrapper)


class ResourceBatchTest(flow_tests.FlowTestCase):

    def setUp(self):
        super().setUp()
        self.ran = []
        self.checkpoint = provider_module.get_checkpoint(
            provider_module.LOCAL_PROVIDER_ID, CHECKPOINT)

    def run_flow(self, sources, operation, recorder, workers=4):
        flow = resource_flow.build('protect', sources, lambda r: operation,
                                   recorder, batch_workers=workers)
        store = {'context': self.ctx.to_dict(), 'checkpoint_id': CHECKPOINT,
                 'provider_id': provider_module.LOCAL_PROVIDER_ID,
                 'parameters': {}}
        pool = futures.ThreadPoolExecutor(max_workers=4)
        self.addCleanup(pool.shutdown, wait=True)
        engines.run(flow, store=store, engine='parallel', executor=pool)
        return flow

    def status(self, key):
        return self.checkpoint.bank.get_json('%s/resource-data/%s/%s' % (
            self.checkpoint.prefix, key, constants.BANK_RESOURCE_STATUS))

    def test_lone_resources_go_in_a_task_per_batch(self):
        self.useFixture(fixtures.MockPatchObject(
            resource_flow, 'BATCH', 10))
        parent = graph.make_resource('Test::Parent', 'p1')
        child = graph.make_resource('Test::Child', 'c1')
        alone = [graph.make_resource('Test::Child', 'a%02d' % i)
                 for i in range(25)]
        sources = graph.build_graph(
            [parent] + alone,
            lambda r: [child] if r == parent else [])
        flow = resource_flow.build(
            'protect', sources, lambda r: None, flow_tests.Recorder(),
            batch_workers=4)
        names = set()

        def walk(item):
            for node, _ in item.iter_nodes():
                if hasattr(node, 'iter_nodes'):
                    walk(node)
                else:
                    names.add(node.name)
        walk(flow)
        batches = sorted(n for n in names if '-batch-' in n)
        self.assertEqual(['protect-batch-0', 'protect-batch-1',
                          'protect-batch-2'], batches)
        # The parent and its child keep a task per hook, along the graph.
        self.assertIn('protect-on_main-Test::Parent#p1', names)
        self.assertIn('protect-on_main-Test::Child#c1', names)

    def test_every_resource_runs_its_hooks_and_is_recorded(self):
        sources = lone(40)
        recorder = flow_tests.Recorder()
        self.run_flow(sources, WritingOperation(self.ran), recorder)
        keys = sorted(graph.resource_key(n.value) for n in sources)
        self.assertEqual(keys, sorted(self.ran))
        self.assertEqual(keys, recorder.of('started'))
        self.assertEqual(keys, recorder.of('succeeded'))
        self.assertEqual([], recorder.of('failed'))

    def test_hooks_of_a_resource_run_in_order(self):
        sources = lone(12)
        self.run_flow(sources, flow_tests.RecordingOperation(self.journal),
                      flow_tests.Recorder())
        for node in sources:
            key = graph.resource_key(node.value)
            order = [e[1] for e in self.journal.events
                     if e[0] == 'start' and e[2] == key]
            self.assertEqual(list(protection_plugin.HOOKS), order)

    def test_a_failure_names_the_resource_and_fails_the_flow(self):
        self.useFixture(fixtures.MockPatchObject(
            resource_tasks.ResourceBatchTask, 'group', 8))
        sources = lone(40)
        bad = graph.resource_key(sources[3].value)
        recorder = checkpoint_tasks.BankStatusRecorder()
        e = self.assertRaises(
            exception.ProtectionFailed, self.run_flow, sources,
            WritingOperation(self.ran, fail=[bad]), recorder)
        self.assertEqual('%s: the disk of d0003 is gone' % bad, str(e))
        self.assertEqual({'status': constants.RESOURCE_STATUS_ERROR,
                          'reason': 'the disk of d0003 is gone'},
                         self.status(bad))
        # The others of its group ended, and say so; no later group began.
        good = graph.resource_key(sources[4].value)
        self.assertEqual(constants.RESOURCE_STATUS_AVAILABLE,
                         self.status(good)['status'])
        self.assertEqual(8, len(self.ran))

    def test_success_is_recorded_only_once_the_data_is_durable(self):
        # Groups of 5: the successes of one are recorded with the hooks
        # of the next.
        self.useFixture(fixtures.MockPatchObject(
            resource_tasks.ResourceBatchTask, 'group', 5))
        plugin = self.checkpoint.bank.plugin
        log = []
        tracked(plugin, 'sync_objects', log)
        tracked(plugin, 'put_object', log)
        tracked(plugin, 'put_object_unsynced', log)
        sources = lone(20)
        self.run_flow(sources, WritingOperation(self.ran),
                      checkpoint_tasks.BankStatusRecorder())
        synced_at = {}
        for number, call in enumerate(log):
            if call[0] == 'sync_objects':
                for key in call[1]:
                    synced_at.setdefault(key, number)
        # No object was written durably one at a time.
        self.assertEqual([], [c for c in log if c[0] == 'put_object'])
        for node in sources:
            prefix = '%s/resource-data/%s/' % (
                self.checkpoint.prefix, graph.resource_key(node.value))
            status_writes = [
                n for n, c in enumerate(log)
                if c[0] == 'put_object_unsynced' and
                c[1] == prefix + constants.BANK_RESOURCE_STATUS and
                b'"available"' in bytes(c[2])]
            self.assertEqual(1, len(status_writes))
            for name in ('data/00000000', constants.BANK_RESOURCE_MANIFEST):
                self.assertLess(synced_at[prefix + name], status_writes[0],
                                '%s durable before the success' % name)
            # And the success itself is durable by the end.
            self.assertIn(prefix + constants.BANK_RESOURCE_STATUS,
                          synced_at)
            self.assertEqual(constants.RESOURCE_STATUS_AVAILABLE,
                             self.status(graph.resource_key(
                                 node.value))['status'])

    def test_a_resumed_batch_skips_the_resources_protected_before(self):
        sources = lone(10)
        keys = [graph.resource_key(n.value) for n in sources]
        section = self.checkpoint.resource_section
        # As an earlier run cut short left them: four protected, one
        # started, the rest not begun.
        for node in sources[:4]:
            section(node.value).put_json(
                constants.BANK_RESOURCE_STATUS,
                {'status': constants.RESOURCE_STATUS_AVAILABLE,
                 'reason': None})
        section(sources[4].value).put_json(
            constants.BANK_RESOURCE_STATUS,
            {'status': constants.RESOURCE_STATUS_PROTECTING,
             'reason': None})
        # A status that cannot be read is not taken as done.
        section(sources[5].value).put_object(
            constants.BANK_RESOURCE_STATUS, b'{"stat')
        self.run_flow(sources, WritingOperation(self.ran),
                      checkpoint_tasks.BankStatusRecorder())
        self.assertEqual(sorted(keys[4:]), sorted(self.ran))
        for key in keys:
            self.assertEqual(constants.RESOURCE_STATUS_AVAILABLE,
                             self.status(key)['status'])

    def test_progress_is_written_once_per_batch_not_per_resource(self):
        writes = []
        progress = operation_progress.get(constants.OPERATION_PROTECT,
                                          CHECKPOINT)
        self.useFixture(fixtures.MockPatchObject(
            operation_progress.checkpoints_db, 'checkpoint_update',
            side_effect=lambda *a, **k: writes.append(a)))

        class Reporting(WritingOperation):
            def on_main(self, checkpoint, resource, *args, **kwargs):
                super().on_main(checkpoint, resource, *args, **kwargs)
                progress.done(files=1)
                # What local_directory does at the end of a resource.
                progress.write()

        self.run_flow(lone(30), Reporting(self.ran),
                      flow_tests.Recorder())
        self.assertEqual(30, progress.values['files_done'])
        # At most one a second while the batch runs, one at its end.
        self.assertLess(len(writes), 10)
        self.assertEqual(30, writes[-1][1]['progress']['files_done'])


class DeferredDurabilityTest(flow_tests.FlowTestCase):
    """With a bank plugin whose calls are recorded (the real file-system
    plugin runs underneath)."""

    def setUp(self):
        super().setUp()
        checkpoint = provider_module.get_checkpoint(
            provider_module.LOCAL_PROVIDER_ID, CHECKPOINT)
        self.bank = checkpoint.bank
        self.log = []
        tracked(self.bank.plugin, 'sync_objects', self.log)

    def synced(self):
        return [k for c in self.log for k in c[1]]

    def test_writes_wait_for_sync_then_are_durable_at_once(self):
        deferred = resource_tasks.DeferredDurability(self.bank)
        deferred.put_object('x/a', b'1')
        deferred.section('x').put_json('b', {'v': 2})
        deferred.sync_objects(['x/a'])
        self.assertEqual([], self.synced())
        self.assertEqual({'v': 2}, self.bank.get_json('x/b'))
        deferred.sync()
        self.assertEqual(['x/a', 'x/b'], sorted(self.synced()))
        deferred.close()
        # Closed (its task ended): a late write is durable before it
        # returns.
        deferred.put_object('x/late', b'3')
        self.assertEqual(['x/late'], self.log[-1][1])
        deferred.section('x').sync_objects(['late'])
        self.assertEqual(['x/late'], self.log[-1][1])


class OneObjectWriteTest(flow_tests.FlowTestCase):

    def test_a_single_object_is_durable_without_a_thread(self):
        checkpoint = provider_module.get_checkpoint(
            provider_module.LOCAL_PROVIDER_ID, CHECKPOINT)
        log = []
        tracked(checkpoint.bank.plugin, 'sync_objects', log)
        section = checkpoint.bank.section('some/resource')
        before = threading.active_count()
        started = []
        real_start = threading.Thread.start

        def start(thread):
            started.append(thread.name)
            return real_start(thread)
        self.useFixture(fixtures.MockPatchObject(
            threading.Thread, 'start', start))
        objects = data_objects.write(section, iter([(0, b'abc')]), 4)
        self.assertEqual([], started)
        self.assertEqual(before, threading.active_count())
        self.assertEqual([{'key': 'data/00000000', 'size': 3,
                           'sha256': data_objects.hashlib.sha256(
                               b'abc').hexdigest(), 'md5': None}], objects)
        self.assertEqual([('sync_objects', ['some/resource/data/00000000'])],
                         log)
        self.assertEqual([], data_objects.write(section, iter([]), 4))


class ResumableTest(base.ProtectionTestCase):
    """jobs.resumable: which operations are saved task by task under
    ``[task_flow] max_resumable_resources`` (SQLite database)."""

    def checkpoint(self, sources):
        return checkpoints_db.checkpoint_create({
            'project_id': 'p1', 'provider_id': 'prov',
            'status': constants.CHECKPOINT_STATUS_PROTECTING,
            'protection_plan': {}, 'host': 'h',
            'resource_graph': graph.serialize(sources)}).id

    def test_lone_resources_of_a_protect_are_not_counted(self):
        self.conf.config(max_resumable_resources=2, group='task_flow')
        many = self.checkpoint(lone(50))
        self.assertTrue(jobs.resumable(constants.OPERATION_PROTECT, many))
        # A delete still saves a task per resource.
        self.assertFalse(jobs.resumable(constants.OPERATION_DELETE, many))
        verification = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': 'prov',
            'checkpoint_id': many, 'status': 'verifying',
            'parameters': {}, 'host': 'h'}).id
        self.assertTrue(jobs.resumable(constants.OPERATION_VERIFY,
                                       verification))

    def test_resources_with_dependencies_are_counted(self):
        self.conf.config(max_resumable_resources=2, group='task_flow')
        parent = graph.make_resource('Test::Parent', 'p1')
        children = [graph.make_resource('Test::Child', 'c%d' % i)
                    for i in range(2)]
        sources = graph.build_graph(
            [parent] + [graph.make_resource('Test::Child', 'x%d' % i)
                        for i in range(10)],
            lambda r: children if r == parent else [])
        cp = self.checkpoint(sources)
        # The parent and its two children: three.
        self.assertEqual(3, jobs.tasked_resources(
            constants.OPERATION_PROTECT, cp))
        self.assertFalse(jobs.resumable(constants.OPERATION_PROTECT, cp))
        self.conf.config(max_resumable_resources=3, group='task_flow')
        self.assertTrue(jobs.resumable(constants.OPERATION_PROTECT, cp))

    def test_the_graph_is_read_alone(self):
        sources = lone(3)
        cp = self.checkpoint(sources)
        self.assertEqual(graph.serialize(sources),
                         checkpoints_db.checkpoint_resource_graph(cp))
        self.assertEqual(
            sorted(graph.resource_key(n.value) for n in sources),
            sorted(graph.resource_key(n.value)
                   for n in graph.iter_nodes(jobs._sources(cp))))
        self.assertRaises(exception.CheckpointNotFound,
                          checkpoints_db.checkpoint_resource_graph, 'nope')
