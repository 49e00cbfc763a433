"""Cinder volumes protected, verified and restored against a real Cinder
(tools/cinder/cinder.sh: Cinder 29 from PyPI, file-backed volumes, posix
backups), through the protection manager in process with a provider of
the cinder_volume plugin.

The plugin keeps the backup in Cinder and what it knows of it in the bank:
the protect, verify, restore and lose-the-backup test runs once per bank
(the file system, a real Swift of tools/swift/swift.sh, Swift's s3api); the
other tests use the file-system bank only.

Run: ``stestr run karbor.tests.functional.test_cinder_volume``. Cinder is
started once per run (about 10 s once installed) and stopped at the end,
unless it was already running; a Cinder that cannot start fails the tests.
"""

import hashlib
import logging
import os
import socket
import threading
import time
import uuid

from cinderclient import client as cinder_client
from cinderclient.contrib import noauth
import fixtures
from keystoneauth1 import session as ks_session

from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.services.protection import manager as manager_module
from karbor.tests.functional.banks import test_s3_bank
from karbor.tests.functional import cinder_fixture
from karbor.tests.functional import swift_fixture
from karbor.tests.functional import utils
from karbor.tests.unit.protection import base

PROVIDER = '3c0b9a52-6d1e-4f7a-b8c3-2e5d4f6a7b81'
TYPE = 'OS::Cinder::Volume'
WAIT = 300
MiB = 1024 * 1024
# KARBOR_CINDER_TEST_DATA_MIB=1024 fills the whole 1 GiB volume with random
# bytes (for timings); by default 3 MiB of it are written.
FILL_MIB = int(os.environ.get('KARBOR_CINDER_TEST_DATA_MIB') or 0)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(MiB), b''):
            digest.update(block)
    return digest.hexdigest()


class _CinderVolumeTestCase(base.ManagerCalls, base.ProtectionTestCase):
    """A provider of the cinder_volume plugin over the bank of a mixin,
    which gives the provider file its bank section(s) (``bank_sections``).
    The Cinder is the one of ``ensure_cinder`` (posix backups unless a
    subclass says otherwise).
    """

    bank = None
    provider_id = PROVIDER
    wait_timeout = WAIT
    wait_interval = 0.1

    def ensure_cinder(self):
        return cinder_fixture.ensure_cinder()

    def setUp(self):
        self.cinder = self.ensure_cinder()
        super().setUp()
        self.project = self.cinder.project
        config_dir = os.path.join(self.tmp, 'providers.d')
        os.makedirs(config_dir)
        sections = {'provider': {'id': PROVIDER,
                                 'name': 'Cinder functional tests',
                                 'bank': self.bank,
                                 'plugin': 'cinder_volume'},
                    'cinder_volume': {'poll_interval': 0.3,
                                      'backup_timeout': WAIT,
                                      'restore_timeout': WAIT}}
        sections.update(self.bank_sections())
        utils.write_config(os.path.join(config_dir, 'cinder.conf'), sections)
        self.conf.config(enable_local_provider=False, config_dir=config_dir,
                         group='providers')
        self.conf.config(endpoint_override=self.cinder.url, timeout=30,
                         group='cinder')
        self.manager = manager_module.ProtectionManager()
        self.manager.init_host()
        self.addCleanup(self.manager.cleanup_host)
        self.ctx = karbor_context.RequestContext(project_id=self.project,
                                                 user_id='karbor-test')
        auth = noauth.CinderNoAuthPlugin('karbor-test', self.project,
                                         endpoint=self.cinder.url)
        self.client = cinder_client.Client(
            '3.43', session=ks_session.Session(auth=auth, timeout=30))

    def bank_sections(self):
        raise NotImplementedError

    def check_backup_stored(self, backup, volume_id):
        """Where the Cinder keeps the bytes of ``backup`` (of the volume
        ``volume_id``), for a subclass to look at; the posix directory is
        not looked at."""

    # Cinder, directly

    def wait_status(self, get, want=('available',)):
        deadline = time.monotonic() + WAIT
        while True:
            item = get()
            if item.status in want:
                return item
            if item.status.startswith('error'):
                self.fail('%s went %s' % (item.id, item.status))
            if time.monotonic() > deadline:
                self.fail('%s still %s' % (item.id, item.status))
            time.sleep(0.3)

    def delete_volume(self, volume_id):
        for _ in range(100):
            try:
                self.client.volumes.delete(volume_id)
                return
            except Exception as e:
                if getattr(e, 'code', None) == 404:
                    return
                time.sleep(0.3)

    def volume_with_data(self, size_gib=1):
        volume = self.client.volumes.create(
            size_gib, name='karbor-ft-%s' % uuid.uuid4().hex[:8])
        self.addCleanup(self.delete_volume, volume.id)
        volume = self.wait_status(lambda: self.client.volumes.get(volume.id))
        path = self.volume_file(volume.id)
        with open(path, 'r+b') as f:
            if FILL_MIB:
                for _ in range(min(FILL_MIB, size_gib * 1024)):
                    f.write(os.urandom(MiB))
            else:
                f.write(os.urandom(2 * MiB))
                f.seek(300 * MiB)
                f.write(os.urandom(MiB))
        return volume

    def volume_file(self, volume_id):
        return os.path.join(self.cinder.volume_dir, 'volume-%s' % volume_id)

    # Karbor, through the manager, as the RPC server calls it

    def resource(self, volume_id):
        return {'type': TYPE, 'id': volume_id, 'name': volume_id,
                'extra_info': {}}

    def protect(self, *volume_ids):
        row, _log_id = super().protect(
            [self.resource(volume_id) for volume_id in volume_ids])
        return row

    def verify(self, checkpoint_id):
        return super().verify(checkpoint_id)[0]

    def restore(self, checkpoint_id, name):
        return super().restore(checkpoint_id, {TYPE: {'name': name}})[0]

    def delete(self, checkpoint_id):
        return super().delete(checkpoint_id)[0]

    def recorded(self, checkpoint_id, volume_id):
        from karbor.services.protection import provider
        checkpoint = provider.get_checkpoint(PROVIDER, checkpoint_id)
        return checkpoint.resource_section(
            self.resource_tuple(volume_id)).get_json(
                constants.BANK_RESOURCE_METADATA)

    def resource_tuple(self, volume_id):
        from karbor.services.protection import graph
        return graph.Resource(TYPE, volume_id, volume_id, {})


