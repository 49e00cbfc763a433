"""Protection of Cinder volumes (type OS::Cinder::Volume) by Cinder backups.

Protect asks Cinder for a backup of the volume (of a snapshot of it when
the volume is in use, the snapshot removed afterwards) and waits for the
backup to become ``available``. The resource's bank metadata records the
volume, the backup id, its size and what Cinder says of the backup
(status, container, object count, its own metadata, ...). The data itself
stays in Cinder's backup store: the bank holds no data objects for a
volume.

Restore creates a new volume from the backup and waits for it to become
``available``; delete removes the backup. Verification checks, each with a
reason of its own: the recorded metadata is readable and names a backup,
the backup still exists, its status is ``available``, its size is the
recorded one.

Waiting is polling with a sleep between two looks (``poll_interval``),
bounded by ``backup_timeout`` / ``restore_timeout``: no thread waits on a
connection, and a backup that never finishes fails the resource.
"""

import time

from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import constants
from karbor.common import exception
from karbor.i18n import _
from karbor.services.protection import protection_plugin
from karbor.services.protection.clients import cinder

LOG = logging.getLogger(__name__)

RESOURCE_TYPE = 'OS::Cinder::Volume'
GROUP = 'cinder_volume'

opts = [
    cfg.IntOpt('backup_timeout', default=3600, min=1,
               help=_('Seconds a volume backup (and the snapshot taken of '
                      'a volume in use) may take before the protection of '
                      'the volume fails.')),
    cfg.IntOpt('restore_timeout', default=3600, min=1,
               help=_('Seconds a restore of a backup into a new volume, or '
                      'the deletion of a backup, may take.')),
    cfg.FloatOpt('poll_interval', default=2.0, min=0.01,
                 help=_('Seconds between two looks at a backup, snapshot '
                        'or volume that Cinder is still working on.')),
]


def list_opts():
    return [(GROUP, opts)]


RESTORE_SCHEMA = {
    'type': 'object',
    'properties': {
        'name': {'type': 'string', 'maxLength': 255,
                 'description': 'Name of the new volume; default: the '
                                'original name with "-restored".'},
    },
    'additionalProperties': False,
}

SAVED_INFO_SCHEMA = {
    'type': 'object',
    'properties': {
        'backup_id': {'type': 'string'},
        'size': {'type': 'integer'},
        'volume_id': {'type': 'string'},
    },
}

# What of Cinder's answer about a backup goes into the bank.
BACKUP_FIELDS = ('id', 'name', 'status', 'size', 'object_count', 'container',
                 'availability_zone', 'created_at', 'updated_at',
                 'data_timestamp', 'is_incremental', 'snapshot_id',
                 'volume_id', 'metadata', 'fail_reason')


def backup_record(backup):
    return {name: getattr(backup, name) for name in BACKUP_FIELDS
            if getattr(backup, name, None) is not None}


class Timeout(exception.ProtectionFailed):
    pass


def wait_for(get, what, ready, timeout, interval, errors=('error',),
             sleep=time.sleep, clock=time.monotonic):
    """Look at ``get()`` every ``interval`` seconds until its status is in
    ``ready``; ProtectionFailed when it turns to an error status or
    ``timeout`` seconds pass. Returns the last object."""
    deadline = clock() + timeout
    while True:
        item = get()
        status = getattr(item, 'status', None)
        if status in ready:
            return item
        if status in errors or (status or '').startswith('error'):
            detail = getattr(item, 'fail_reason', None)
            raise exception.ProtectionFailed(
                reason='%s went to status %s%s' % (
                    what, status, ': %s' % detail if detail else ''))
        if clock() >= deadline:
            raise Timeout(reason='%s still %s after %s s' % (
                what, status, timeout))
        sleep(interval)


def wait_gone(get, what, timeout, interval, sleep=time.sleep,
              clock=time.monotonic):
    """Until ``get()`` raises NotFound; error status or timeout fail."""
    deadline = clock() + timeout
    while True:
        try:
            item = get()
        except cinder.NotFound:
            return
        status = getattr(item, 'status', None)
        if (status or '').startswith('error'):
            raise exception.ProtectionFailed(
                reason='%s went to status %s' % (what, status))
        if clock() >= deadline:
            raise Timeout(reason='%s still %s after %s s' % (
                what, status, timeout))
        sleep(interval)


class _Base(protection_plugin.Operation):
    def __init__(self, plugin):
        self.plugin = plugin

    def client(self, context):
        return self.plugin.client_factory(context)

    def wait_for(self, get, what, ready, timeout):
        return wait_for(get, what, ready, timeout, self.plugin.poll_interval,
                        sleep=self.plugin.sleep, clock=self.plugin.clock)

    def wait_gone(self, get, what, timeout):
        return wait_gone(get, what, timeout, self.plugin.poll_interval,
                         sleep=self.plugin.sleep, clock=self.plugin.clock)


def read_metadata(section):
    """The recorded metadata, or ProtectionFailed saying what is wrong."""
    key = section.full_key(constants.BANK_RESOURCE_METADATA)
    try:
        metadata = section.get_json(constants.BANK_RESOURCE_METADATA)
    except exception.BankObjectNotFound:
        raise exception.ProtectionFailed(
            reason='the volume metadata %s is missing from the bank' % key)
    except Exception as e:
        raise exception.ProtectionFailed(
            reason='the volume metadata %s cannot be read: %s' % (key, e))
    if not isinstance(metadata, dict) or not metadata.get('backup_id'):
        raise exception.ProtectionFailed(
            reason='the volume metadata %s records no backup id' % key)
    return metadata


