"""The part of every flow that walks the resource graph: four hook tasks per
resource, ordered along the graph."""

from taskflow.patterns import graph_flow

from karbor.services.protection import graph
from karbor.services.protection import protection_plugin
from karbor.services.protection.tasks import resource_tasks


def build(operation_type, sources, get_operation, recorder, extra=(),
          hook_kwargs=None):
    """A graph flow over ``sources`` (graph.GraphNode list).

    ``get_operation(resource)`` gives the plugin's Operation. Per node:
    prepare_begin -> prepare_finish -> main -> complete. Per parent and
    child: parent.prepare_begin -> child.prepare_begin,
    child.prepare_finish -> parent.prepare_finish and
    child.complete -> parent.complete.
    """
    flow = graph_flow.Flow('%s-resources' % operation_type)
    tasks = {}
    for node in graph.iter_nodes(sources):
        resource = node.value
        operation = get_operation(resource)
        hooks = protection_plugin.HOOKS
        node_tasks = {
            hook: resource_tasks.ResourceHookTask(
                operation_type, hook, resource, operation, recorder,
                first=(hook == hooks[0]), last=(hook == hooks[-1]),
                extra=extra, hook_kwargs=hook_kwargs)
            for hook in hooks}
        flow.add(*node_tasks.values())
        for before, after in zip(hooks, hooks[1:]):
            flow.link(node_tasks[before], node_tasks[after])
        tasks[graph.resource_key(resource)] = node_tasks
    for node in graph.iter_nodes(sources):
        parent = tasks[graph.resource_key(node.value)]
        for child_node in node.child_nodes:
            child = tasks[graph.resource_key(child_node.value)]
            flow.link(parent['on_prepare_begin'], child['on_prepare_begin'])
            flow.link(child['on_prepare_finish'], parent['on_prepare_finish'])
            flow.link(child['on_complete'], parent['on_complete'])
    return flow
