"""The Glance image plugin against a real Glance 33 (tools/glance/glance.sh,
started once per test process by glance_fixture): a plan through the real
pecan app, checkpoints, verifications and restores by a protection service
running in the process, over a providers.d provider.

The protect, verify, corrupt and restore test runs once per bank: the
file system, a real Swift (tools/swift/swift.sh) and Swift's s3api. The
bank is damaged through its own storage (files, swiftclient, boto3), never
through Karbor. The other tests use the file-system bank only.

Run: ``stestr run karbor.tests.functional.test_glance_image``.
"""

import hashlib
import io
import json
import logging
import os
import socket
import uuid

import fixtures

from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection import protectables
from karbor.tests.functional.banks import test_s3_bank
from karbor.tests.functional import glance_fixture
from karbor.tests.functional import swift_fixture
from karbor.tests.functional import utils
from karbor.tests.unit.api_v1 import base

IMAGE = 'OS::Glance::Image'
PROVIDER_ID = '3c9a1e5f-6b2d-4e8a-9f0c-1d2e3f4a5b6c'
MIB = 1024 * 1024
# Four objects of 1 MiB and a short fifth one.
IMAGE_BYTES = 4 * MIB + 12345
QUICK = {IMAGE: {'level': 'quick'}}
DEEP = {IMAGE: {'level': 'deep'}}


