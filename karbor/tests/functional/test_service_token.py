"""A caller's token that expires during a protect, against the real Glance
of glance_fixture reached through a token-checking proxy, with a fake
Keystone issuing the service user's tokens (both from token_fakes: no
Keystone runs here). The proxy refuses the caller's token once the test
declares it expired, unless a valid service token comes with it, as
keystonemiddleware does with ``service_token_roles_required``.

Run: ``stestr run karbor.tests.functional.test_service_token``.
"""

import io
import logging
import os
import uuid

import fixtures
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

from karbor.common import constants
from karbor.services.protection.clients import auth
from karbor.tests.functional import glance_fixture
from karbor.tests.functional import token_fakes
from karbor.tests.unit.api_v1 import base

IMAGE = 'OS::Glance::Image'
PROVIDER_ID = '5d1f0c2e-7a3b-4c9d-8e6f-2a4b6c8d0e1f'
PROVIDER_CONF = """
[provider]
id = %s
name = Glance behind a token check
bank = file_system
plugin = glance_image

[glance_image]
chunk_size_mb = 1
""" % PROVIDER_ID
# The caller: noauth reads user, project and roles from it, and it is the
# token that travels to Glance.
CALLER_TOKEN = 'alice:p1:admin'
SERVICE_USER = 'karbor'
SERVICE_PASSWORD = 'Service-Password-%s' % uuid.uuid4().hex
IMAGE_BYTES = 2 * 1024 * 1024 + 777
# keystoneauth renews a token that expires within two minutes.
SHORT_LIFETIME = 100


