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

No worker thread waits for Cinder: each hook starts the work, hands a job
to the process's :mod:`~karbor.services.protection.waiter` and returns its
future. The waiter's one thread looks at every job each ``poll_interval``
seconds (a snapshot becoming available, then its backup; a restored volume;
a backup going away), within ``backup_timeout`` / ``restore_timeout``; a
backup that never finishes fails the resource.
"""

from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import constants
from karbor.common import exception
from karbor.i18n import _
from karbor.services.protection import protection_plugin
from karbor.services.protection import waiter as waiter_module
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


Timeout = waiter_module.Timeout
NOT_YET = waiter_module.NOT_YET


class _Job:
    """What the waiter needs of a Cinder job: ``describe`` from the status
    last seen."""

    what = ''
    status = None

    def describe(self):
        return '%s still %s' % (self.what, self.status)

    def seen(self, item, ready):
        """NOT_YET, or ``item`` once its status is in ``ready``; raises on
        an error status."""
        self.status = getattr(item, 'status', None)
        if self.status in ready:
            return item
        if (self.status or '').startswith('error'):
            detail = getattr(item, 'fail_reason', None)
            raise exception.ProtectionFailed(
                reason='%s went to status %s%s' % (
                    self.what, self.status,
                    ': %s' % detail if detail else ''))
        return NOT_YET


class _Base(protection_plugin.Operation):
    def client(self, context):
        return self.plugin.client_factory(context)

    def watch(self, job, timeout):
        return self.plugin.waiter().watch(job, self.plugin.poll_interval,
                                          timeout)


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


class _BackupJob(_Job):
    """Snapshot (for a volume in use) until available, then a backup of it
    until available; the bank records the backup id as soon as there is
    one, and all that Cinder says of it at the end."""

    def __init__(self, client, checkpoint, section, volume):
        self.client = client
        self.checkpoint = checkpoint
        self.section = section
        self.volume = volume
        self.name = 'karbor-%s-%s' % (checkpoint.id, volume.id)
        self.tags = {'karbor_checkpoint_id': checkpoint.id,
                     'karbor_volume_id': volume.id}
        self.snapshot_id = None
        self.backup_id = None
        self.record = None

    def _existing(self, manager):
        """The backup (or snapshot) of this checkpoint and volume made
        before, by a run of this hook that did not end (a protect resumed
        on another worker runs its hook again): found by its name, unless
        it failed or is going away."""
        found = manager.list(search_opts={'name': self.name})
        for item in found:
            if (getattr(item, 'name', None) == self.name and
                    getattr(item, 'volume_id', self.volume.id) ==
                    self.volume.id and
                    item.status not in ('error', 'deleting',
                                        'error_deleting')):
                return item
        return None

    def start(self):
        backup = self._existing(self.client.backups)
        if backup is not None:
            LOG.info('Backup %s of volume %s for checkpoint %s exists '
                     'already; it is not made again', backup.id,
                     self.volume.id, self.checkpoint.id)
            self.snapshot_id = getattr(backup, 'snapshot_id', None)
            self._record_backup(backup)
            return
        if self.volume.status == 'in-use':
            snapshot = self._existing(self.client.volume_snapshots)
            if snapshot is None:
                snapshot = self.client.volume_snapshots.create(
                    self.volume.id, force=True, name=self.name,
                    metadata=self.tags)
            self.snapshot_id = snapshot.id
            self.what = 'snapshot %s of volume %s' % (snapshot.id,
                                                      self.volume.id)
            self.status = snapshot.status
        else:
            self._start_backup()

    def _start_backup(self):
        backup = self.client.backups.create(
            self.volume.id, name=self.name, force=True, metadata=self.tags,
            description='Karbor checkpoint %s' % self.checkpoint.id,
            snapshot_id=self.snapshot_id)
        self._record_backup(backup)

    def _record_backup(self, backup):
        self.backup_id = backup.id
        self.what = 'backup %s of volume %s' % (backup.id, self.volume.id)
        self.status = backup.status
        self.record = {'volume_id': self.volume.id,
                       'volume_size': self.volume.size,
                       'volume_name': getattr(self.volume, 'name', None) or
                       '',
                       'backup_id': backup.id,
                       'snapshot_id': self.snapshot_id}
        # Known at once, so that a delete finds the backup even if the
        # wait fails.
        self.section.put_json(constants.BANK_RESOURCE_METADATA, self.record)

    def poll(self):
        if self.backup_id is None:
            snapshot = self.seen(
                self.client.volume_snapshots.get(self.snapshot_id),
                ('available',))
            if snapshot is not NOT_YET:
                self._start_backup()
            return NOT_YET
        backup = self.seen(self.client.backups.get(self.backup_id),
                           ('available',))
        if backup is NOT_YET:
            return NOT_YET
        self.record.update(size=backup.size, backup=backup_record(backup))
        self.section.put_json(constants.BANK_RESOURCE_METADATA, self.record)
        return backup.id

    def close(self):
        if self.snapshot_id is None:
            return
        try:
            self.client.volume_snapshots.delete(self.snapshot_id)
        except cinder.NotFound:
            pass
        except Exception:
            LOG.warning('Could not delete the temporary snapshot %s',
                        self.snapshot_id, exc_info=True)


class ProtectOperation(_Base):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        client = self.client(context)
        try:
            volume = client.volumes.get(resource.id)
        except cinder.NotFound:
            raise exception.ProtectionFailed(
                reason='volume %s not found in Cinder' % resource.id)
        if volume.status not in ('available', 'in-use'):
            raise exception.ProtectionFailed(
                reason='volume %s is %s; only an available or in-use '
                       'volume can be backed up' % (volume.id, volume.status))
        job = _BackupJob(client, checkpoint,
                         checkpoint.resource_section(resource), volume)
        try:
            job.start()
        except Exception:
            job.close()
            raise
        return self.watch(job, self.plugin.backup_timeout)


class _RestoredVolumeJob(_Job):
    def __init__(self, client, volume_id, backup_id, resource,
                 new_resources):
        self.client = client
        self.volume_id = volume_id
        self.what = 'volume %s restored from backup %s' % (volume_id,
                                                           backup_id)
        self.resource = resource
        self.new_resources = new_resources

    def poll(self):
        volume = self.seen(self.client.volumes.get(self.volume_id),
                           ('available',))
        if volume is NOT_YET:
            return NOT_YET
        if self.new_resources is not None:
            self.new_resources[self.resource.id] = volume.id
        return volume.id


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
        return self.watch(
            _RestoredVolumeJob(client, restore.volume_id,
                               metadata['backup_id'], resource,
                               new_resources),
            self.plugin.restore_timeout)


class _BackupGoneJob(_Job):
    def __init__(self, client, backup_id):
        self.client = client
        self.backup_id = backup_id
        self.what = 'backup %s' % backup_id

    def poll(self):
        try:
            backup = self.client.backups.get(self.backup_id)
        except cinder.NotFound:
            return self.backup_id
        return self.seen(backup, ())


class DeleteOperation(_Base):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        section = checkpoint.resource_section(resource)
        try:
            metadata = section.get_json(constants.BANK_RESOURCE_METADATA)
        except exception.BankObjectNotFound:
            return None  # protect failed before making a backup
        backup_id = (metadata or {}).get('backup_id')
        if not backup_id:
            return None
        client = self.client(context)
        try:
            client.backups.delete(backup_id)
        except cinder.NotFound:
            return None
        return self.watch(_BackupGoneJob(client, backup_id),
                          self.plugin.restore_timeout)


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
    ACTS_FOR_CALLER = True
    PROTECT = ProtectOperation
    RESTORE = RestoreOperation
    DELETE = DeleteOperation
    VERIFY = VerifyOperation

    def __init__(self, conf, state_path=None, client_factory=None,
                 waiter=None):
        super().__init__(conf, state_path)
        conf.register_opts(opts, group=GROUP)
        self.backup_timeout = conf[GROUP].backup_timeout
        self.restore_timeout = conf[GROUP].restore_timeout
        self.poll_interval = conf[GROUP].poll_interval
        self.client_factory = client_factory or cinder.client
        # The process's waiter, looked up when needed: a stopped protection
        # service leaves a fresh one to the next.
        self.waiter = (lambda: waiter) if waiter else waiter_module.get

    @classmethod
    def get_restore_schema(cls, resource_type):
        return RESTORE_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return SAVED_INFO_SCHEMA
