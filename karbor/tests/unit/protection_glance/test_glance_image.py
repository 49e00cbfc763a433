"""The Glance image plugin's own logic, for what a real Glance cannot be
made to do on demand: send bytes that do not match its own checksum, end
an upload with a checksum other than the recorded one, hold an image that
is not active. Those cases use the small in-test :class:`FakeGlance`
below (the only stand-in; everything a real Glance can do is tested
against one in karbor.tests.functional.test_glance_image). The bank is a
real file-system bank.
"""

import fixtures
import hashlib
import socket

from oslo_config import cfg
import requests

from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection.clients import glance
from karbor.services.protection import graph
from karbor.services.protection.protection_plugins import glance_image
from karbor.tests.unit.protection import base
from karbor.tests.unit.protection import test_local_data

MIB = 1024 * 1024
IMAGE_ID = '6f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b'
RESOURCE = graph.Resource(glance_image.RESOURCE_TYPE, IMAGE_ID, 'img', {})


class FakeImages:
    """glanceclient's ``images`` manager, in memory: stands in for Glance
    only where a real one cannot be made to misbehave (see the module
    docstring)."""

    def __init__(self):
        self.images = {}
        self.blobs = {}
        # Tests set these to make the fake misbehave.
        self.serve = None           # bytes served instead of the image's
        self.report_checksum = None  # checksum reported after an upload
        self.deleted = []

    def add(self, data, **fields):
        image = {'id': IMAGE_ID, 'name': 'img', 'status': 'active',
                 'size': len(data), 'disk_format': 'raw',
                 'container_format': 'bare',
                 'checksum': hashlib.md5(data).hexdigest(),
                 'os_hash_algo': 'sha512',
                 'os_hash_value': hashlib.sha512(data).hexdigest()}
        image.update(fields)
        self.images[image['id']] = image
        self.blobs[image['id']] = data
        return image

    def get(self, image_id):
        return dict(self.images[image_id])

    def data(self, image_id):
        body = self.serve if self.serve is not None else self.blobs[image_id]
        return (body[i:i + 65536] for i in range(0, len(body), 65536))

    def create(self, **fields):
        image = dict(fields, id='new-%d' % len(self.images),
                     status='queued')
        self.images[image['id']] = image
        return dict(image)

    def upload(self, image_id, reader, image_size=None):
        body = b''
        while True:
            piece = reader.read(65536)
            if not piece:
                break
            body += piece
        self.images[image_id].update(
            status='active', size=len(body),
            checksum=self.report_checksum or hashlib.md5(body).hexdigest(),
            os_hash_algo='sha512',
            os_hash_value=hashlib.sha512(body).hexdigest())
        self.blobs[image_id] = body

    def delete(self, image_id):
        self.deleted.append(image_id)
        self.images.pop(image_id)


class FakeClient(glance.GlanceClient):
    def __init__(self, images):
        self.url = 'http://glance.test'
        self._images = images

    @property
    def images(self):
        return self._images