def closed_port():
    """A port of 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def md5(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class _GlanceImageTestCase(base.ProtectionApiTestCase):
    """A provider of the glance_image plugin over the bank of a mixin,
    which gives the provider file its bank section(s) (``bank_sections``)
    and reads, writes and deletes the bank's objects behind Karbor's back
    (``read_object``, ``write_object``, ``delete_object``, by bank key)."""

    bank = None
    # Whether a quick verification sees an object overwritten with other
    # bytes of the same size: only where the bank reports an ETag.
    quick_sees_overwrite = False

    def setUp(self):
        # Before anything else: a Glance that cannot start fails the test.
        self.endpoint = glance_fixture.ensure_glance()
        super().setUp()
        self.glance = glance_fixture.client(self.endpoint)
        self.conf.config(endpoint_override=self.endpoint, group='glance')
        sections = {'provider': {'id': PROVIDER_ID,
                                 'name': 'Glance Provider',
                                 'bank': self.bank,
                                 'plugin': 'glance_image'},
                    'glance_image': {'chunk_size_mb': 1}}
        sections.update(self.bank_sections())
        utils.write_config(os.path.join(self.state_path, 'providers.d',
                                        'glance.conf'), sections)
        self._reset_registries()
        self.start_protection_service()

    def bank_sections(self):
        raise NotImplementedError

    # Glance

    def new_image(self, size=IMAGE_BYTES):
        data = os.urandom(size)
        image = self.glance.images.create(
            name='karbor-test-%s' % uuid.uuid4().hex[:8],
            disk_format='raw', container_format='bare')
        self.addCleanup(self.glance.images.delete, image['id'])
        self.glance.images.upload(image['id'], io.BytesIO(data))
        return self.glance.images.get(image['id']), data

    def download(self, image_id):
        return b''.join(self.glance.images.data(image_id))

    def images_named(self, name):
        return list(self.glance.images.list(filters={'name': name}))

    def delete_images_named(self, name):
        for image in self.images_named(name):
            self.glance.images.delete(image['id'])

    # Karbor

    def plan(self, *image_ids, status=200):
        resources = [{'id': image_id, 'type': IMAGE, 'name': 'an image'}
                     for image_id in image_ids]
        return self.post('plans', {'plan': {
            'name': 'images', 'provider_id': PROVIDER_ID,
            'resources': resources}}, status=status)

    def checkpoint(self, plan_id, status='available'):
        resp = self.post(self.checkpoints_path(PROVIDER_ID),
                         {'checkpoint': {'plan_id': plan_id}}, status=202)
        return self.wait_for(
            lambda: self.get(self.checkpoints_path(
                PROVIDER_ID, '/' + resp.json['checkpoint']['id'])).json[
                    'checkpoint'],
            lambda c: c['status'] != 'protecting', status)

    def verified(self, checkpoint_id, parameters):
        resp = self.post('verifications', {'verification': {
            'provider_id': PROVIDER_ID, 'checkpoint_id': checkpoint_id,
            'parameters': parameters}}, status=202)
        return self.wait_for(
            lambda: self.get('verifications/%s' % resp.json[
                'verification']['id']).json['verification'],
            lambda v: v['status'] != 'verifying')

    def restored(self, checkpoint_id, parameters):
        resp = self.post('restores', {'restore': {
            'provider_id': PROVIDER_ID, 'checkpoint_id': checkpoint_id,
            'parameters': parameters}}, status=202)
        return self.wait_for(
            lambda: self.get('restores/%s' % resp.json['restore'][
                'id']).json['restore'],
            lambda r: r['status'] != constants.RESTORE_STATUS_IN_PROGRESS)

    def object_key(self, checkpoint_id, image_id, name):
        """The bank key of object ``name`` of an image in a checkpoint."""
        return '%s/%s/%s#%s/%s' % (
            checkpoint_module.checkpoint_prefix(checkpoint_id),
            constants.BANK_RESOURCE_DATA, IMAGE, image_id, name)

    def read_json(self, key):
        return json.loads(self.read_object(key))


class _FileSystemBank:
    bank = 'file_system'
    # A file system keeps no checksum: the manifest records no MD5.
    records_md5 = False

    def bank_sections(self):
        return {}  # the default: <state_path>/bank/<provider id>

    def _path(self, key):
        return os.path.join(self.state_path, 'bank', PROVIDER_ID,
                            *key.split('/'))

    def read_object(self, key):
        with open(self._path(key), 'rb') as f:
            return f.read()

    def write_object(self, key, data):
        with open(self._path(key), 'wb') as f:
            f.write(data)

    def delete_object(self, key):
        os.unlink(self._path(key))


class _SwiftBank:
    """A container of its own on the real Swift, through swiftclient."""

    bank = 'swift'
    records_md5 = True
    # Swift's ETag is the MD5 of the object.
    quick_sees_overwrite = True

    def bank_sections(self):
        self.container = self.useFixture(swift_fixture.SwiftContainer())
        self.swift = self.container.connection()
        self.addCleanup(self.swift.close)
        return {'swift_bank': self.container.bank_options()}

    def read_object(self, key):
        _headers, body = self.swift.get_object(self.container.name, key)
        return body

    def write_object(self, key, data):
        self.swift.put_object(self.container.name, key, data)

    def delete_object(self, key):
        self.swift.delete_object(self.container.name, key)


class _S3Bank:
    """A bucket of its own on Swift's s3api, through boto3."""

    bank = 's3'
    records_md5 = True
    # A single-part object's ETag is its MD5.
    quick_sees_overwrite = True

    def bank_sections(self):
        # botocore logs every request and its signing at DEBUG.
        self.useFixture(fixtures.FakeLogger(name='botocore',
                                            level=logging.INFO))
        self.bucket = self.useFixture(test_s3_bank.S3Bucket())
        self.s3 = self.bucket.client()
        self.addCleanup(self.s3.close)
        return {'s3_bank': swift_fixture.s3_bank_options(self.bucket)}

    def read_object(self, key):
        return self.s3.get_object(Bucket=self.bucket.name,
                                  Key=key)['Body'].read()

    def write_object(self, key, data):
        self.s3.put_object(Bucket=self.bucket.name, Key=key, Body=data)

    def delete_object(self, key):
        self.s3.delete_object(Bucket=self.bucket.name, Key=key)


