"""karbor.services.protection.flows.resource_flow: the hooks of every
resource, ordered along the graph, run by a real taskflow engine."""

from concurrent import futures
import threading
import time

from taskflow import engines
from taskflow import task
from taskflow.persistence import models as tf_models

from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection.flows import resource_flow
from karbor.services.protection.flows import restore as restore_flow
from karbor.services.protection import graph
from karbor.services.protection import jobs
from karbor.services.protection import protection_plugin
from karbor.services.protection import provider as provider_module
from karbor.services.protection.tasks import resource_tasks
from karbor.tests.unit.protection import base

PARENT = graph.make_resource('Test::Parent', 'p1', 'the parent')
CHILD = graph.make_resource('Test::Child', 'c1', 'the child')
OTHER_CHILD = graph.make_resource('Test::Child', 'c2')
HOOKS = protection_plugin.HOOKS


class Journal:
    """What happened, in order: ('start'|'end', hook, resource key)."""

    def __init__(self):
        self.events = []
        self.calls = []
        self.lock = threading.Lock()

    def add(self, *event):
        with self.lock:
            self.events.append(event)

    def index(self, *event):
        return self.events.index(event)

    def assertBefore(self, test, first, then):
        """``first`` (hook, resource) ended before ``then`` started."""
        end = self.index('end', first[0], graph.resource_key(first[1]))
        start = self.index('start', then[0], graph.resource_key(then[1]))
        test.assertLess(end, start, '%s must end before %s starts: %s' % (
            first, then, self.events))


class RecordingOperation(protection_plugin.Operation):
    """Records every hook; ``fail`` = {hook: message} makes hooks raise."""

    def __init__(self, journal, fail=None):
        self.journal = journal
        self.fail = fail or {}

    def _hook(self, hook, checkpoint, resource, context, parameters,
              **kwargs):
        key = graph.resource_key(resource)
        self.journal.add('start', hook, key)
        with self.journal.lock:
            self.journal.calls.append((hook, key, checkpoint, context,
                                       parameters, kwargs))
        # Give a wrongly ordered sibling the time to start meanwhile.
        time.sleep(0.01)
        if hook in self.fail:
            raise ValueError(self.fail[hook])
        self.journal.add('end', hook, key)

    def on_prepare_begin(self, *args, **kwargs):
        self._hook('on_prepare_begin', *args, **kwargs)

    def on_prepare_finish(self, *args, **kwargs):
        self._hook('on_prepare_finish', *args, **kwargs)

    def on_main(self, *args, **kwargs):
        self._hook('on_main', *args, **kwargs)

    def on_complete(self, *args, **kwargs):
        self._hook('on_complete', *args, **kwargs)


class RecordingPlugin(protection_plugin.ProtectionPlugin):
    """Defined here and never registered: the flow gets its operations
    from ``get_protect_operation`` directly."""

    SUPPORTED_RESOURCE_TYPES = ('Test::Parent', 'Test::Child')

    def __init__(self, journal, fail=None):
        super().__init__(conf=None)
        self.journal = journal
        self.fail = fail or {}

    def get_protect_operation(self, resource):
        return RecordingOperation(
            self.journal, self.fail.get(graph.resource_key(resource)))


class Recorder:
    def __init__(self):
        self.calls = []
        self.lock = threading.Lock()

    def _add(self, *call):
        with self.lock:
            self.calls.append(call)

    def started(self, checkpoint, resource):
        self._add('started', checkpoint.id, graph.resource_key(resource))

    def succeeded(self, checkpoint, resource):
        self._add('succeeded', checkpoint.id, graph.resource_key(resource))

    def failed(self, checkpoint, resource, reason):
        self._add('failed', checkpoint.id, graph.resource_key(resource),
                  reason)

    def of(self, what):
        return sorted(c[2] for c in self.calls if c[0] == what)


class FlowTestCase(base.ProtectionTestCase):

    def setUp(self):
        super().setUp()
        # ResourceHookTask finds the checkpoint through the provider
        # registry: the real built-in local provider answers.
        self.enable_local_provider(self.tmp + '/root')
        self.journal = Journal()
        self.recorder = Recorder()
        self.ctx = karbor_context.RequestContext(project_id='p1',
                                                 user_id='u1')


