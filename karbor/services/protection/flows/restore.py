"""Flow of a restore: initiate, the plugins' restore hooks along the
checkpoint's resource graph, complete."""

from taskflow.patterns import linear_flow

from karbor.services.protection.flows import resource_flow
from karbor.services.protection.tasks import restore_tasks


def get_flow(provider, restore_id, sources, new_resources=None):
    """``new_resources``: the map as the hooks that already ran left it
    (a resumed restore)."""
    flow = linear_flow.Flow('restore-%s' % restore_id)
    recorder = restore_tasks.RestoreStatusRecorder(restore_id)
    flow.add(
        restore_tasks.InitiateRestoreTask(recorder),
        resource_flow.build(
            'restore', sources,
            lambda r: provider.plugin_for(r.type).get_restore_operation(r),
            recorder,
            extra=('restore_id',),
            # Original resource id -> new resource, shared by the hooks.
            hook_kwargs={'new_resources': dict(new_resources or {})}),
        restore_tasks.CompleteRestoreTask(recorder))
    return flow