class _BankTests:
    """Protect, verify, damage and restore over the bank of the class."""

    def test_protect_verify_corrupt_restore(self):
        image, data = self.new_image()
        # In the same plan, one object, never damaged.
        other, other_data = self.new_image(size=1000)
        key = '%s#%s' % (IMAGE, image['id'])
        other_key = '%s#%s' % (IMAGE, other['id'])
        plan = self.plan(image['id'], other['id']).json['plan']
        self.assertEqual([image['id'], other['id']],
                         [r['id'] for r in plan['resources']])
        checkpoint = self.checkpoint(plan['id'])
        cp_id = checkpoint['id']

        # The bank holds the image in five objects, with what Glance said.
        manifest = self.read_json(self.object_key(cp_id, image['id'],
                                                  'manifest.json'))
        self.assertEqual(['data/%08d' % i for i in range(5)],
                         [o['key'] for o in manifest['objects']])
        self.assertEqual([MIB] * 4 + [12345],
                         [o['size'] for o in manifest['objects']])
        for index, entry in enumerate(manifest['objects']):
            chunk = data[index * MIB:(index + 1) * MIB]
            self.assertEqual(sha256(chunk), entry['sha256'])
            self.assertEqual(md5(chunk) if self.records_md5 else None,
                             entry['md5'])
            self.assertEqual(chunk, self.read_object(self.object_key(
                cp_id, image['id'], entry['key'])))
        metadata = self.read_json(self.object_key(cp_id, image['id'],
                                                  'metadata'))
        self.assertEqual(
            (IMAGE_BYTES, md5(data), 'sha512',
             hashlib.sha512(data).hexdigest(), 'raw', 'bare',
             image['name']),
            (metadata['size'], metadata['checksum'],
             metadata['os_hash_algo'], metadata['os_hash_value'],
             metadata['disk_format'], metadata['container_format'],
             metadata['name']))

        # Verification, quick and deep: success.
        for parameters in (QUICK, DEEP):
            shown = self.verified(cp_id, parameters)
            self.assertEqual('success', shown['status'], shown)
            self.assertEqual({key: 'success', other_key: 'success'},
                             shown['resource_status'])

        # Restore: new images with the same bytes.
        names = {key: 'restored-%s' % uuid.uuid4().hex[:8],
                 other_key: 'restored-%s' % uuid.uuid4().hex[:8]}
        restore = self.restored(cp_id, {k: {'name': name}
                                        for k, name in names.items()})
        self.assertEqual(constants.RESTORE_STATUS_SUCCESS, restore['status'],
                         restore)
        for original, original_data, name in (
                (image, data, names[key]),
                (other, other_data, names[other_key])):
            [new] = self.images_named(name)
            self.addCleanup(self.glance.images.delete, new['id'])
            self.assertNotEqual(original['id'], new['id'])
            self.assertEqual((original['checksum'],
                              original['os_hash_value'], 'active'),
                             (new['checksum'], new['os_hash_value'],
                              new['status']))
            self.assertEqual(original_data, self.download(new['id']))

        # One object overwritten with other bytes of the same size.
        damaged = self.object_key(cp_id, image['id'], 'data/00000002')
        before = self.read_object(damaged)
        after = bytearray(before)
        after[100:116] = bytes(b ^ 0xff for b in after[100:116])
        after = bytes(after)
        self.write_object(damaged, after)
        self.assertEqual(len(before), len(self.read_object(damaged)))
        shown = self.verified(cp_id, QUICK)
        if self.quick_sees_overwrite:
            # The ETag is the MD5 of the new bytes, not the one recorded.
            self.assertEqual('error', shown['status'], shown)
            self.assertEqual({key: 'error', other_key: 'success'},
                             shown['resource_status'])
            self.assertIn('object %s: ETag %s found, MD5 %s recorded at '
                          'protect time' % (damaged, md5(after),
                                            md5(before)),
                          shown['resource_reason'][key])
        else:
            # No ETags on a file system: size and presence are right.
            self.assertEqual('success', shown['status'], shown)
        shown = self.verified(cp_id, DEEP)
        self.assertEqual('error', shown['status'], shown)
        self.assertEqual({key: 'error', other_key: 'success'},
                         shown['resource_status'])
        self.assertIn('object %s: SHA-256 mismatch (expected %s, found %s)' %
                      (damaged, sha256(before), sha256(after)),
                      shown['resource_reason'][key])
        self.assertEqual('', shown['resource_reason'].get(other_key, ''))

        # A restore from the damaged checkpoint fails and leaves no image
        # of the damaged one.
        names = {key: 'damaged-%s' % uuid.uuid4().hex[:8],
                 other_key: 'intact-%s' % uuid.uuid4().hex[:8]}
        self.addCleanup(self.delete_images_named, names[other_key])
        parameters = {k: {'name': name} for k, name in names.items()}
        # Its latest verification failed: refused unless asked for.
        refused = self.post('restores', {'restore': {
            'provider_id': PROVIDER_ID, 'checkpoint_id': cp_id,
            'parameters': parameters}}, status=409)
        self.assertIn('ignore_failed_verification',
                      refused.json['conflictingRequest']['message'])
        restore = self.restored(cp_id, dict(
            parameters, ignore_failed_verification=True))
        self.assertEqual(constants.RESTORE_STATUS_FAILURE, restore['status'],
                         restore)
        self.assertIn('object data/00000002: SHA-256 mismatch',
                      restore['resources_reason'][key])
        self.assertEqual([], self.images_named(names[key]))

        # An object removed: even quick says which.
        gone = self.object_key(cp_id, image['id'], 'data/00000004')
        self.delete_object(gone)
        shown = self.verified(cp_id, QUICK)
        self.assertEqual('error', shown['status'], shown)
        self.assertEqual({key: 'error', other_key: 'success'},
                         shown['resource_status'])
        self.assertIn('object %s is missing' % gone,
                      shown['resource_reason'][key])