class ServiceTokenTest(base.ProtectionApiTestCase):

    def setUp(self):
        self.glance_endpoint = glance_fixture.ensure_glance()
        super().setUp()
        self.glance = glance_fixture.client(self.glance_endpoint)
        self.keystone = token_fakes.FakeKeystone(
            SERVICE_USER, SERVICE_PASSWORD, 'service').start()
        self.addCleanup(self.keystone.stop)
        self.proxy = token_fakes.TokenCheckingProxy(
            self.glance_endpoint, CALLER_TOKEN, self.keystone).start()
        self.addCleanup(self.proxy.stop)
        self.conf.config(endpoint_override=self.proxy.url, group='glance')
        with open(os.path.join(self.state_path, 'providers.d',
                               'glance.conf'), 'w') as f:
            f.write(PROVIDER_CONF)
        self._reset_registries()
        auth.reset()
        self.addCleanup(auth.reset)
        self.logs = self.useFixture(fixtures.FakeLogger(
            level=logging.DEBUG, format='%(name)s %(message)s'))
        self.start_protection_service()

    def use_service_user(self, password=SERVICE_PASSWORD):
        self.conf.register_opts(
            ks_loading.get_auth_plugin_conf_options('v3password'),
            group='service_user')
        self.conf.config(
            send_service_user_token=True, auth_type='v3password',
            auth_url=self.keystone.auth_url, username=SERVICE_USER,
            password=password, user_domain_name='Default',
            project_name='service', project_domain_name='Default',
            group='service_user')

    # Glance, directly

    def new_image(self):
        data = os.urandom(IMAGE_BYTES)
        image = self.glance.images.create(
            name='karbor-token-%s' % uuid.uuid4().hex[:8],
            disk_format='raw', container_format='bare')
        self.addCleanup(self.glance.images.delete, image['id'])
        self.glance.images.upload(image['id'], io.BytesIO(data))
        return image['id'], data

    # Karbor, as the caller whose token expires

    def plan(self, image_id, status=200):
        body = {'plan': {'name': 'token', 'provider_id': PROVIDER_ID,
                         'resources': [{'id': image_id, 'type': IMAGE,
                                        'name': 'an image'}]}}
        return self.post('plans', body, token=CALLER_TOKEN, status=status)

    def checkpoint(self, plan_id, status):
        resp = self.post(self.checkpoints_path(PROVIDER_ID),
                         {'checkpoint': {'plan_id': plan_id}},
                         token=CALLER_TOKEN, status=202)
        path = self.checkpoints_path(
            PROVIDER_ID, '/' + resp.json['checkpoint']['id'])
        return self.wait_for(
            lambda: self.get(path).json['checkpoint'],
            lambda c: c['status'] != constants.CHECKPOINT_STATUS_PROTECTING,
            status)

    def restored(self, checkpoint_id, name):
        resp = self.post('restores', {'restore': {
            'provider_id': PROVIDER_ID, 'checkpoint_id': checkpoint_id,
            'parameters': {IMAGE: {'name': name}}}},
            token=CALLER_TOKEN, status=202)
        return self.wait_for(
            lambda: self.get('restores/%s' % resp.json['restore'][
                'id']).json['restore'],
            lambda r: r['status'] != constants.RESTORE_STATUS_IN_PROGRESS)

    def protect_after_expiry(self, status, service_password=None):
        """A plan made while the caller's token is fresh (Glance sees it
        alone), then, from ``service_password`` on, a service user if
        any; the token expires and a checkpoint is taken."""
        image_id, data = self.new_image()
        plan = self.plan(image_id).json['plan']
        self.assertEqual([None], list({seen[3] for seen in self.proxy.seen}))
        if service_password:
            self.use_service_user(service_password)
        self.proxy.expire_user_token()
        del self.proxy.seen[:]
        return self.checkpoint(plan['id'], status), image_id, data

    def files_under(self, top):
        for directory, _dirs, names in os.walk(top):
            for name in names:
                with open(os.path.join(directory, name), 'rb') as f:
                    yield os.path.join(directory, name), f.read()

    # Tests

    def test_expired_token_without_service_token_ends_error(self):
        checkpoint, _image_id, _data = self.protect_after_expiry('error')
        reason = checkpoint['status_reason']
        self.assertIn("Glance at %s refused the caller's token" %
                      self.proxy.url, reason)
        self.assertIn('send_service_user_token', reason)
        self.assertEqual(401, self.proxy.seen[0][-1])
        self.assertIsNone(self.proxy.seen[0][3])
        self.assertEqual({}, self.keystone.issued)

    def test_service_token_outlives_the_callers_token(self):
        checkpoint, image_id, data = self.protect_after_expiry(
            'available', SERVICE_PASSWORD)
        # Every request of the protect carried the caller's token and a
        # service token of the fake Keystone, and Glance answered it.
        self.assertTrue(self.proxy.seen)
        for method, path, user_token, service_token, status in \
                self.proxy.seen:
            self.assertEqual(CALLER_TOKEN, user_token, path)
            self.assertIn(service_token, self.keystone.issued, path)
            self.assertLess(status, 400, (method, path))
        # One token for the whole protect: keystoneauth keeps it until it
        # is about to expire.
        self.assertEqual(1, len(self.keystone.issued))

        name = 'token-restored-%s' % uuid.uuid4().hex[:8]
        restore = self.restored(checkpoint['id'], name)
        self.assertEqual(constants.RESTORE_STATUS_SUCCESS, restore['status'],
                         restore)
        [new] = list(self.glance.images.list(filters={'name': name}))
        self.addCleanup(self.glance.images.delete, new['id'])
        self.assertNotEqual(image_id, new['id'])
        self.assertEqual(data, b''.join(self.glance.images.data(new['id'])))

        # The password is in no file of the state directory (bank and
        # database) and in no log line, even at DEBUG and with every
        # option logged; the caller's token is not in the bank.
        cfg.CONF.log_opt_values(logging.getLogger('karbor.test'),
                                logging.DEBUG)
        logged = self.logs.output
        self.assertIn('service_user.password', logged)
        self.assertNotIn(SERVICE_PASSWORD, logged)
        password = SERVICE_PASSWORD.encode()
        for path, content in self.files_under(self.state_path):
            self.assertNotIn(password, content, path)
        bank = os.path.join(self.state_path, 'bank')
        for path, content in self.files_under(bank):
            self.assertNotIn(CALLER_TOKEN.encode(), content, path)

    def test_service_token_renewed_before_it_expires(self):
        self.keystone.lifetime = SHORT_LIFETIME
        self.protect_after_expiry('available', SERVICE_PASSWORD)
        tokens = {seen[3] for seen in self.proxy.seen}
        # A token about to expire is never reused: each one that reached
        # Glance was new, and valid, when sent.
        self.assertGreater(len(tokens), 1)
        self.assertTrue(tokens <= set(self.keystone.issued))
        self.assertTrue(all(seen[-1] < 400 for seen in self.proxy.seen))

    def test_keystone_refuses_the_service_user(self):
        checkpoint, image_id, _data = self.protect_after_expiry(
            'error', 'not-the-password')
        reason = checkpoint['status_reason']
        self.assertIn("Karbor's service user ([service_user]) could not "
                      "get a token", reason)
        self.assertIn('HTTP 401', reason)
        self.assertGreaterEqual(self.keystone.refused, 1)
        # Glance never saw a request without the service token.
        self.assertEqual([], self.proxy.seen)
        # A plan made now is refused with the same reason, as a 503.
        resp = self.plan(image_id, status=None)
        message = self.assertFault(resp, 503, 'serviceUnavailable')
        self.assertIn("Karbor's service user", message)
        self.assertNotIn('not-the-password', reason + message +
                         self.logs.output)