class GlanceImagePluginTest(base.ProtectionTestCase):

    def setUp(self):
        super().setUp()
        self.bank = test_local_data.file_system_bank(self.tmp + '/bank')
        self.checkpoint = checkpoint_module.Checkpoint(self.bank, 'cp1')
        self.section = self.checkpoint.resource_section(RESOURCE)
        conf = cfg.ConfigOpts()
        conf([], default_config_files=[])
        conf.register_opts(glance_image.opts, group=glance_image.GROUP)
        conf.set_override('chunk_size_mb', 1, group=glance_image.GROUP)
        self.plugin = glance_image.GlanceImageProtectionPlugin(conf)
        self.fake = FakeImages()
        self.patch(glance, 'create', lambda context, conf=None:
                   FakeClient(self.fake))
        self.ctx = karbor_context.RequestContext(project_id='p1')

    def protect(self):
        self.plugin.get_protect_operation(RESOURCE).on_main(
            self.checkpoint, RESOURCE, self.ctx, {})

    def restore(self, parameters=None):
        new_resources = {}
        self.plugin.get_restore_operation(RESOURCE).on_main(
            self.checkpoint, RESOURCE, self.ctx, parameters or {},
            restore_id='r1', new_resources=new_resources)
        return new_resources

    def verify(self):
        self.plugin.get_verify_operation(RESOURCE).on_main(
            self.checkpoint, RESOURCE, self.ctx, {})

    def test_protect_and_restore_round_trip(self):
        data = bytes(range(256)) * (MIB // 256 * 2) + b'tail'
        self.fake.add(data)
        self.protect()
        manifest = self.section.get_json(constants.BANK_RESOURCE_MANIFEST)
        self.assertEqual([MIB, MIB, 4], [o['size'] for o in
                                         manifest['objects']])
        self.verify()
        new = self.restore({'name': 'again'})
        new_id = new[IMAGE_ID]
        self.assertEqual(data, self.fake.blobs[new_id])
        self.assertEqual('again', self.fake.images[new_id]['name'])

    def test_bytes_that_do_not_match_glance_checksum_fail_protect(self):
        data = b'x' * 5000
        self.fake.add(data)
        self.fake.serve = b'y' * 5000
        error = self.assertRaises(exception.ProtectionFailed, self.protect)
        self.assertIn('Glance checksum', str(error))
        self.assertRaises(exception.BankObjectNotFound, self.section.get_json,
                          constants.BANK_RESOURCE_MANIFEST)

    def test_short_stream_fails_protect(self):
        self.fake.add(b'z' * 5000)
        self.fake.serve = b'z' * 4000
        error = self.assertRaises(exception.ProtectionFailed, self.protect)
        self.assertIn('4000 bytes read, Glance says the image has 5000',
                      str(error))

    def test_glance_gone_mid_stream(self):
        # A real Glance cannot be stopped at a chosen byte of a download.
        self.fake.add(b'm' * (3 * MIB))

        def broken(image_id):
            yield b'm' * MIB
            raise requests.exceptions.ChunkedEncodingError('connection reset')
        self.fake.data = broken
        error = self.assertRaises(glance.GlanceUnavailable, self.protect)
        self.assertEqual('Glance is unavailable: the connection broke off',
                         str(error))

    def test_image_not_active(self):
        self.fake.add(b'q', status='queued')
        error = self.assertRaises(exception.ProtectionFailed, self.protect)
        self.assertIn('queued, not active', str(error))

    def test_restore_checks_glance_checksum_and_discards(self):
        self.fake.add(b'a' * 3000)
        self.protect()
        self.fake.report_checksum = '0' * 32
        error = self.assertRaises(exception.ProtectionFailed, self.restore)
        self.assertIn('checksum %s' % ('0' * 32), str(error))
        self.assertEqual(1, len(self.fake.deleted))

    def test_restore_refuses_a_corrupt_object(self):
        self.fake.add(b'b' * (MIB + 10))
        self.protect()
        self.section.put_object('data/00000001', b'c' * 10)
        error = self.assertRaises(exception.ProtectionFailed, self.restore)
        self.assertIn('data/00000001: SHA-256 mismatch', str(error))
        self.assertEqual(1, len(self.fake.deleted))

    def test_verify_sizes_must_add_up(self):
        self.fake.add(b'd' * 3000)
        self.protect()
        metadata = self.section.get_json(constants.BANK_RESOURCE_METADATA)
        metadata['size'] = 3001
        self.section.put_json(constants.BANK_RESOURCE_METADATA, metadata)
        error = self.assertRaises(exception.ProtectionFailed, self.verify)
        self.assertIn('the objects hold 3000 bytes, the image had 3001',
                      str(error))

    def test_verify_missing_manifest(self):
        error = self.assertRaises(exception.ProtectionFailed, self.verify)
        self.assertIn('manifest.json is missing', str(error))

    def test_manifest_problems(self):
        entry = {'key': 'data/00000000', 'size': 10, 'sha256': 'a' * 64}
        good = {'chunk_size': 10, 'objects': [entry], 'total_bytes': 10}
        self.assertIsNone(glance_image.manifest_problem(good, 10))
        gap = dict(good, objects=[dict(entry, key='data/00000001')])
        self.assertIn('expected data/00000000',
                      glance_image.manifest_problem(gap))
        self.assertIn('lacks a field', glance_image.manifest_problem({}))

    def test_rechunk(self):
        pieces = [b'ab', b'', b'cdefg', b'h']
        self.assertEqual([(0, b'abc'), (1, b'def'), (2, b'gh')],
                         list(glance_image._rechunk(pieces, 3)))


class GlanceUnavailableTest(base.ProtectionTestCase):

    def test_connection_refused_is_a_503_logging_the_url(self):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        url = 'http://127.0.0.1:%d' % port
        self.conf.config(endpoint_override=url, timeout=5, group='glance')
        logs = self.useFixture(fixtures.FakeLogger())
        client = glance.create(karbor_context.RequestContext(
            project_id='p1', auth_token='tok'))

        def call():
            with client.reachable():
                client.images.get(IMAGE_ID)
        error = self.assertRaises(glance.GlanceUnavailable, call)
        self.assertEqual(503, error.code)
        self.assertEqual('Glance is unavailable: it cannot be reached',
                         str(error))
        self.assertIn('Glance at %s failed' % url, logs.output)
