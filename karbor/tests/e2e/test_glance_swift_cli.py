"""A Glance image on a Swift bank through the ``karbor`` shell of
python-karborclient 2.1.0, unmodified, against karbor-all.

karbor-all runs with a configuration file that points ``[glance_client]``
at the running Glance (tools/glance/glance.sh) and a ``providers.d`` next
to it. :class:`GlanceSwiftCliTest`: a provider with the ``glance_image``
plugin and a Swift bank (tools/swift/swift.sh) in a container of its own;
list and show the image, plan, checkpoint, verify quick and deep, restore
under a new name and compare the bytes, then overwrite one data object in
Swift behind the service's back and see the quick level name it.
:class:`RefusedCredentialsTest`: a Swift bank with a wrong key is left out
at start, with an error in the log that says why and does not hold the key.
"""

import io
import os
import time
import uuid

from glanceclient import exc as glance_exc
import swiftclient

from karbor.common import constants
from karbor.tests.e2e import base
from karbor.tests.functional import glance_fixture
from karbor.tests.functional import swift_fixture
from karbor.tests.functional import utils

IMAGE = 'OS::Glance::Image'
LOCAL_PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
PROVIDER_ID = '5e8b2c4a-9d1f-4a6e-8c3b-7f0a1e2d3c4b'
PROVIDER_NAME = 'Glance on Swift'
REFUSED_ID = 'c4d7e1a2-6b9f-4e3c-a8d5-2f1b0e9c7a63'
REFUSED_NAME = 'Swift with a wrong key'
MIB = 1024 * 1024
# Data objects of 1 MiB: two full ones and a short third one.
IMAGE_BYTES = 2 * MIB + 12345
OBJECTS = 3
POLL_TIMEOUT = 60
POLL_INTERVAL = 0.3

QUICK = 'resource_type=%s,level=quick' % IMAGE
DEEP = 'resource_type=%s,level=deep' % IMAGE


def write_server_config(state_path, providers):
    """karbor.conf in ``state_path``, pointing at the running Glance, and
    ``providers.d/<name>.conf`` next to it; the path of karbor.conf."""
    config = utils.write_config(
        os.path.join(state_path, 'karbor.conf'),
        {'DEFAULT': {},
         'glance': {'endpoint_override': glance_fixture.ensure_glance()}})
    directory = os.path.join(state_path, 'providers.d')
    os.makedirs(directory)
    for name, sections in providers.items():
        utils.write_config(os.path.join(directory, name + '.conf'), sections)
    return config


def swift_provider(provider_id, name, container, key):
    return {
        'provider': {'id': provider_id, 'name': name, 'bank': 'swift',
                     'plugin': 'glance_image'},
        'swift_bank': {'auth_url': container.auth_url,
                       'user': container.user, 'key': key,
                       'container': container.name},
        'glance_image': {'chunk_size_mb': 1},
    }


class _ShellTestCase(base.SharedServerTestCase):

    @classmethod
    def swift_container(cls):
        """A container of its own on the running Swift, removed after the
        class (AssertionError, so a failure, when there is no Swift)."""
        container = swift_fixture.SwiftContainer()
        container.setUp()
        cls.addClassCleanup(container.cleanUp)
        return container