class ResourceFlowTest(FlowTestCase):

    def sources(self, children=(CHILD,)):
        edges = {graph.resource_key(PARENT): list(children)}
        return graph.build_graph(
            [PARENT], lambda r: edges.get(graph.resource_key(r), []))

    def run_flow(self, sources, fail=None, parameters=None, extra=(),
                 hook_kwargs=None, more_store=None):
        plugin = RecordingPlugin(self.journal, fail)
        flow = resource_flow.build('protect', sources,
                                   plugin.get_protect_operation,
                                   self.recorder, extra=extra,
                                   hook_kwargs=hook_kwargs)
        store = {'context': self.ctx.to_dict(), 'checkpoint_id': 'cp-1',
                 'provider_id': provider_module.LOCAL_PROVIDER_ID,
                 'parameters': parameters or {}}
        store.update(more_store or {})
        # A standard pool handed to the parallel engine: futurist's own
        # pool takes a second to shut down after every run.
        pool = futures.ThreadPoolExecutor(max_workers=8)
        self.addCleanup(pool.shutdown, wait=True)
        engines.run(flow, store=store, engine='parallel', executor=pool)

    def test_hooks_follow_the_graph(self):
        self.run_flow(self.sources())
        j = self.journal
        j.assertBefore(self, ('on_prepare_begin', PARENT),
                       ('on_prepare_begin', CHILD))
        j.assertBefore(self, ('on_prepare_finish', CHILD),
                       ('on_prepare_finish', PARENT))
        j.assertBefore(self, ('on_complete', CHILD),
                       ('on_complete', PARENT))
        for resource in (PARENT, CHILD):
            for before, after in zip(HOOKS, HOOKS[1:]):
                j.assertBefore(self, (before, resource), (after, resource))
        # Every hook of every resource ran exactly once.
        self.assertEqual(
            sorted((h, graph.resource_key(r)) for h in HOOKS
                   for r in (PARENT, CHILD)),
            sorted((e[1], e[2]) for e in j.events if e[0] == 'end'))

    def test_hooks_get_the_checkpoint_and_context(self):
        self.run_flow(self.sources())
        hook, key, checkpoint, context, parameters, kwargs = \
            self.journal.calls[0]
        self.assertIsInstance(checkpoint, checkpoint_module.Checkpoint)
        self.assertEqual('cp-1', checkpoint.id)
        self.assertIsInstance(context, karbor_context.RequestContext)
        self.assertEqual(('p1', 'u1'), (context.project_id, context.user_id))
        self.assertEqual({}, kwargs)

    def test_shared_child_runs_once(self):
        # Two parents share one child; the child completes before both.
        other_parent = graph.make_resource('Test::Parent', 'p2')
        sources = graph.build_graph(
            [PARENT, other_parent], lambda r: [CHILD]
            if r.type == 'Test::Parent' else [])
        self.run_flow(sources)
        ends = [e for e in self.journal.events if e[0] == 'end']
        self.assertEqual(12, len(ends))
        for parent in (PARENT, other_parent):
            self.journal.assertBefore(self, ('on_complete', CHILD),
                                      ('on_complete', parent))
            self.journal.assertBefore(self, ('on_prepare_begin', parent),
                                      ('on_prepare_begin', CHILD))

    def test_recorder_sees_start_and_success_of_each(self):
        self.run_flow(self.sources())
        keys = sorted(graph.resource_key(r) for r in (PARENT, CHILD))
        self.assertEqual(keys, self.recorder.of('started'))
        self.assertEqual(keys, self.recorder.of('succeeded'))
        self.assertEqual([], self.recorder.of('failed'))
        # started before the first hook, succeeded after the last.
        child = graph.resource_key(CHILD)
        calls = [c[:3] for c in self.recorder.calls]
        self.assertLess(calls.index(('started', 'cp-1', child)),
                        calls.index(('succeeded', 'cp-1', child)))

    def test_failing_hook_fails_the_resource_and_the_flow(self):
        child = graph.resource_key(CHILD)
        e = self.assertRaises(
            exception.ProtectionFailed, self.run_flow, self.sources(),
            fail={child: {'on_main': 'the disk is on fire'}})
        # The error names the resource and says why.
        self.assertIn('Test::Child#c1 (the child)', str(e))
        self.assertIn('the disk is on fire', str(e))
        self.assertEqual([('failed', 'cp-1', child, 'the disk is on fire')],
                         [c for c in self.recorder.calls
                          if c[0] == 'failed'])
        self.assertNotIn(child, self.recorder.of('succeeded'))
        # Nothing that depends on the failed main ran.
        ran = [(e[1], e[2]) for e in self.journal.events if e[0] == 'start']
        self.assertNotIn(('on_complete', child), ran)
        self.assertNotIn(('on_complete', graph.resource_key(PARENT)), ran)

    def test_failing_prepare_of_parent(self):
        parent = graph.resource_key(PARENT)
        e = self.assertRaises(
            exception.ProtectionFailed, self.run_flow, self.sources(),
            fail={parent: {'on_prepare_begin': 'no way'}})
        self.assertIn('Test::Parent#p1', str(e))
        self.assertEqual(['failed'], [c[0] for c in self.recorder.calls
                                      if c[2] == parent and
                                      c[0] != 'started'])
        # The child's prepare waits for the parent's: it never started.
        self.assertNotIn(('start', 'on_prepare_begin',
                          graph.resource_key(CHILD)), self.journal.events)

    def test_resource_entry_overrides_type_entry(self):
        parameters = {
            'Test::Child': {'depth': 'cheap', 'keep': 3},
            'Test::Child#c1': {'depth': 'full'},
            'Test::Other': {'depth': 'never'},
        }
        self.run_flow(self.sources(children=(CHILD, OTHER_CHILD)),
                      parameters=parameters)
        seen = {(c[0], c[1]): c[4] for c in self.journal.calls}
        self.assertEqual({'depth': 'full', 'keep': 3},
                         seen['on_main', 'Test::Child#c1'])
        self.assertEqual({'depth': 'cheap', 'keep': 3},
                         seen['on_main', 'Test::Child#c2'])
        self.assertEqual({}, seen['on_main', 'Test::Parent#p1'])
        # Each hook got its own dict, the store's is untouched.
        self.assertEqual({'depth': 'cheap', 'keep': 3},
                         parameters['Test::Child'])

    def test_extra_store_values_and_shared_kwargs_reach_the_hooks(self):
        shared = {}
        self.run_flow(self.sources(), extra=('restore_id',),
                      hook_kwargs={'new_resources': shared},
                      more_store={'restore_id': 'r-1'})
        for call in self.journal.calls:
            self.assertEqual('r-1', call[5]['restore_id'])
            self.assertIs(shared, call[5]['new_resources'])


