"""The Glance image plugin against a real Glance 33 (tools/glance/glance.sh,
started once per test process by glance_fixture): a plan through the real
pecan app, checkpoints, verifications and restores by a protection service
running in the process, a file-system bank of a providers.d provider.

Run: ``stestr run karbor.tests.functional.test_glance_image``.
"""

import hashlib
import io
import json
import os
import socket
import uuid

import fixtures
from futurist import _thread as futurist_thread
from oslo_config import cfg

from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.common import service
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection import manager
from karbor.services.protection import protectables
from karbor.tests.functional import glance_fixture
from karbor.tests.unit.api_v1 import base

IMAGE = 'OS::Glance::Image'
PROVIDER_ID = '3c9a1e5f-6b2d-4e8a-9f0c-1d2e3f4a5b6c'
PROVIDER_CONF = """
[provider]
id = %s
name = Glance Provider
bank = file_system
plugin = glance_image

[glance_image]
chunk_size_mb = 1
""" % PROVIDER_ID
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


class GlanceImageTest(base.ProtectionApiTestCase):

    def setUp(self):
        # Before anything else: a Glance that cannot start fails the test.
        self.endpoint = glance_fixture.ensure_glance()
        super().setUp()
        self.glance = glance_fixture.client(self.endpoint)
        self.conf.config(endpoint=self.endpoint, group='glance_client')
        with open(os.path.join(self.state_path, 'providers.d',
                               'glance.conf'), 'w') as f:
            f.write(PROVIDER_CONF)
        self._reset_registries()
        self.useFixture(fixtures.MockPatchObject(
            futurist_thread.ThreadWorker, 'MAX_IDLE_FOR', 0.02))
        protection = service.RPCService(
            manager.ProtectionManager(), 'karbor-protection',
            cfg.CONF.protection.topic)
        protection.start()
        self.addCleanup(protection.stop)

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

    # Karbor

    def plan(self, image_id, status=200):
        return self.post('plans', {'plan': {
            'name': 'images', 'provider_id': PROVIDER_ID,
            'resources': [{'id': image_id, 'type': IMAGE,
                           'name': 'an image'}]}}, status=status)

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

    def bank_path(self, checkpoint_id, image_id, name):
        key = '%s/%s/%s#%s/%s' % (
            checkpoint_module.checkpoint_prefix(checkpoint_id),
            constants.BANK_RESOURCE_DATA, IMAGE, image_id, name)
        return os.path.join(self.state_path, 'bank', PROVIDER_ID,
                            *key.split('/'))

    def read_json(self, path):
        with open(path) as f:
            return json.load(f)

    # Tests

    def test_protect_verify_corrupt_restore(self):
        image, data = self.new_image()
        key = '%s#%s' % (IMAGE, image['id'])
        plan = self.plan(image['id']).json['plan']
        self.assertEqual([image['id']], [r['id'] for r in plan['resources']])
        checkpoint = self.checkpoint(plan['id'])
        cp_id = checkpoint['id']

        # The bank holds the image in five objects, with what Glance said.
        manifest = self.read_json(self.bank_path(cp_id, image['id'],
                                                 'manifest.json'))
        self.assertEqual(['data/%08d' % i for i in range(5)],
                         [o['key'] for o in manifest['objects']])
        self.assertEqual([MIB] * 4 + [12345],
                         [o['size'] for o in manifest['objects']])
        for index, entry in enumerate(manifest['objects']):
            chunk = data[index * MIB:(index + 1) * MIB]
            self.assertEqual(hashlib.sha256(chunk).hexdigest(),
                             entry['sha256'])
            self.assertEqual(hashlib.md5(chunk).hexdigest(), entry['md5'])
        metadata = self.read_json(self.bank_path(cp_id, image['id'],
                                                 'metadata'))
        self.assertEqual(
            (IMAGE_BYTES, hashlib.md5(data).hexdigest(), 'sha512',
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
            self.assertEqual({key: 'success'}, shown['resource_status'])

        # Restore: a new image with the same bytes.
        name = 'restored-%s' % uuid.uuid4().hex[:8]
        restore = self.restored(cp_id, {IMAGE: {'name': name}})
        self.assertEqual(constants.RESTORE_STATUS_SUCCESS, restore['status'],
                         restore)
        [new] = list(self.glance.images.list(filters={'name': name}))
        self.addCleanup(self.glance.images.delete, new['id'])
        self.assertNotEqual(image['id'], new['id'])
        self.assertEqual((image['checksum'], image['os_hash_value'],
                          'active'),
                         (new['checksum'], new['os_hash_value'],
                          new['status']))
        self.assertEqual(data, self.download(new['id']))

        # One object overwritten with other bytes of the same size: quick
        # (no ETags on a file system) cannot tell, deep names the object.
        path = self.bank_path(cp_id, image['id'], 'data/00000002')
        with open(path, 'r+b') as f:
            f.seek(100)
            f.write(b'\x00' * 16 if data[100:116] != b'\x00' * 16
                    else b'\x01' * 16)
        shown = self.verified(cp_id, DEEP)
        self.assertEqual('error', shown['status'], shown)
        self.assertEqual({key: 'error'}, shown['resource_status'])
        reason = shown['resource_reason'][key]
        self.assertIn('data/00000002', reason)
        self.assertIn('SHA-256 mismatch', reason)

        # A restore from the damaged checkpoint fails and leaves no image.
        name = 'damaged-%s' % uuid.uuid4().hex[:8]
        restore = self.restored(cp_id, {IMAGE: {'name': name}})
        self.assertEqual(constants.RESTORE_STATUS_FAILURE, restore['status'],
                         restore)
        self.assertIn('data/00000002', restore['resources_reason'][key])
        self.assertEqual([], list(self.glance.images.list(
            filters={'name': name})))

        # An object removed: even quick says which.
        os.unlink(self.bank_path(cp_id, image['id'], 'data/00000004'))
        shown = self.verified(cp_id, QUICK)
        self.assertEqual('error', shown['status'], shown)
        self.assertIn('data/00000004', shown['resource_reason'][key])
        self.assertIn('missing', shown['resource_reason'][key])

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
        self.conf.config(endpoint=url, group='glance_client')
        message = self.assertFault(self.plan(image['id'], status=503), 503,
                                   'serviceUnavailable')
        self.assertIn('Glance unavailable at %s' % url, message)

    def test_glance_down_during_protect(self):
        image, _data = self.new_image(size=1000)
        plan = self.plan(image['id']).json['plan']
        # Glance goes away between the plan and the checkpoint.
        url = 'http://127.0.0.1:%d' % closed_port()
        self.conf.config(endpoint=url, group='glance_client')
        checkpoint = self.checkpoint(plan['id'], status='error')
        self.assertIn('Glance unavailable at %s' % url,
                      checkpoint['status_reason'])
