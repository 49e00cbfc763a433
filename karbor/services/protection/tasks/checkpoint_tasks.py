"""First and last tasks of the protect and delete flows."""

from oslo_log import log as logging
from taskflow import task

from karbor.common import constants
from karbor.common import exception
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

    @staticmethod
    def done(checkpoint, resource):
        """Whether the resource was protected by an earlier run of its
        task (a resume): its status says so. A status object written
        after the resource's data was durable (see
        resource_tasks.ResourceBatchTask); one that cannot be read says
        no."""
        try:
            status = checkpoint.resource_section(resource).get_json(
                constants.BANK_RESOURCE_STATUS)
        except (exception.BankError, exception.BankObjectNotFound):
            return False
        return isinstance(status, dict) and status.get('status') == \
            constants.RESOURCE_STATUS_AVAILABLE


def _set_status(provider_id, checkpoint_id, status, operation_log_id,
                reason=None, bank=True, expected=None):
    """Move the checkpoint from ``expected`` to ``status`` and end its
    operation log, together, in the index; then in the bank. Nothing
    changes if it is no longer ``expected`` (a recovery or a reset ended
    it meanwhile)."""
    if not checkpoints_db.checkpoint_end(checkpoint_id, expected, status,
                                         operation_log_id, reason):
        LOG.warning('Checkpoint %s is no longer %s; left as it is (not '
                    'made %s)', checkpoint_id, expected, status)
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
        _set_status(provider_id, checkpoint_id,
                    constants.CHECKPOINT_STATUS_ERROR, operation_log_id,
                    reason, expected=constants.CHECKPOINT_STATUS_PROTECTING)


class CompleteProtectTask(task.Task):
    def execute(self, provider_id, checkpoint_id, operation_log_id):
        _set_status(provider_id, checkpoint_id,
                    constants.CHECKPOINT_STATUS_AVAILABLE, operation_log_id,
                    expected=constants.CHECKPOINT_STATUS_PROTECTING)
        LOG.info('Checkpoint %s is available', checkpoint_id)


class InitiateDeleteTask(task.Task):
    def execute(self, provider_id, checkpoint_id):
        LOG.info('Deleting checkpoint %s', checkpoint_id)

    def revert(self, provider_id, checkpoint_id, operation_log_id,
               flow_failures=None, **kwargs):
        reason = common.failure_reason(flow_failures)
        LOG.error('Deleting checkpoint %s failed: %s', checkpoint_id, reason)
        _set_status(provider_id, checkpoint_id,
                    constants.CHECKPOINT_STATUS_ERROR_DELETING,
                    operation_log_id, reason, bank=False,
                    expected=constants.CHECKPOINT_STATUS_DELETING)


class CompleteDeleteTask(task.Task):
    def execute(self, provider_id, checkpoint_id, operation_log_id):
        provider.get_checkpoint(provider_id, checkpoint_id).delete_all()
        _set_status(provider_id, checkpoint_id,
                    constants.CHECKPOINT_STATUS_DELETED, operation_log_id,
                    bank=False,
                    expected=constants.CHECKPOINT_STATUS_DELETING)
        LOG.info('Checkpoint %s deleted', checkpoint_id)
