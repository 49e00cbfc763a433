"""First and last tasks of the restore flow, and its per-resource status."""

from oslo_log import log as logging
from taskflow import task

from karbor.common import constants
from karbor.db import restores as restores_db
from karbor.services.protection import graph
from karbor.services.protection.tasks import common
from karbor.services.protection import verification

LOG = logging.getLogger(__name__)


class RestoreStatusRecorder:
    """The status of each resource, written in batches: at most one write
    a second, the rest by ``write_now``. A write per resource rewrote the
    whole map under the row's lock each time: a restore of 5,000
    resources queued its threads on that lock for minutes."""

    def __init__(self, restore_id):
        self.restore_id = restore_id
        self.progress = verification.Progress(
            lambda values: None,
            record=lambda verdicts, values: self._record(verdicts))

    def _record(self, verdicts):
        if not restores_db.restore_set_resource_statuses(self.restore_id,
                                                         verdicts):
            LOG.info('Restore %s has ended; statuses of %s not recorded',
                     self.restore_id, ', '.join(sorted(verdicts)))

    def _set(self, resource, status, reason=''):
        self.progress.verdict(graph.resource_key(resource), status, reason)

    def write_now(self):
        self.progress.write_now()

    def started(self, checkpoint, resource):
        self._set(resource, constants.RESOURCE_STATUS_RESTORING)

    def succeeded(self, checkpoint, resource):
        self._set(resource, constants.RESOURCE_STATUS_AVAILABLE)

    def failed(self, checkpoint, resource, reason):
        self._set(resource, constants.RESOURCE_STATUS_ERROR, reason)


class InitiateRestoreTask(task.Task):
    def __init__(self, recorder=None, **kwargs):
        super().__init__(**kwargs)
        self.recorder = recorder

    def execute(self, restore_id):
        LOG.info('Restore %s started', restore_id)

    def revert(self, restore_id, operation_log_id, flow_failures=None,
               **kwargs):
        if self.recorder is not None:
            self.recorder.write_now()
        reason = common.failure_reason(flow_failures)
        LOG.error('Restore %s failed: %s', restore_id, reason)
        if not restores_db.restore_end(
                restore_id, constants.RESTORE_STATUS_FAILURE,
                operation_log_id, reason):
            LOG.warning('Restore %s had already ended; left as it is',
                        restore_id)


class CompleteRestoreTask(task.Task):
    def __init__(self, recorder=None, **kwargs):
        super().__init__(**kwargs)
        self.recorder = recorder

    def execute(self, restore_id, operation_log_id):
        if self.recorder is not None:
            self.recorder.write_now()
        if restores_db.restore_end(restore_id,
                                   constants.RESTORE_STATUS_SUCCESS,
                                   operation_log_id):
            LOG.info('Restore %s succeeded', restore_id)
        else:
            LOG.warning('Restore %s had already ended; its success is not '
                        'recorded', restore_id)