class _FileSystemBank:
    bank = 'file_system'

    def bank_sections(self):
        return {'file_system_bank': {'path': os.path.join(self.tmp, 'bank')}}


class _SwiftBank:
    bank = 'swift'

    def bank_sections(self):
        container = self.useFixture(swift_fixture.SwiftContainer())
        return {'swift_bank': container.bank_options()}


class _S3Bank:
    bank = 's3'

    def bank_sections(self):
        # botocore logs every request and its signing at DEBUG.
        self.useFixture(fixtures.FakeLogger(name='botocore',
                                            level=logging.INFO))
        bucket = self.useFixture(test_s3_bank.S3Bucket())
        return {'s3_bank': swift_fixture.s3_bank_options(bucket)}


class _BankTests:
    """The backup's record in the bank of the class."""

    def test_protect_verify_restore_and_lose_the_backup(self):
        volume = self.volume_with_data()
        original = sha256_of(self.volume_file(volume.id))
        key = '%s#%s' % (TYPE, volume.id)

        t0 = time.monotonic()
        checkpoint = self.protect(volume.id)
        protect_s = time.monotonic() - t0
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE,
                         checkpoint.status, checkpoint.status_reason)
        record = self.recorded(checkpoint.id, volume.id)
        backup = self.client.backups.get(record['backup_id'])
        self.assertEqual('available', backup.status)
        self.assertEqual(backup.size, record['size'])
        self.assertEqual(checkpoint.id, record['backup']['metadata']
                         ['karbor_checkpoint_id'])
        self.check_backup_stored(backup, volume.id)

        t0 = time.monotonic()
        verification = self.verify(checkpoint.id)
        verify_s = time.monotonic() - t0
        self.assertEqual(constants.VERIFICATION_STATUS_SUCCESS,
                         verification.status,
                         verification.resources_reason)
        self.assertEqual('success', verification.resources_status[key])

        name = 'karbor-ft-restored-%s' % uuid.uuid4().hex[:8]
        t0 = time.monotonic()
        restore = self.restore(checkpoint.id, name)
        restore_s = time.monotonic() - t0
        self.assertEqual(constants.RESTORE_STATUS_SUCCESS, restore.status,
                         restore.resources_reason)
        restored = [v for v in self.client.volumes.list() if v.name == name]
        self.assertEqual(1, len(restored))
        self.addCleanup(self.delete_volume, restored[0].id)
        self.assertNotEqual(volume.id, restored[0].id)
        self.assertEqual('available', restored[0].status)
        self.assertEqual(original, sha256_of(self.volume_file(
            restored[0].id)))

        # The backup disappears behind Karbor's back.
        self.client.backups.delete(record['backup_id'])
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                self.client.backups.get(record['backup_id'])
            except Exception as e:
                if getattr(e, 'code', None) == 404:
                    break
            time.sleep(0.3)
        verification = self.verify(checkpoint.id)
        self.assertEqual(constants.VERIFICATION_STATUS_ERROR,
                         verification.status)
        self.assertEqual('error', verification.resources_status[key])
        self.assertIn('backup %s not found' % record['backup_id'],
                      verification.resources_reason[key])
        print('1 GiB volume (%d MiB of data), %s bank: protect %.1f s, '
              'verify %.1f s, restore %.1f s' % (
                  FILL_MIB or 3, self.bank, protect_s, verify_s, restore_s))


