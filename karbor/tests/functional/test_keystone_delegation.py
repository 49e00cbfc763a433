"""Long operations outlive the caller's token, behind the real Keystone,
against a real Glance that validates every token with keystonemiddleware
(tools/glance/glance.sh, KARBOR_GLANCE_AUTH=keystone, no token cache).

The caller (bob, a member of project beta) asks for a protect or a
restore of a Glance image while karbor-protection is paused (SIGSTOP);
the caller's token is then revoked, or expires, before the protection
service does any of the work. With Karbor's service user the work runs
through a Keystone trust (or, if told so, with the service user's token
beside the expired one); without a service user, the operation ends in
error with a reason that says what to configure.

Run: ``tools/run_tests.sh karbor.tests.functional.test_keystone_delegation``.
"""

import contextlib
import io
import os
import signal
import time
import uuid

import glanceclient

from karbor.common import constants
from karbor.tests.functional import behind_keystone
from karbor.tests.functional import glance_fixture
from karbor.tests.functional import utils

IMAGE = 'OS::Glance::Image'
PROVIDER_ID = '3f6e2a1b-8c4d-4e5f-9a0b-1c2d3e4f5a6b'
USER = 'bob'
IMAGE_BYTES = 3 * 1024 * 1024 + 123


class _GlanceBehindKeystone(behind_keystone.BehindKeystone):

    @classmethod
    def catalog(cls):
        cls.glance_url = glance_fixture.ensure_keystone_glance()
        return {'image': cls.glance_url}

    @classmethod
    def configure_more(cls, services, sections):
        providers = os.path.join(services.tmp, 'providers.d')
        os.makedirs(providers)
        utils.write_config(os.path.join(providers, 'glance.conf'), {
            'provider': {'id': PROVIDER_ID, 'name': 'Glance images',
                         'bank': 'file_system', 'plugin': 'glance_image'},
            'glance_image': {'chunk_size_mb': 1}})
        sections['providers']['config_dir'] = providers
        sections['glance']['valid_interfaces'] = 'public'
        cls.configure_delegation(sections)

    @classmethod
    def configure_delegation(cls, sections):
        """The [service_user] of the class."""

    # Glance, as the caller

    def glance(self):
        return glanceclient.Client(
            '2', session=self.keystone.session(USER),
            endpoint_override=self.glance_url)

    def new_image(self):
        data = os.urandom(IMAGE_BYTES)
        glance = self.glance()
        image = glance.images.create(
            name='karbor-delegation-%s' % uuid.uuid4().hex[:8],
            disk_format='raw', container_format='bare')
        self.addCleanup(glance.images.delete, image['id'])
        glance.images.upload(image['id'], io.BytesIO(data))
        return image['id'], data

    # Karbor, as the caller

    def must(self, method, path, body=None, status=200, token=None):
        got, _headers, doc = self.call(USER, method, path, body,
                                       token=token)
        if got != status:
            self.fail_with_logs('%s %s: %s, not %s: %s' % (
                method, path, got, status, doc))
        return doc

    def plan(self, image_id):
        return self.must('POST', 'plans', {'plan': {
            'name': 'delegation', 'provider_id': PROVIDER_ID,
            'resources': [{'id': image_id, 'type': IMAGE,
                           'name': 'an image'}]}})['plan']

    def settled(self, path, key, transient):
        return self.wait(lambda: (lambda doc: doc if doc['status'] not in
                                  transient else None)(
            self.must('GET', path)[key]), '%s to end' % path, timeout=120)

    @contextlib.contextmanager
    def paused_protection(self):
        """karbor-protection stopped (SIGSTOP) for the block: what is
        asked meanwhile waits in RabbitMQ."""
        pid = self.services.protection.process.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(pid, signal.SIGCONT)

    def asked_then_lost(self, method, path, body, expire=False):
        """``method path body`` with a new token of the caller while the
        protection service is paused; the token is revoked, or expires
        (``expire``), before the service resumes. The answer's JSON."""
        if expire:
            token, expires = self.keystone.short_lived_token(USER)
        else:
            token, _project = self.keystone.token(USER)
        with self.paused_protection():
            doc = self.must(method, path, body, status=202, token=token)
            if expire:
                self.keystone.wait_past(expires)
            else:
                self.keystone.revoke(token)
            self.assertFalse(self.keystone.validate(token))
        return doc

    def protect(self, plan_id, expire=False):
        path = 'providers/%s/checkpoints' % PROVIDER_ID
        made = self.asked_then_lost(
            'POST', path, {'checkpoint': {'plan_id': plan_id}},
            expire)['checkpoint']
        return self.settled('%s/%s' % (path, made['id']), 'checkpoint',
                            (constants.CHECKPOINT_STATUS_PROTECTING,))

    def restore(self, checkpoint_id, name, expire=False):
        made = self.asked_then_lost('POST', 'restores', {'restore': {
            'provider_id': PROVIDER_ID, 'checkpoint_id': checkpoint_id,
            'parameters': {IMAGE: {'name': name}}}}, expire)['restore']
        return self.settled('restores/%s' % made['id'], 'restore',
                            (constants.RESTORE_STATUS_IN_PROGRESS,))

    def restored_image(self, name):
        glance = self.glance()
        [image] = list(glance.images.list(filters={'name': name}))
        self.addCleanup(glance.images.delete, image['id'])
        return image, b''.join(glance.images.data(image['id']))

    def trusts_of_the_caller(self):
        return self.keystone.call(
            'GET', '/OS-TRUST/trusts?trustor_user_id=%s' %
            self.keystone.user_id(USER))['trusts']