class GlanceImageTest(_FileSystemBank, _BankTests, _GlanceImageTestCase):
    """Over the file-system bank, and what does not depend on the bank."""

    def test_protectables_list_and_show(self):
        image, _data = self.new_image(size=1000)
        items = self.get('protectables/%s/instances' % IMAGE).json[
            'instances']
        self.assertIn(image['id'], [i['id'] for i in items])
        shown = self.get('protectables/%s/instances/%s' % (
            IMAGE, image['id'])).json['instance']
        self.assertEqual((image['id'], IMAGE, image['name']),
                         (shown['id'], shown['type'], shown['name']))

    def test_unknown_image_is_404_at_plan_creation(self):
        missing = str(uuid.uuid4())
        resp = self.plan(missing, status=404)
        message = self.assertFault(resp, 404, 'itemNotFound')
        self.assertIn(missing, message)
        # And through the protectable directly.
        ctx = karbor_context.RequestContext(project_id=self.project)
        self.assertRaises(exception.ProtectableResourceNotFound,
                          protectables.get_registry().show_resource,
                          ctx, IMAGE, missing)

    def test_glance_down_at_plan_creation_is_503(self):
        image, _data = self.new_image(size=1000)
        url = 'http://127.0.0.1:%d' % closed_port()
        self.conf.config(endpoint_override=url, group='glance')
        message = self.assertFault(self.plan(image['id'], status=503), 503,
                                   'serviceUnavailable')
        self.assertEqual('Glance is unavailable: it cannot be reached',
                         message)

    def test_glance_down_during_protect(self):
        image, _data = self.new_image(size=1000)
        plan = self.plan(image['id']).json['plan']
        # Glance goes away between the plan and the checkpoint.
        url = 'http://127.0.0.1:%d' % closed_port()
        self.conf.config(endpoint_override=url, group='glance')
        checkpoint = self.checkpoint(plan['id'], status='error')
        self.assertIn('Glance is unavailable: it cannot be reached',
                      checkpoint['status_reason'])
        self.assertNotIn(url, checkpoint['status_reason'])


class GlanceImageSwiftBankTest(_SwiftBank, _BankTests, _GlanceImageTestCase):
    """Over a container of the real Swift."""


class GlanceImageS3BankTest(_S3Bank, _BankTests, _GlanceImageTestCase):
    """Over a bucket of Swift's s3api."""
