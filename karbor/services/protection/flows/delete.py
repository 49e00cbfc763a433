"""Flow of a checkpoint delete: initiate, the plugins' delete hooks, then
removal of the checkpoint's bank objects."""

from taskflow.patterns import linear_flow

from karbor.services.protection.flows import resource_flow
from karbor.services.protection.tasks import checkpoint_tasks
from karbor.services.protection.tasks import resource_tasks


def get_flow(provider, checkpoint_id, sources):
    flow = linear_flow.Flow('delete-%s' % checkpoint_id)
    flow.add(
        checkpoint_tasks.InitiateDeleteTask(),
        resource_flow.build(
            'delete', sources,
            lambda r: provider.plugin_for(r.type).get_delete_operation(r),
            resource_tasks.NullRecorder()),
        checkpoint_tasks.CompleteDeleteTask())
    return flow
