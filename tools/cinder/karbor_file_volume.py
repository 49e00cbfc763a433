"""Volumes as plain files, for Karbor's functional tests against Cinder.

Loaded by cinder-volume and cinder-backup from ``tools/cinder/cinder.sh``
(which puts this directory on their PYTHONPATH). It is not part of Karbor.

Why a driver of our own: the fake drivers in Cinder's wheel keep no data
and cannot be attached by cinder-backup, so their backups move nothing.
Here every volume and snapshot is one sparse file under
``[<backend>] karbor_volume_dir``, and attaching it means handing out its
path through os-brick's ``local`` connector: cinder-backup then reads and
writes the very bytes, and a restored volume can be compared with the
original file by file.
"""

import os
import shutil

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import units

from cinder import interface
from cinder.volume import configuration
from cinder.volume import driver

LOG = logging.getLogger(__name__)

OPTS = [
    cfg.StrOpt('karbor_volume_dir', default='$state_path/karbor-volumes',
               help='Directory with one sparse file per volume and '
                    'snapshot.'),
]
cfg.CONF.register_opts(OPTS, group=configuration.SHARED_CONF_GROUP)


def _sparse_copy(source, target, size_gib=None):
    """Copy ``source`` to ``target`` skipping holes, then set the size."""
    with open(source, 'rb') as src, open(target, 'wb') as dst:
        while True:
            block = src.read(units.Mi)
            if not block:
                break
            if block.count(0) == len(block):
                dst.seek(len(block), os.SEEK_CUR)
            else:
                dst.write(block)
        dst.truncate(size_gib * units.Gi if size_gib else src.tell())


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


@interface.volumedriver
class KarborFileVolumeDriver(driver.VolumeDriver):
    """Every volume and snapshot is a sparse file; see the module doc."""

    VERSION = '1.0.0'
    CI_WIKI_NAME = 'none'   # a test driver, never listed anywhere

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.configuration.append_config_values(OPTS)
        self.backend_name = (
            self.configuration.safe_get('volume_backend_name') or
            'karbor-file')

    def _file(self, name):
        return os.path.join(self.configuration.karbor_volume_dir, name)

    def do_setup(self, context):
        os.makedirs(self.configuration.karbor_volume_dir, exist_ok=True)

    def check_for_setup_error(self):
        if not os.path.isdir(self.configuration.karbor_volume_dir):
            raise RuntimeError('volume directory %s is missing' %
                               self.configuration.karbor_volume_dir)

    # Volumes.
    def create_volume(self, volume):
        with open(self._file(volume.name), 'wb') as f:
            f.truncate(volume.size * units.Gi)

    def delete_volume(self, volume):
        _remove(self._file(volume.name))

    def create_cloned_volume(self, volume, src_vref):
        _sparse_copy(self._file(src_vref.name), self._file(volume.name),
                     volume.size)

    def extend_volume(self, volume, new_size):
        os.truncate(self._file(volume.name), new_size * units.Gi)

    def local_path(self, volume):
        return self._file(volume.name)

    # Snapshots.
    def create_snapshot(self, snapshot):
        _sparse_copy(self._file(snapshot.volume_name),
                     self._file(snapshot.name))

    def delete_snapshot(self, snapshot):
        _remove(self._file(snapshot.name))

    def create_volume_from_snapshot(self, volume, snapshot):
        _sparse_copy(self._file(snapshot.name), self._file(volume.name),
                     volume.size)

    # Exports: nothing to export, the file is the device.
    def create_export(self, context, volume, connector):
        pass

    def ensure_export(self, context, volume):
        pass

    def remove_export(self, context, volume):
        pass

    def create_export_snapshot(self, context, snapshot, connector):
        pass

    def remove_export_snapshot(self, context, snapshot):
        pass

    # Connections: os-brick's "local" connector opens device_path.
    def initialize_connection(self, volume, connector):
        return {'driver_volume_type': 'local',
                'data': {'device_path': self._file(volume.name)}}

    def terminate_connection(self, volume, connector, **kwargs):
        # A restore writes the backup into the file and leaves out trailing
        # zero blocks, which on a file shortens it: give the volume its
        # full size back (the missing tail reads as zeros again).
        path = self._file(volume.name)
        wanted = volume.size * units.Gi
        if os.path.exists(path) and os.path.getsize(path) < wanted:
            os.truncate(path, wanted)

    def initialize_connection_snapshot(self, snapshot, connector, **kwargs):
        return {'driver_volume_type': 'local',
                'data': {'device_path': self._file(snapshot.name)}}

    def terminate_connection_snapshot(self, snapshot, connector, **kwargs):
        pass

    # Capacity, as the scheduler wants it.
    def _update_volume_stats(self):
        usage = shutil.disk_usage(self.configuration.karbor_volume_dir)
        self._stats = {
            'volume_backend_name': self.backend_name,
            'vendor_name': 'Karbor tests',
            'driver_version': self.VERSION,
            'storage_protocol': 'local',
            'pools': [{
                'pool_name': self.backend_name,
                'total_capacity_gb': usage.total // units.Gi,
                'free_capacity_gb': usage.free // units.Gi,
                'reserved_percentage': 0,
                'QoS_support': False,
                'thin_provisioning_support': True,
                'thick_provisioning_support': False,
                'max_over_subscription_ratio': 20.0,
                'multiattach': False,
            }],
        }

    def get_volume_stats(self, refresh=False):
        if refresh or not self._stats:
            self._update_volume_stats()
        return self._stats