class CinderVolumeTest(_FileSystemBank, _BankTests, _CinderVolumeTestCase):
    """Over the file-system bank, and what does not depend on the bank."""

    def test_in_use_volume_backed_up_through_a_snapshot(self):
        volume = self.volume_with_data()
        original = sha256_of(self.volume_file(volume.id))
        # Attached as Nova would mark it (no real server here).
        self.client.volumes.reserve(volume)
        self.client.volumes.attach(volume, str(uuid.uuid4()), '/dev/vdb')
        self.addCleanup(self.client.volumes.detach, volume)
        self.wait_status(lambda: self.client.volumes.get(volume.id),
                         ('in-use',))
        checkpoint = self.protect(volume.id)
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE,
                         checkpoint.status, checkpoint.status_reason)
        record = self.recorded(checkpoint.id, volume.id)
        self.assertTrue(record['snapshot_id'])
        self.assertEqual(record['snapshot_id'],
                         record['backup']['snapshot_id'])
        # the temporary snapshot goes away
        deadline = time.monotonic() + 60
        while any(s.id == record['snapshot_id']
                  for s in self.client.volume_snapshots.list()):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.3)
        name = 'karbor-ft-restored-%s' % uuid.uuid4().hex[:8]
        restore = self.restore(checkpoint.id, name)
        self.assertEqual(constants.RESTORE_STATUS_SUCCESS, restore.status,
                         restore.resources_reason)
        restored = [v for v in self.client.volumes.list() if v.name == name]
        self.addCleanup(self.delete_volume, restored[0].id)
        self.assertEqual(original, sha256_of(self.volume_file(
            restored[0].id)))

    def test_delete_checkpoint_removes_the_backup(self):
        volume = self.volume_with_data()
        checkpoint = self.protect(volume.id)
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE,
                         checkpoint.status, checkpoint.status_reason)
        backup_id = self.recorded(checkpoint.id, volume.id)['backup_id']
        self.delete(checkpoint.id)
        self.assertNotIn(backup_id,
                         [b.id for b in self.client.backups.list()])

    def test_backups_overlap_on_a_single_thread(self):
        """With one operation of one thread, the backups of two volumes
        still run at the same time: no thread waits for a backup."""
        self.conf.config(max_concurrent_operations=1, operation_threads=1,
                         group='protection')
        self.manager = manager_module.ProtectionManager()
        self.manager.init_host()
        self.addCleanup(self.manager.cleanup_host)
        volumes = [self.volume_with_data(), self.volume_with_data()]
        seen = {}  # backup id -> (first seen, first seen available)
        done = threading.Event()

        def watch():
            while not done.is_set():
                now = time.monotonic()
                for backup in self.client.backups.list():
                    if backup.volume_id not in [v.id for v in volumes]:
                        continue
                    first, available = seen.get(backup.id, (now, None))
                    if available is None and backup.status == 'available':
                        available = now
                    seen[backup.id] = (first, available)
                done.wait(0.1)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            checkpoint = self.protect(*[v.id for v in volumes])
        finally:
            done.set()
            watcher.join()
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE,
                         checkpoint.status, checkpoint.status_reason)
        self.assertEqual(2, len(seen), seen)
        # The second backup was asked for before the first was done.
        self.assertLess(max(first for first, _ in seen.values()),
                        min(available or float('inf')
                            for _, available in seen.values()), seen)
        for volume in volumes:
            backup_id = self.recorded(checkpoint.id, volume.id)['backup_id']
            self.assertIn(backup_id, seen)
            self.addCleanup(self.client.backups.delete, backup_id)

    def test_missing_volume_ends_error(self):
        checkpoint = self.protect(str(uuid.uuid4()))
        self.assertEqual(constants.CHECKPOINT_STATUS_ERROR,
                         checkpoint.status)
        self.assertIn('not found in Cinder', checkpoint.status_reason)

    def test_cinder_down_ends_error(self):
        volume = self.volume_with_data()
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        down = 'http://127.0.0.1:%d/v3' % s.getsockname()[1]
        s.close()
        self.conf.config(endpoint_override=down, group='cinder')
        checkpoint = self.protect(volume.id)
        self.assertEqual(constants.CHECKPOINT_STATUS_ERROR,
                         checkpoint.status)
        self.assertIn('Cinder is unavailable: it cannot be reached',
                      checkpoint.status_reason)
        self.assertNotIn(down, checkpoint.status_reason)


class CinderVolumeSwiftBankTest(_SwiftBank, _BankTests,
                                _CinderVolumeTestCase):
    """The record of the backup in a container of the real Swift."""


class CinderVolumeS3BankTest(_S3Bank, _BankTests, _CinderVolumeTestCase):
    """The record of the backup in a bucket of Swift's s3api."""
