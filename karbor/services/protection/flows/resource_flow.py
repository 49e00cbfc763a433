"""The part of every flow that walks the resource graph: four hook tasks per
resource, ordered along the graph."""

import collections
import math

from taskflow.patterns import graph_flow
from taskflow.patterns import linear_flow
from taskflow.patterns import unordered_flow

from karbor.services.protection import graph
from karbor.services.protection import protection_plugin
from karbor.services.protection.tasks import resource_tasks

# Resources that depend on no other, per task (see build).
BATCH = 1000


def build(operation_type, sources, get_operation, recorder, extra=(),
          hook_kwargs=None, batch_workers=None):
    """A graph flow over ``sources`` (graph.GraphNode list).

    ``get_operation(resource)`` gives the plugin's Operation. Per node:
    prepare_begin -> prepare_finish -> main -> complete. Per parent and
    child: parent.prepare_begin -> child.prepare_begin,
    child.prepare_finish -> parent.prepare_finish and
    child.complete -> parent.complete.

    Each task provides a symbol of its own and requires those of the tasks
    it comes after, and all are added at once: taskflow then links them in
    one pass (adding tasks or links one by one copies the graph each time,
    which made a flow of 1,000 resources take minutes to build). Resources
    that do not depend on each other go in separate graph flows (a lone
    resource in one task that calls its four hooks in order), grouped
    by about sqrt(n) in unordered flows: taskflow's compiler copies a
    flow's graph for every child it merges, so one flow of n tasks costs
    n^2 to compile.

    With ``batch_workers``, the resources that depend on no other are
    not a task each but go, ``BATCH`` at a time, in
    :class:`resource_tasks.ResourceBatchTask` tasks run one after the
    other (each runs ``batch_workers`` resources at a time), so that the
    engine and its persistence cost the same whatever their number; the
    recorder then says which resources a resumed task may skip
    (``recorder.done``).

    Work that hooks leave running (futures they return) is awaited by one
    last task, after every resource's hooks.
    """
    hooks = protection_plugin.HOOKS
    nodes = graph.iter_nodes(sources)

    def symbol(resource, hook):
        return '%s-%s-%s' % (operation_type, hook,
                             graph.resource_key(resource))

    after = collections.defaultdict(list)
    for node in nodes:
        resource = node.value
        for before, hook in zip(hooks, hooks[1:]):
            after[symbol(resource, hook)].append(symbol(resource, before))
        for child_node in node.child_nodes:
            child = child_node.value
            after[symbol(child, 'on_prepare_begin')].append(
                symbol(resource, 'on_prepare_begin'))
            after[symbol(resource, 'on_prepare_finish')].append(
                symbol(child, 'on_prepare_finish'))
            after[symbol(resource, 'on_complete')].append(
                symbol(child, 'on_complete'))

    pending = resource_tasks.PendingWork(recorder)
    flows = []
    lone = []
    for number, component in enumerate(components(nodes)):
        if len(component) == 1 and batch_workers:
            lone.append(component[0].value)
            continue
        if len(component) == 1:
            # A resource on its own: its hooks in one task, in order.
            resource = component[0].value
            flows.append(resource_tasks.ResourceHookTask(
                operation_type, hooks, resource, get_operation(resource),
                recorder, first=True, last=True, extra=extra,
                hook_kwargs=hook_kwargs, pending=pending))
            continue
        tasks = []
        for node in component:
            resource = node.value
            operation = get_operation(resource)
            for hook in hooks:
                name = symbol(resource, hook)
                tasks.append(resource_tasks.ResourceHookTask(
                    operation_type, hook, resource, operation, recorder,
                    first=(hook == hooks[0]), last=(hook == hooks[-1]),
                    extra=extra, hook_kwargs=hook_kwargs, name=name,
                    after=after[name], pending=pending))
        flows.append(graph_flow.Flow('%s-resources-%d' % (
            operation_type, number)).add(*tasks))
    if lone:
        batches = linear_flow.Flow('%s-batches' % operation_type)
        for start in range(0, len(lone), BATCH):
            batches.add(resource_tasks.ResourceBatchTask(
                operation_type, hooks,
                [(r, get_operation(r)) for r in lone[start:start + BATCH]],
                recorder, batch_workers,
                name='%s-batch-%d' % (operation_type, start // BATCH),
                extra=extra, pending=pending))
        flows.append(batches)
    return linear_flow.Flow('%s-all-resources' % operation_type).add(
        group(flows, '%s-resources' % operation_type),
        resource_tasks.AwaitPendingTask(
            pending, '%s-pending-work' % operation_type))


def components(nodes):
    """The nodes split in groups that share no dependency."""
    keys = {graph.resource_key(n.value): n for n in nodes}
    neighbours = collections.defaultdict(set)
    for node in nodes:
        for child in node.child_nodes:
            a, b = graph.resource_key(node.value), graph.resource_key(
                child.value)
            neighbours[a].add(b)
            neighbours[b].add(a)
    seen = set()
    components = []
    for key in keys:
        if key in seen:
            continue
        component, todo = [], [key]
        seen.add(key)
        while todo:
            current = todo.pop()
            component.append(keys[current])
            for other in neighbours[current] - seen:
                seen.add(other)
                todo.append(other)
        components.append(component)
    return components


def group(items, name, minimum=32):
    """``items`` (tasks or flows that may run in any order) in unordered
    flows of about sqrt(n) each, inside one unordered flow."""
    size = max(minimum, math.isqrt(max(len(items) - 1, 0)) + 1)
    outer = unordered_flow.Flow(name)
    for start in range(0, len(items), size):
        outer.add(unordered_flow.Flow('%s-%d' % (name, start)).add(
            *items[start:start + size]))
    return outer
