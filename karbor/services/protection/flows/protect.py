"""Flow of a protect: initiate, the plugins' protect hooks along the
resource graph, complete."""

from oslo_config import cfg
from taskflow.patterns import linear_flow

from karbor.services.protection.flows import resource_flow
from karbor.services.protection.tasks import checkpoint_tasks


def get_flow(provider, checkpoint_id, sources):
    flow = linear_flow.Flow('protect-%s' % checkpoint_id)
    flow.add(
        checkpoint_tasks.InitiateProtectTask(),
        resource_flow.build(
            'protect', sources,
            lambda r: provider.plugin_for(r.type).get_protect_operation(r),
            checkpoint_tasks.BankStatusRecorder(),
            batch_workers=cfg.CONF.protection.operation_threads),
        checkpoint_tasks.CompleteProtectTask())
    return flow
