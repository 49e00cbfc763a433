"""Cinder volumes protected by Karbor through a Cinder whose backups go
into the real Swift (the second Cinder of cinder_fixture: the swift backup
driver, single-user v1 auth against tools/swift/swift.sh).

The protect, verify, restore and lose-the-backup test of
test_cinder_volume runs here too, and looks in Swift for the backup's
objects: the bytes written into the volume's file went through cinder-backup
into the container that Karbor recorded. A second test deletes the
checkpoint and sees the objects leave Swift.

The Karbor bank is the file system: what differs from test_cinder_volume
is only where Cinder keeps the backup.

Run: ``stestr run karbor.tests.functional.test_cinder_swift_backups``. Swift
and this Cinder are started once per run (this Cinder about 15 s, in the
first Cinder's virtual environment) and stopped at the end, unless they
were already running; if either cannot start, the tests fail.
"""

import swiftclient

from karbor.common import constants
from karbor.tests.functional import cinder_fixture
from karbor.tests.functional import test_cinder_volume as base

# Random bytes that volume_with_data() writes; they do not compress.
RANDOM_BYTES = (base.FILL_MIB or 3) * base.MiB


class CinderSwiftBackupsTest(base._FileSystemBank, base._BankTests,
                             base._CinderVolumeTestCase):

    def ensure_cinder(self):
        return cinder_fixture.ensure_cinder_swift_backups()

    def swift(self):
        endpoint = self.cinder.swift
        conn = swiftclient.Connection(authurl=endpoint.auth_url,
                                      user=endpoint.user, key=endpoint.key,
                                      auth_version='1')
        self.addCleanup(conn.close)
        return conn

    def backup_objects(self, backup_id):
        """{name: bytes} of the objects of a backup in the container of
        this Cinder's backups."""
        _headers, listing = self.swift().get_container(self.cinder.container,
                                                       full_listing=True)
        return {item['name']: item['bytes'] for item in listing
                if backup_id in item['name']}

    def check_backup_stored(self, backup, volume_id):
        self.assertEqual(self.cinder.container, backup.container)
        objects = self.backup_objects(backup.id)
        # volume_<id>/<time>/az_<zone>_backup_<id>: chunks -00001, ...,
        # then _metadata and _sha256file.
        for name in objects:
            self.assertTrue(name.startswith('volume_%s/' % volume_id), name)
        self.assertTrue(any(n.endswith('_metadata') for n in objects),
                        sorted(objects))
        self.assertTrue(any(n.endswith('_sha256file') for n in objects),
                        sorted(objects))
        chunks = {n: size for n, size in objects.items()
                  if not n.endswith(('_metadata', '_sha256file'))}
        self.assertEqual(backup.object_count, len(chunks), sorted(objects))
        self.assertGreaterEqual(sum(chunks.values()), RANDOM_BYTES)
        print('backup %s in Swift container %s: %d chunks, %d bytes' % (
            backup.id, backup.container, len(chunks), sum(chunks.values())))

    def test_delete_checkpoint_removes_the_objects_from_swift(self):
        volume = self.volume_with_data()
        checkpoint = self.protect(volume.id)
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE,
                         checkpoint.status, checkpoint.status_reason)
        backup_id = self.recorded(checkpoint.id, volume.id)['backup_id']
        self.assertTrue(self.backup_objects(backup_id))

        row = self.delete(checkpoint.id)
        self.assertEqual(constants.CHECKPOINT_STATUS_DELETED, row.status,
                         row.status_reason)
        self.assertNotIn(backup_id,
                         [b.id for b in self.client.backups.list()])
        # Karbor waited until Cinder no longer knew the backup; Cinder
        # deletes the objects before it forgets the backup.
        self.assertEqual({}, self.backup_objects(backup_id))
