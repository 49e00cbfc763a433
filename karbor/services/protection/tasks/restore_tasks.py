"""First and last tasks of the restore flow, and its per-resource status."""

from oslo_log import log as logging
from taskflow import task

from karbor.common import constants
from karbor.db import restores as restores_db
from karbor.services.protection import graph
from karbor.services.protection.tasks import common

LOG = logging.getLogger(__name__)


class RestoreStatusRecorder:
    def __init__(self, restore_id):
        self.restore_id = restore_id

    def _set(self, resource, status, reason=''):
        restores_db.restore_set_resource_status(
            self.restore_id, graph.resource_key(resource), status, reason)

    def started(self, checkpoint, resource):
        self._set(resource, constants.RESOURCE_STATUS_RESTORING)

    def succeeded(self, checkpoint, resource):
        self._set(resource, constants.RESOURCE_STATUS_AVAILABLE)

    def failed(self, checkpoint, resource, reason):
        self._set(resource, constants.RESOURCE_STATUS_ERROR, reason)


class InitiateRestoreTask(task.Task):
    def execute(self, restore_id):
        LOG.info('Restore %s started', restore_id)

    def revert(self, restore_id, operation_log_id, flow_failures=None,
               **kwargs):
        reason = common.failure_reason(flow_failures)
        LOG.error('Restore %s failed: %s', restore_id, reason)
        common.finish_operation_log(operation_log_id, reason)
        restores_db.restore_update(restore_id, {
            'status': constants.RESTORE_STATUS_FAILURE,
            'status_reason': reason, 'host': None},
            expected={'status': [constants.RESTORE_STATUS_IN_PROGRESS]})


class CompleteRestoreTask(task.Task):
    def execute(self, restore_id, operation_log_id):
        common.finish_operation_log(operation_log_id)
        restores_db.restore_update(restore_id, {
            'status': constants.RESTORE_STATUS_SUCCESS, 'host': None},
            expected={'status': [constants.RESTORE_STATUS_IN_PROGRESS]})
        LOG.info('Restore %s succeeded', restore_id)