class GlanceSwiftCliTest(_ShellTestCase):

    PROJECT = 'e2e-glance-swift'

    @classmethod
    def server_options(cls, state_path):
        cls.container = cls.swift_container()
        return {'config_file': write_server_config(state_path, {
            'glance-swift': swift_provider(
                PROVIDER_ID, PROVIDER_NAME, cls.container,
                cls.container.key)})}

    def setUp(self):
        super().setUp()
        self.glance = glance_fixture.client()
        self.swift = self.container.connection()
        self.addCleanup(self.swift.close)

    # Glance, directly: set-up and the final comparison

    def new_image(self):
        data = os.urandom(IMAGE_BYTES)
        image = self.glance.images.create(
            name='e2e-glance-swift-%s' % uuid.uuid4().hex[:8],
            disk_format='raw', container_format='bare')
        self.addCleanup(self.delete_image, image['id'])
        self.glance.images.upload(image['id'], io.BytesIO(data))
        image = self.glance.images.get(image['id'])
        self.assertEqual(('active', IMAGE_BYTES),
                         (image['status'], image['size']))
        return image, data

    def delete_image(self, image_id):
        try:
            self.glance.images.delete(image_id)
        except glance_exc.HTTPNotFound:
            pass

    def delete_images_named(self, name):
        for image in list(self.glance.images.list(filters={'name': name})):
            self.delete_image(image['id'])

    def download(self, image_id):
        return b''.join(self.glance.images.data(image_id))

    # The shell

    def poll(self, args, wanted, failed):
        """``karbor <args>`` until its status is ``wanted``; bounded."""
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            shown = self.show(*args)
            if shown['status'] == wanted:
                return shown
            self.assertNotIn(shown['status'], failed, '%s\nkarbor-all '
                             'log:\n%s' % (shown,
                                           self.server.process.output()))
            if time.monotonic() > deadline:
                self.fail('%s still %s after %ss: %s' % (
                    ' '.join(args), shown['status'], POLL_TIMEOUT, shown))
            time.sleep(POLL_INTERVAL)

    def verified(self, checkpoint_id, parameters):
        created = self.show('verification-create', PROVIDER_ID,
                            checkpoint_id, '--parameters', parameters)
        self.assertEqual(constants.VERIFICATION_STATUS_VERIFYING,
                         created['status'])
        level = parameters.rsplit('=', 1)[1]
        self.assertEqual({IMAGE: {'level': level}}, created['parameters'])
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            shown = self.show('verification-show', created['id'])
            if shown['status'] != constants.VERIFICATION_STATUS_VERIFYING:
                return shown
            if time.monotonic() > deadline:
                self.fail('verification %s still verifying after %ss' % (
                    created['id'], POLL_TIMEOUT))
            time.sleep(POLL_INTERVAL)

    def data_key(self, checkpoint_id, image_id, index):
        return 'checkpoints/%s/resource-data/%s#%s/data/%08d' % (
            checkpoint_id, IMAGE, image_id, index)

    # The test

    def test_protect_verify_restore_corrupt(self):
        image, data = self.new_image()
        image_id = image['id']
        resource_key = '%s#%s' % (IMAGE, image_id)

        # The provider, and the image as a protectable.
        providers = {p['Id']: p['Name'] for p in self.rows('provider-list')}
        self.assertEqual(PROVIDER_NAME, providers.get(PROVIDER_ID),
                         providers)
        self.assertIn(IMAGE, [r['Protectable type'] for r in
                              self.rows('protectable-list')])
        instances = {i['Id']: i for i in
                     self.rows('protectable-list-instances', IMAGE)}
        self.assertIn(image_id, instances)
        self.assertEqual((IMAGE, image['name']),
                         (instances[image_id]['Type'],
                          instances[image_id]['Name']))
        shown = self.show('protectable-show-instance', IMAGE, image_id)
        self.assertEqual((image_id, IMAGE, image['name']),
                         (shown['id'], shown['type'], shown['name']))
        self.assertEqual(('active', IMAGE_BYTES, 'raw'),
                         (shown['extra_info']['status'],
                          shown['extra_info']['size'],
                          shown['extra_info']['disk_format']))

        # Plan and checkpoint.
        plan = self.show('plan-create', 'glance-on-swift', PROVIDER_ID,
                         '%s=%s=%s' % (image_id, IMAGE, image['name']))
        self.assertEqual([(image_id, IMAGE)],
                         [(r['id'], r['type']) for r in plan['resources']])
        checkpoint = self.show('checkpoint-create', PROVIDER_ID, plan['id'])
        checkpoint_id = checkpoint['id']
        checkpoint = self.poll(('checkpoint-show', PROVIDER_ID,
                                checkpoint_id),
                               constants.CHECKPOINT_STATUS_AVAILABLE,
                               (constants.CHECKPOINT_STATUS_ERROR,))
        self.assertEqual(plan['id'], checkpoint['protection_plan']['id'])

        # The bytes are in the provider's Swift container, cut in 1 MiB
        # objects; nothing went into a file-system bank.
        _, listing = self.swift.get_container(
            self.container.name, prefix='checkpoints/%s/' % checkpoint_id,
            full_listing=True)
        sizes = {o['name']: o['bytes'] for o in listing}
        self.assertEqual(
            [MIB, MIB, IMAGE_BYTES - 2 * MIB],
            [sizes.get(self.data_key(checkpoint_id, image_id, i))
             for i in range(OBJECTS)], sorted(sizes))
        self.assertFalse(os.path.exists(os.path.join(
            self.server.state_path, 'bank', PROVIDER_ID)))

        # Quick and deep verification: every object passes.
        for parameters in (QUICK, DEEP):
            verification = self.verified(checkpoint_id, parameters)
            self.assertEqual(constants.VERIFICATION_STATUS_SUCCESS,
                             verification['status'], verification)
            self.assertEqual(
                {resource_key: constants.VERIFICATION_STATUS_SUCCESS},
                verification['resources_status'])
            self.assertEqual((OBJECTS, IMAGE_BYTES),
                             (verification['progress']['objects_checked'],
                              verification['progress']['bytes_checked']))

        # Restore under a new name: the same bytes in a new image.
        new_name = 'e2e-restored-%s' % uuid.uuid4().hex[:8]
        self.addCleanup(self.delete_images_named, new_name)
        restore = self.show('restore-create', PROVIDER_ID, checkpoint_id,
                            '--parameters',
                            'resource_type=%s,name=%s' % (IMAGE, new_name))
        self.assertEqual({IMAGE: {'name': new_name}}, restore['parameters'])
        restore = self.poll(('restore-show', restore['id']),
                            constants.RESTORE_STATUS_SUCCESS,
                            (constants.RESTORE_STATUS_FAILURE,))
        self.assertEqual({resource_key: constants.RESOURCE_STATUS_AVAILABLE},
                         restore['resources_status'])
        [restored] = list(self.glance.images.list(
            filters={'name': new_name}))
        self.assertNotEqual(image_id, restored['id'])
        self.assertEqual(('active', IMAGE_BYTES, image['checksum']),
                         (restored['status'], restored['size'],
                          restored['checksum']))
        self.assertTrue(self.download(restored['id']) == data,
                        'the restored image differs from the original')

        # Other bytes of the same size in the second data object, written
        # straight into Swift: its ETag no longer is the recorded MD5, and
        # the quick level names the object.
        damaged = self.data_key(checkpoint_id, image_id, 1)
        other = os.urandom(MIB)
        self.assertNotEqual(data[MIB:2 * MIB], other)
        self.swift.put_object(self.container.name, damaged, other)
        self.assertEqual(str(MIB), self.swift.head_object(
            self.container.name, damaged)['content-length'])
        verification = self.verified(checkpoint_id, QUICK)
        self.assertEqual(constants.VERIFICATION_STATUS_ERROR,
                         verification['status'], verification)
        self.assertEqual({resource_key: constants.VERIFICATION_STATUS_ERROR},
                         verification['resources_status'])
        reason = verification['resources_reason'][resource_key]
        self.assertIn('object %s: ETag' % damaged, reason)
        self.assertIn('MD5', reason)
        # Only that object: the others still pass.
        for index in (0, 2):
            self.assertNotIn(self.data_key(checkpoint_id, image_id, index),
                             reason)
        self.assertIn(resource_key, verification['status_reason'])