class ProtectOperation(_Base):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        client = self.client(context)
        section = checkpoint.resource_section(resource)
        timeout = self.plugin.backup_timeout
        try:
            volume = client.volumes.get(resource.id)
        except cinder.NotFound:
            raise exception.ProtectionFailed(
                reason='volume %s not found in Cinder' % resource.id)
        if volume.status not in ('available', 'in-use'):
            raise exception.ProtectionFailed(
                reason='volume %s is %s; only an available or in-use '
                       'volume can be backed up' % (volume.id, volume.status))
        name = 'karbor-%s-%s' % (checkpoint.id, volume.id)
        tags = {'karbor_checkpoint_id': checkpoint.id,
                'karbor_volume_id': volume.id}
        snapshot = None
        try:
            if volume.status == 'in-use':
                snapshot = client.volume_snapshots.create(
                    volume.id, force=True, name=name, metadata=tags)
                snapshot = self.wait_for(
                    lambda: client.volume_snapshots.get(snapshot.id),
                    'snapshot %s of volume %s' % (snapshot.id, volume.id),
                    ('available',), timeout)
            backup = client.backups.create(
                volume.id, name=name, force=True, metadata=tags,
                description='Karbor checkpoint %s' % checkpoint.id,
                snapshot_id=snapshot.id if snapshot else None)
            record = {'volume_id': volume.id, 'volume_size': volume.size,
                      'volume_name': getattr(volume, 'name', None) or '',
                      'backup_id': backup.id,
                      'snapshot_id': snapshot.id if snapshot else None}
            # Known at once, so that a delete finds the backup even if the
            # wait below fails.
            section.put_json(constants.BANK_RESOURCE_METADATA, record)
            backup = self.wait_for(lambda: client.backups.get(backup.id),
                                   'backup %s of volume %s' % (backup.id,
                                                               volume.id),
                                   ('available',), timeout)
        finally:
            if snapshot is not None:
                self._drop_snapshot(client, snapshot.id)
        record.update(size=backup.size, backup=backup_record(backup))
        section.put_json(constants.BANK_RESOURCE_METADATA, record)

    def _drop_snapshot(self, client, snapshot_id):
        try:
            client.volume_snapshots.delete(snapshot_id)
        except cinder.NotFound:
            pass
        except Exception:
            LOG.warning('Could not delete the temporary snapshot %s',
                        snapshot_id, exc_info=True)


class RestoreOperation(_Base):
    def on_main(self, checkpoint, resource, context, parameters,
                new_resources=None, **kwargs):
        client = self.client(context)
        metadata = read_metadata(checkpoint.resource_section(resource))
        name = parameters.get('name') or '%s-restored' % (
            metadata.get('volume_name') or resource.name or resource.id)
        try:
            restore = client.restores.restore(metadata['backup_id'],
                                              name=name)
        except cinder.NotFound:
            raise exception.ProtectionFailed(
                reason='backup %s not found' % metadata['backup_id'])
        volume = self.wait_for(
            lambda: client.volumes.get(restore.volume_id),
            'volume %s restored from backup %s' % (restore.volume_id,
                                                   metadata['backup_id']),
            ('available',), self.plugin.restore_timeout)
        if new_resources is not None:
            new_resources[resource.id] = volume.id


class DeleteOperation(_Base):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        section = checkpoint.resource_section(resource)
        try:
            metadata = section.get_json(constants.BANK_RESOURCE_METADATA)
        except exception.BankObjectNotFound:
            return  # protect failed before making a backup
        backup_id = (metadata or {}).get('backup_id')
        if not backup_id:
            return
        client = self.client(context)
        try:
            client.backups.delete(backup_id)
        except cinder.NotFound:
            return
        self.wait_gone(lambda: client.backups.get(backup_id),
                       'backup %s' % backup_id, self.plugin.restore_timeout)


class VerifyOperation(_Base):
    """The backup behind the checkpoint is still in Cinder, available and
    of the recorded size."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        metadata = read_metadata(checkpoint.resource_section(resource))
        backup_id = metadata['backup_id']
        try:
            backup = self.client(context).backups.get(backup_id)
        except cinder.NotFound:
            raise exception.ProtectionFailed(
                reason='backup %s not found' % backup_id)
        if backup.status != 'available':
            raise exception.ProtectionFailed(
                reason='backup status is %s' % backup.status)
        recorded = metadata.get('size')
        if recorded is not None and backup.size != recorded:
            raise exception.ProtectionFailed(
                reason='backup %s size is %s GiB, %s GiB recorded' % (
                    backup_id, backup.size, recorded))


class CinderVolumeProtectionPlugin(protection_plugin.ProtectionPlugin):
    SUPPORTED_RESOURCE_TYPES = (RESOURCE_TYPE,)

    def __init__(self, conf, state_path=None, client_factory=None,
                 sleep=time.sleep, clock=time.monotonic):
        super().__init__(conf, state_path)
        conf.register_opts(opts, group=GROUP)
        self.backup_timeout = conf[GROUP].backup_timeout
        self.restore_timeout = conf[GROUP].restore_timeout
        self.poll_interval = conf[GROUP].poll_interval
        self.client_factory = client_factory or cinder.client
        self.sleep = sleep
        self.clock = clock

    @classmethod
    def get_restore_schema(cls, resource_type):
        return RESTORE_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return SAVED_INFO_SCHEMA

    def get_protect_operation(self, resource):
        return ProtectOperation(self)

    def get_restore_operation(self, resource):
        return RestoreOperation(self)

    def get_delete_operation(self, resource):
        return DeleteOperation(self)

    def get_verify_operation(self, resource):
        return VerifyOperation(self)