class MergedParametersTest(base.ProtectionTestCase):

    def test_merge(self):
        merge = resource_tasks.merged_parameters
        self.assertEqual({}, merge(None, CHILD))
        self.assertEqual({}, merge({'Test::Child': None}, CHILD))
        self.assertEqual({'a': 1}, merge({'Test::Child': {'a': 1}}, CHILD))
        self.assertEqual({'a': 2, 'b': 1},
                         merge({'Test::Child': {'a': 1, 'b': 1},
                                'Test::Child#c1': {'a': 2}}, CHILD))
        self.assertEqual({'a': 1},
                         merge({'Test::Child': {'a': 1},
                                'Test::Child#c2': {'a': 2}}, CHILD))


class PendingOperation(protection_plugin.Operation):
    """``on_main`` starts work and returns its future at once; the test
    resolves the futures."""

    def __init__(self, started, futures_by_key):
        self.started = started
        self.futures_by_key = futures_by_key

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        future = futures.Future()
        self.futures_by_key[graph.resource_key(resource)] = future
        self.started.release()
        return future


class PendingWorkTest(FlowTestCase):
    """Hooks that return futures: the worker threads are free at once, the
    flow waits for the work in one task, statuses follow the work."""

    def run_pending_flow(self, resources, outcomes, workers=2):
        started = threading.Semaphore(0)
        by_key = {}
        operation = PendingOperation(started, by_key)
        flow = resource_flow.build('protect', resources,
                                   lambda r: operation, self.recorder)
        store = {'context': self.ctx.to_dict(), 'checkpoint_id': 'cp-1',
                 'provider_id': provider_module.LOCAL_PROVIDER_ID,
                 'parameters': {}}
        recorded_before_resolution = []

        def resolve():
            # Every resource's work starts although the pool has fewer
            # threads than resources: no hook holds its thread.
            for _ in resources:
                if not started.acquire(timeout=10):
                    break
            recorded_before_resolution.extend(self.recorder.of('succeeded'))
            for key, future in sorted(by_key.items()):
                outcome = outcomes.get(key)
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(key)

        resolver = threading.Thread(target=resolve)
        resolver.start()
        self.addCleanup(resolver.join)
        pool = futures.ThreadPoolExecutor(max_workers=workers)
        self.addCleanup(pool.shutdown, wait=True)
        try:
            engines.run(flow, store=store, engine='parallel', executor=pool)
        finally:
            resolver.join()
            self.assertEqual(len(resources), len(by_key))
            self.assertEqual([], recorded_before_resolution)

    def resources(self, count):
        return graph.build_graph(
            [graph.make_resource('Test::Volume', 'v%02d' % i)
             for i in range(count)], lambda r: [])

    def test_many_resources_few_threads(self):
        sources = self.resources(20)
        self.run_pending_flow(sources, {})
        keys = sorted(graph.resource_key(n.value) for n in sources)
        self.assertEqual(keys, self.recorder.of('started'))
        self.assertEqual(keys, self.recorder.of('succeeded'))
        self.assertEqual([], self.recorder.of('failed'))

    def test_failed_work_fails_its_resource_and_the_flow(self):
        sources = self.resources(5)
        bad = graph.resource_key(sources[3].value)
        e = self.assertRaises(
            exception.ProtectionFailed, self.run_pending_flow, sources,
            {bad: exception.ProtectionFailed(reason='backup b3 went to '
                                                    'status error')})
        self.assertEqual('%s: backup b3 went to status error' % bad, str(e))
        self.assertEqual([('failed', 'cp-1', bad,
                           'backup b3 went to status error')],
                         [c for c in self.recorder.calls
                          if c[0] == 'failed'])
        # The others' work ended well, and says so.
        self.assertEqual(4, len(self.recorder.of('succeeded')))
        self.assertNotIn(bad, self.recorder.of('succeeded'))