class TrustTest(_GlanceBehindKeystone):
    """The default: Karbor's service user in [service_user], and a trust
    for each operation."""

    def test_neither_an_expired_nor_a_revoked_token_stops_them(self):
        before = {t['id'] for t in self.trusts_of_the_caller()}
        image_id, data = self.new_image()
        plan = self.plan(image_id)
        checkpoint = self.protect(plan['id'], expire=True)
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE,
                         checkpoint['status'], checkpoint)

        name = 'karbor-restored-%s' % uuid.uuid4().hex[:8]
        restore = self.restore(checkpoint['id'], name)
        self.assertEqual(constants.RESTORE_STATUS_SUCCESS, restore['status'],
                         restore)
        image, restored = self.restored_image(name)
        self.assertEqual(data, restored)
        # Made as the caller, in the caller's project.
        self.assertEqual(self.keystone.project_id('beta'), image['owner'])

        # Each trust is deleted when its operation ends.
        deadline = time.monotonic() + 30
        while {t['id'] for t in self.trusts_of_the_caller()} - before:
            if time.monotonic() > deadline:
                self.fail_with_logs('trusts left: %s' % (
                    self.trusts_of_the_caller(),))
            time.sleep(0.2)


class ServiceTokenTest(_GlanceBehindKeystone):
    """No trusts, but the service user's token beside the caller's:
    Glance accepts the caller's token after it expired."""

    @classmethod
    def configure_delegation(cls, sections):
        sections['service_user'].update(delegate_with_trusts='false',
                                        send_service_user_token='true')

    def test_an_expired_token_with_a_service_token(self):
        image_id, _data = self.new_image()
        plan = self.plan(image_id)
        checkpoint = self.protect(plan['id'], expire=True)
        self.assertEqual(constants.CHECKPOINT_STATUS_AVAILABLE,
                         checkpoint['status'], checkpoint)


class NoServiceUserTest(_GlanceBehindKeystone):
    """No service user: the caller's token is all there is."""

    @classmethod
    def configure_delegation(cls, sections):
        del sections['service_user']

    def test_a_lost_token_ends_the_protect_saying_what_to_do(self):
        image_id, _data = self.new_image()
        plan = self.plan(image_id)
        for expire in (False, True):
            checkpoint = self.protect(plan['id'], expire=expire)
            self.assertEqual(constants.CHECKPOINT_STATUS_ERROR,
                             checkpoint['status'], checkpoint)
            reason = checkpoint['status_reason']
            self.assertIn("Glance refused the caller's token (expired or "
                          "revoked); configure Karbor's service user in "
                          "[service_user]", reason)
            # Where Glance runs is in the log, not in the reason.
            self.assertNotIn(self.glance_url, reason)
        self.assertIn(self.glance_url, self.services.protection.output())


class ServiceUserRefusedTest(_GlanceBehindKeystone):
    """A service user that Keystone refuses is the operator's to fix: an
    operation that needs it is refused at once, saying so, and the
    password is nowhere."""

    PASSWORD = 'Not-The-Password-%s' % uuid.uuid4().hex

    @classmethod
    def configure_delegation(cls, sections):
        sections['service_user']['password'] = cls.PASSWORD

    def test_refused_at_once_without_leaking_the_password(self):
        image_id, _data = self.new_image()
        plan = self.plan(image_id)
        status, _headers, doc = self.call(
            USER, 'POST', 'providers/%s/checkpoints' % PROVIDER_ID,
            {'checkpoint': {'plan_id': plan['id']}})
        self.assertEqual(503, status, doc)
        self.assertEqual(
            "Karbor's service user ([service_user]) could not get a token: "
            "it answered HTTP 401", doc['serviceUnavailable']['message'])
        # Nothing was started: no checkpoint is left protecting.
        listed = self.must('GET', 'providers/%s/checkpoints' % PROVIDER_ID)
        self.assertEqual([], [c for c in listed['checkpoints']
                              if c['protection_plan']['id'] == plan['id']])
        password = self.PASSWORD.encode()
        for process in self.services.processes:
            self.assertNotIn(self.PASSWORD, process.output())
        for directory, _dirs, names in os.walk(self.services.state_path):
            for name in names:
                with open(os.path.join(directory, name), 'rb') as f:
                    self.assertNotIn(password, f.read(), name)