class RefusedCredentialsTest(_ShellTestCase):

    PROJECT = 'e2e-swift-refused'

    @classmethod
    def server_options(cls, state_path):
        cls.container = cls.swift_container()
        cls.wrong_key = uuid.uuid4().hex
        cls.provider_file = os.path.join(state_path, 'providers.d',
                                         'refused.conf')
        return {'config_file': write_server_config(state_path, {
            'refused': swift_provider(REFUSED_ID, REFUSED_NAME,
                                      cls.container, cls.wrong_key)})}

    def test_provider_left_out_with_a_clear_error(self):
        # karbor-all started (the class fixture waited for GET /) and
        # offers its other providers, not this one.
        providers = {p['Id']: p['Name'] for p in self.rows('provider-list')}
        self.assertEqual({LOCAL_PROVIDER_ID: 'Local Provider'}, providers)
        result = self.karbor(self.server, self.PROJECT, 'provider-show',
                             REFUSED_ID)
        self.assertFailedWith(result, 'Provider %s could not be found' %
                              REFUSED_ID, 'HTTP 404')
        # No loaded provider protects images: the type is not offered.
        self.assertNotIn(IMAGE, [r['Protectable type'] for r in
                                 self.rows('protectable-list')])

        log = self.server.process.output()
        errors = [line for line in log.splitlines()
                  if ' ERROR karbor.services.protection.provider ' in line]
        self.assertEqual(1, len(errors), log)
        [error] = errors
        self.assertIn('Provider %s (%s) could not be loaded and is not '
                      'offered' % (REFUSED_NAME, self.provider_file), error)
        self.assertIn('Swift refused the credentials (HTTP 401)', error)
        self.assertIn('(id %s)' % REFUSED_ID, error)
        # Once: not repeated by oslo.log as the exception's summary.
        self.assertEqual(1, error.count('Swift refused the credentials'))
        self.assertIn(self.container.name, error)
        # Neither the key nor the start of it (swiftclient's own logging
        # shows the first characters of a secret header).
        self.assertNotIn(self.wrong_key, log)
        self.assertNotIn(self.wrong_key[:8], log)
        # Swift itself refused: the bank's container was never created.
        conn = self.container.connection()
        self.addCleanup(conn.close)
        e = self.assertRaises(swiftclient.ClientException,
                              conn.head_container, self.container.name)
        self.assertEqual(404, e.http_status)
