"""Flow of a verification: InitiateVerificationTask, one
VerifyResourceTask per resource of the checkpoint's graph (in parallel;
a verdict each), CompleteVerificationTask."""

import math

from taskflow.patterns import linear_flow
from taskflow.patterns import unordered_flow

from karbor.db import verifications as verifications_db
from karbor.services.protection import graph
from karbor.services.protection.tasks import verification_tasks
from karbor.services.protection import verification

GROUP_SIZE = 32


def get_flow(provider, verification_id, sources, threads):
    resources = [node.value for node in graph.iter_nodes(sources)]
    progress = verification.Progress(
        lambda values: verifications_db.verification_update(
            verification_id, {'progress': values}),
        record=lambda verdicts, values:
            verifications_db.verification_set_resource_statuses(
                verification_id, verdicts, progress=values))
    tasks = [verification_tasks.VerifyResourceTask(
        resource, provider.plugins.get(resource.type), progress, threads)
        for resource in resources]
    # Unordered groups of about sqrt(n) tasks: taskflow's compiler merges
    # the children of a flow one by one, each merge copying the graph so
    # far: n^2 for n tasks in one flow (compiling 3,000 tasks: 19 s in one
    # flow, 3.5 s in groups).
    size = max(GROUP_SIZE, math.isqrt(max(len(tasks) - 1, 0)) + 1)
    checks = unordered_flow.Flow('verify-resources')
    for start in range(0, len(tasks), size):
        checks.add(unordered_flow.Flow('verify-resources-%d' % start).add(
            *tasks[start:start + size]))
    flow = linear_flow.Flow('verify-%s' % verification_id)
    flow.add(verification_tasks.InitiateVerificationTask(resources,
                                                         progress),
             checks,
             verification_tasks.CompleteVerificationTask(progress))
    return flow
