"""Flow of a verification: InitiateVerificationTask, VerifyResourcesTask
(every resource of the checkpoint's graph, ``[protection]
operation_threads`` at a time; a verdict each), AwaitVerdictsTask (the
verdicts that wait for work the plugins' hooks left running),
CompleteVerificationTask. Four tasks whatever the number of resources:
the engine's cost (and its persistence's) does not grow with them."""

from oslo_config import cfg
from oslo_log import log as logging
from taskflow.patterns import linear_flow

from karbor.db import verifications as verifications_db
from karbor.services.protection import graph
from karbor.services.protection.tasks import verification_tasks
from karbor.services.protection import verification


LOG = logging.getLogger(__name__)


def _refused(took, verification_id, what):
    """Say it when a write is refused because the verification ended (a
    recovery or a reset): it is not brought back."""
    if not took:
        LOG.info('Verification %s has ended; %s not recorded',
                 verification_id, what)


def get_flow(provider, verification_id, sources, threads,
             progress_values=None):
    resources = [node.value for node in graph.iter_nodes(sources)]
    progress = verification.Progress(
        lambda values: _refused(
            verifications_db.verification_set_progress(
                verification_id, values), verification_id, 'progress'),
        record=lambda verdicts, values: _refused(
            verifications_db.verification_set_resource_statuses(
                verification_id, verdicts, progress=values),
            verification_id, 'verdicts of %s' % ', '.join(sorted(verdicts))))
    if progress_values:
        # A resumed verification counts on from what was written.
        for key, value in progress_values.items():
            if key in progress.values:
                progress.values[key] = value
    # Verdicts that wait for work a plugin hook left running (a future).
    pending = verification_tasks.PendingVerdicts(progress)
    checks = verification_tasks.VerifyResourcesTask(
        resources, provider.plugins, progress, threads, pending,
        cfg.CONF.protection.operation_threads)
    flow = linear_flow.Flow('verify-%s' % verification_id)
    flow.add(verification_tasks.InitiateVerificationTask(resources,
                                                         progress),
             checks,
             verification_tasks.AwaitVerdictsTask(pending),
             verification_tasks.CompleteVerificationTask(progress))
    return flow
