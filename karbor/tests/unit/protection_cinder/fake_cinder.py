"""An in-test fake of the Cinder client, for the unit tests ONLY.

It imitates the few calls of python-cinderclient the Cinder volume plugins
make (volumes, volume_snapshots, backups, restores), keeps its state in
dicts and moves an object from a transient status to its final one after
a given number of ``get`` calls, so that the plugins' polling loops run.
Nothing here talks to a real Cinder: the functional tests
(karbor/tests/functional/test_cinder_volume.py) do that.
"""

import itertools
import uuid

from cinderclient import exceptions as cinder_exc

from karbor.services.protection.clients import cinder

URL = 'http://cinder.invalid/v3'


class Obj:
    """A cinderclient resource: attributes and ``to_dict``."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def to_dict(self):
        return dict(self.__dict__)


class _Store:
    def __init__(self, fake, kind):
        self.fake = fake
        self.kind = kind
        self.items = {}
        # id -> [statuses to go through on successive gets]
        self.pending = {}

    def add(self, obj, then=()):
        self.items[obj.id] = obj
        if then:
            self.pending[obj.id] = list(then)
        return obj

    def get(self, obj_id):
        self.fake.check_up()
        self.fake.calls.append(('%s.get' % self.kind, obj_id))
        obj_id = getattr(obj_id, 'id', obj_id)
        if obj_id not in self.items:
            raise cinder_exc.NotFound(404, '%s %s could not be found.' % (
                self.kind, obj_id))
        steps = self.pending.get(obj_id)
        if steps:
            step = steps.pop(0)
            if step is None:      # gone
                del self.items[obj_id]
                raise cinder_exc.NotFound(404, 'gone')
            self.items[obj_id].status = step
        return self.items[obj_id]

    def list(self, detailed=True, search_opts=None):
        self.fake.check_up()
        name = (search_opts or {}).get('name')
        # As Cinder: the name filter matches whole names.
        return [item for item in self.items.values()
                if name is None or getattr(item, 'name', None) == name]

    def delete(self, obj, force=False):
        self.fake.check_up()
        obj_id = getattr(obj, 'id', obj)
        self.fake.calls.append(('%s.delete' % self.kind, obj_id))
        if obj_id not in self.items:
            raise cinder_exc.NotFound(404, 'not found')
        self.items[obj_id].status = 'deleting'
        self.pending[obj_id] = list(self.fake.delete_steps) + [None]


class _Volumes(_Store):
    pass


class _Snapshots(_Store):
    def create(self, volume_id, force=False, name=None, description=None,
               metadata=None):
        self.fake.check_up()
        self.fake.calls.append(('snapshots.create', volume_id))
        return self.add(Obj(id=str(uuid.uuid4()), volume_id=volume_id,
                            status='creating', name=name,
                            metadata=metadata or {}),
                        then=self.fake.snapshot_steps)


class _Backups(_Store):
    def create(self, volume_id, container=None, name=None, description=None,
               incremental=False, force=False, snapshot_id=None,
               metadata=None):
        self.fake.check_up()
        self.fake.calls.append(('backups.create', volume_id, snapshot_id,
                                force))
        volume = self.fake.volumes.items[volume_id]
        return self.add(Obj(id=str(uuid.uuid4()), volume_id=volume_id,
                            snapshot_id=snapshot_id, status='creating',
                            size=volume.size, name=name,
                            description=description, container='c1',
                            object_count=3, metadata=metadata or {},
                            fail_reason=self.fake.backup_fail_reason,
                            is_incremental=False),
                        then=self.fake.backup_steps)


class _Restores:
    def __init__(self, fake):
        self.fake = fake

    def restore(self, backup_id, volume_id=None, name=None):
        self.fake.check_up()
        self.fake.calls.append(('restores.restore', backup_id, name))
        backup = self.fake.backups.items.get(backup_id)
        if backup is None:
            raise cinder_exc.NotFound(404, 'Backup %s could not be found.' %
                                      backup_id)
        volume = self.fake.volumes.add(
            Obj(id=str(uuid.uuid4()), name=name, size=backup.size,
                status='creating', attachments=[]),
            then=self.fake.restore_steps)
        return Obj(backup_id=backup_id, volume_id=volume.id,
                   volume_name=name)


class FakeCinder:
    """The client; ``down = True`` makes every call fail as an unreachable
    Cinder does (CinderUnavailable, the error the real client wrapper
    raises)."""

    def __init__(self):
        self.calls = []
        self.down = False
        self.volumes = _Volumes(self, 'volumes')
        self.volume_snapshots = _Snapshots(self, 'snapshots')
        self.backups = _Backups(self, 'backups')
        self.restores = _Restores(self)
        self.snapshot_steps = ['creating', 'available']
        self.backup_steps = ['creating', 'creating', 'available']
        self.restore_steps = ['restoring-backup', 'available']
        self.delete_steps = ['deleting']
        self.backup_fail_reason = None
        self._ids = itertools.count(1)

    def check_up(self):
        if self.down:
            raise cinder.CinderUnavailable(
                service='Cinder', reason='it cannot be reached')

    def add_volume(self, size=1, status='available', name=None,
                   attachments=()):
        return self.volumes.add(Obj(
            id=str(uuid.uuid4()), size=size, status=status,
            name=name or 'vol-%d' % next(self._ids),
            availability_zone='nova', volume_type='__DEFAULT__',
            bootable='false', attachments=list(attachments)))

    def add_backup(self, volume_id, size=1, status='available'):
        return self.backups.add(Obj(
            id=str(uuid.uuid4()), volume_id=volume_id, size=size,
            status=status, container='c1', object_count=1, metadata={},
            fail_reason=None))