class MappingOperation(protection_plugin.Operation):
    """A restore operation whose main hook records the new resource it
    'made' in the shared map, after what it found there."""

    def __init__(self, seen):
        self.seen = seen

    def on_main(self, checkpoint, resource, context, parameters,
                new_resources=None, **kwargs):
        self.seen[resource.id] = dict(new_resources)
        new_resources[resource.id] = 'new-' + resource.id


class NewResourcesTest(FlowTestCase):
    """The map of new resources of a restore is saved with its flow, task
    by task, and a resumed restore starts from it."""

    def test_each_task_saves_what_its_hooks_added(self):
        seen = {}
        sources = graph.build_graph([PARENT], lambda r: [])
        store = {'context': self.ctx.to_dict(), 'checkpoint_id': 'cp-1',
                 'provider_id': provider_module.LOCAL_PROVIDER_ID,
                 'parameters': {}, 'restore_id': 'r-1'}
        pool = futures.ThreadPoolExecutor(max_workers=4)
        self.addCleanup(pool.shutdown, wait=True)
        # Resumed: the map as the child's hooks left it before the death.
        flow = resource_flow.build(
            'restore', sources, lambda r: MappingOperation(seen),
            self.recorder, extra=('restore_id',),
            hook_kwargs={'new_resources': {'c1': 'new-c1'}})
        engine = engines.load(flow, store=store, engine='parallel',
                              executor=pool)
        engine.run()
        # The parent's hook found the child's new resource.
        self.assertEqual({'c1': 'new-c1'}, seen['p1'])
        # Its task's saved result is what it added, only.
        results = [engine.storage.fetch(atom.name) for atom in _atoms(flow)
                   if isinstance(atom, resource_tasks.ResourceHookTask)]
        self.assertEqual([{'new_resources': {'p1': 'new-p1'}}], results)

    def test_restore_flow_is_built_with_the_saved_map(self):
        sources = graph.build_graph([PARENT, CHILD], lambda r: [])
        flow = restore_flow.get_flow(_MappingProvider({}), 'r-1', sources,
                                     new_resources={'c1': 'new-c1'})
        hooks = [atom for atom in _atoms(flow)
                 if isinstance(atom, resource_tasks.ResourceHookTask)]
        self.assertEqual(2, len(hooks))
        for atom in hooks:
            self.assertEqual({'c1': 'new-c1'},
                             atom.hook_kwargs['new_resources'])

    def test_resumed_restore_starts_from_the_saved_map(self):
        detail = tf_models.FlowDetail('restore-r-1', 'fd-1')
        for name, state, results in (
                ('restore-main-a', 'SUCCESS',
                 {'new_resources': {'a': 'new-a'}}),
                ('restore-main-b', 'SUCCESS', True),
                ('restore-main-c', 'RUNNING',
                 {'new_resources': {'c': 'new-c'}}),
                ('_TaskFlow_INJECTOR', 'SUCCESS',
                 {'new_resources': {'x': 'store'}})):
            atom = tf_models.TaskDetail(name, name)
            atom.state, atom.results = state, results
            detail.add(atom)
        self.assertEqual({'a': 'new-a'}, jobs.new_resources_of(detail))
        self.assertEqual({}, jobs.new_resources_of(None))


class _MappingProvider:
    def __init__(self, seen):
        self.seen = seen

    def plugin_for(self, resource_type):
        provider = self

        class Plugin:
            def get_restore_operation(self, resource):
                return MappingOperation(provider.seen)
        return Plugin()


def _atoms(flow):
    """Every task of ``flow``, nested flows walked."""
    for item, _meta in flow.iter_nodes():
        if isinstance(item, task.Task):
            yield item
        else:
            yield from _atoms(item)
