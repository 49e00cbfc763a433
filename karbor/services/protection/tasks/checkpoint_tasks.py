"""First and last tasks of the protect and delete flows."""

from oslo_log import log as logging
from taskflow import task

from karbor.common import constants
from karbor.db import checkpoints as checkpoints_db
from karbor.services.protection import provider
from karbor.services.protection.tasks import common

LOG = logging.getLogger(__name__)


class BankStatusRecorder:
    """Per-resource status of a protect, kept next to the data."""

    @staticmethod
    def started(checkpoint, resource):
        checkpoint.set_resource_status(
            resource, constants.RESOURCE_STATUS_PROTECTING)

    @staticmethod
    def succeeded(checkpoint, resource):
        # Whether the plugin wrote a manifest, so that a verification can
        # tell a manifest that vanished from one that never was.
        checkpoint.set_resource_status(
            resource, constants.RESOURCE_STATUS_AVAILABLE,
            manifest=checkpoint.has_manifest(resource))

    @staticmethod
    def failed(checkpoint, resource, reason):
        checkpoint.set_resource_status(
            resource, constants.RESOURCE_STATUS_ERROR, reason)


def _set_status(provider_id, checkpoint_id, status, reason=None,
                bank=True, expected=None):
    """Move the checkpoint from ``expected`` to ``status``, in the index
    and in the bank; nothing changes if it is no longer ``expected`` (a
    recovery ended it meanwhile)."""
    values = {'status': status, 'status_reason': reason, 'host': None}
    row = checkpoints_db.checkpoint_update(
        checkpoint_id, values, expected={'status': [expected]})
    if row is None:
        LOG.warning('Checkpoint %s is no longer %s; left as it is',
                    checkpoint_id, expected)
        return
    if bank:
        checkpoint = provider.get_checkpoint(provider_id, checkpoint_id)
        checkpoint.update_index(status=status, status_reason=reason)


class InitiateProtectTask(task.Task):
    def execute(self, provider_id, checkpoint_id):
        LOG.info('Protecting checkpoint %s', checkpoint_id)

    def revert(self, provider_id, checkpoint_id, operation_log_id,
               flow_failures=None, **kwargs):
        reason = common.failure_reason(flow_failures)
        LOG.error('Checkpoint %s failed: %s', checkpoint_id, reason)
        common.finish_operation_log(operation_log_id, reason)
        _set_status(provider_id, checkpoint_id,
                    constants.CHECKPOINT_STATUS_ERROR, reason,
                    expected=constants.CHECKPOINT_STATUS_PROTECTING)


class CompleteProtectTask(task.Task):
    def execute(self, provider_id, checkpoint_id, operation_log_id):
        # The log first: once the checkpoint shows available, its log
        # shows the end too.
        common.finish_operation_log(operation_log_id)
        _set_status(provider_id, checkpoint_id,
                    constants.CHECKPOINT_STATUS_AVAILABLE,
                    expected=constants.CHECKPOINT_STATUS_PROTECTING)
        LOG.info('Checkpoint %s is available', checkpoint_id)


class InitiateDeleteTask(task.Task):
    def execute(self, provider_id, checkpoint_id):
        LOG.info('Deleting checkpoint %s', checkpoint_id)

    def revert(self, provider_id, checkpoint_id, operation_log_id,
               flow_failures=None, **kwargs):
        reason = common.failure_reason(flow_failures)
        LOG.error('Deleting checkpoint %s failed: %s', checkpoint_id, reason)
        common.finish_operation_log(operation_log_id, reason)
        _set_status(provider_id, checkpoint_id,
                    constants.CHECKPOINT_STATUS_ERROR_DELETING, reason,
                    bank=False, expected=constants.CHECKPOINT_STATUS_DELETING)


class CompleteDeleteTask(task.Task):
    def execute(self, provider_id, checkpoint_id, operation_log_id):
        provider.get_checkpoint(provider_id, checkpoint_id).delete_all()
        common.finish_operation_log(operation_log_id)
        _set_status(provider_id, checkpoint_id,
                    constants.CHECKPOINT_STATUS_DELETED, bank=False,
                    expected=constants.CHECKPOINT_STATUS_DELETING)
        LOG.info('Checkpoint %s deleted', checkpoint_id)
