"""Flow of a verification: InitiateVerificationTask, one
VerifyResourceTask per resource of the checkpoint's graph (in parallel;
a verdict each), CompleteVerificationTask."""

from taskflow.patterns import linear_flow
from taskflow.patterns import unordered_flow

from karbor.db import verifications as verifications_db
from karbor.services.protection import graph
from karbor.services.protection.tasks import verification_tasks
from karbor.services.protection import verification


def get_flow(provider, verification_id, sources, threads):
    resources = [node.value for node in graph.iter_nodes(sources)]
    progress = verification.Progress(
        lambda values: verifications_db.verification_update(
            verification_id, {'progress': values}),
        record=lambda verdicts, values:
            verifications_db.verification_set_resource_statuses(
                verification_id, verdicts, progress=values))
    checks = unordered_flow.Flow('verify-resources')
    for resource in resources:
        checks.add(verification_tasks.VerifyResourceTask(
            resource, provider.plugins.get(resource.type), progress,
            threads))
    flow = linear_flow.Flow('verify-%s' % verification_id)
    flow.add(verification_tasks.InitiateVerificationTask(resources,
                                                         progress),
             checks,
             verification_tasks.CompleteVerificationTask(progress))
    return flow
