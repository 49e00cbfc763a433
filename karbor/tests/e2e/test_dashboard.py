"""The Horizon panels of karbor-dashboard in a real browser: Debian's
headless Chromium driven by Selenium, through a real Horizon 27
(tools/horizon/horizon.sh, with the panels of ``dashboard/``), logging in
to the real Keystone, over karbor-api and karbor-protection behind it with
the Local Provider (a file-system bank).

Run: ``tools/run_tests.sh karbor.tests.e2e.test_dashboard``.

Screenshots of every step go to ``$KARBOR_DASHBOARD_SCREENSHOTS`` (default:
a directory of the test's own, named in the test's details); a failing
test saves one of the page it failed on.
"""

import os
import tempfile

from testtools import content

from karbor.tests.e2e import browser as browser_mod
from karbor.tests.functional import behind_keystone
from karbor.tests.functional import horizon_fixture

DIRECTORY = behind_keystone.DIRECTORY
PROVIDER = behind_keystone.LOCAL_PROVIDER_ID
FILES = {'report.txt': b'quarterly numbers\n' * 100,
         'sub/photo.jpg': b'\xff\xd8' + os.urandom(300000)}
PLANS = '/project/data_protection_plans/'
CHECKPOINTS = '/project/data_protection_checkpoints/?provider=' + PROVIDER
VERIFICATIONS = '/project/data_protection_verifications/'
RESTORES = '/project/data_protection_restores/'
PROVIDERS = '/project/data_protection_providers/'


class DashboardTest(behind_keystone.BehindKeystone):

    @classmethod
    def configure_more(cls, services, sections):
        root = cls.project_root(services, 'alpha')
        for rel, data in FILES.items():
            path = os.path.join(root, 'docs', rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(data)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.horizon = horizon_fixture.ensure_horizon(cls.keystone)
        cls.shots = os.environ.get('KARBOR_DASHBOARD_SCREENSHOTS') or \
            tempfile.mkdtemp(prefix='karbor-dashboard-shots-')

    def setUp(self):
        super().setUp()
        self.browsers = []
        self.addDetail('screenshots', content.text_content(self.shots))
        self.addOnException(self._failure_screenshot)

    def _failure_screenshot(self, exc_info):
        for i, b in enumerate(self.browsers):
            try:
                path = b.screenshot('failure-%s-%d' % (self.id(), i))
                self.addDetail('failure screenshot %d' % i,
                               content.text_content(
                                   '%s (page %s)\n%s' % (
                                       path, b.driver.current_url,
                                       b.text()[:3000])))
            except Exception as e:  # the browser may be gone
                self.addDetail('failure screenshot %d' % i,
                               content.text_content(repr(e)))
        self.addDetail('karbor logs', content.text_content(
            self.services.logs()[-20000:]))

    def browser(self, user):
        """A browser logged in as ``user``, in this class's region."""
        b = browser_mod.Browser(self.horizon, self.shots)
        self.browsers.append(b)
        self.addCleanup(b.quit)
        b.login(user, self.keystone.password(user))
        b.switch_region(self.region, PROVIDERS)
        self.addCleanup(lambda: self.addDetail(
            'page times of %s' % user, content.text_content('\n'.join(
                '%.3f s  %s' % (t, p) for p, t in b.timings))))
        return b

    def bank_objects(self, checkpoint_id):
        """The data objects of the checkpoint in the Local Provider's
        file-system bank, largest first."""
        top = os.path.join(self.services.state_path, 'bank', PROVIDER,
                           'checkpoints', checkpoint_id)
        found = []
        for dirpath, _dirs, files in os.walk(top):
            for name in files:
                path = os.path.join(dirpath, name)
                if '%sdata%s' % (os.sep, os.sep) in path:
                    found.append(path)
        self.assertTrue(found, 'no data objects under %s' % top)
        return sorted(found, key=os.path.getsize, reverse=True)

    def wait_status(self, b, path, table, row_id, status, timeout=120):
        def done():
            rows = b.rows(table)
            return row_id in rows and status in rows[row_id].split()
        b.poll_page(path, done, '%s %s in %s' % (row_id, status, table),
                    timeout=timeout)

    def wait_verification(self, b, verification_id, timeout=120):
        """The verification's detail page once it is no longer
        verifying (the page reloads itself meanwhile); its status."""
        b.get(VERIFICATIONS + verification_id + '/')
        b.wait(lambda: b.detail('Status') in ('success', 'error'),
               'verification %s to end' % verification_id, timeout=timeout,
               interval=1)
        b.get(VERIFICATIONS + verification_id + '/')
        return b.detail('Status')

    def verify(self, b, checkpoint_id, level):
        b.get(CHECKPOINTS)
        b.row_action('checkpoints', checkpoint_id, 'verify_' + level)
        b.wait(lambda: '/data_protection_verifications/' in
               b.driver.current_url, 'the verification page')
        verification_id = b.driver.current_url.rstrip('/').split('/')[-1]
        return verification_id, self.wait_verification(b, verification_id)

    def resource_rows(self, b):
        return list(b.rows('resource_status').values())

    def test_protect_verify_damage_restore_and_other_users(self):
        alice = self.browser('alice')

        # Providers: the Local Provider and the parameters of its types.
        alice.get(PROVIDERS)
        self.assertIn(PROVIDER, alice.rows('providers'))
        alice.get(PROVIDERS + PROVIDER + '/')
        schemas = alice.text()
        for expected in (DIRECTORY, 'target_path', 'level'):
            self.assertIn(expected, schemas)
        alice.screenshot('dashboard-provider')

        # A plan over the directory "docs", through the form.
        alice.get(PLANS)
        alice.open_modal('plans', 'create')
        alice.screenshot('dashboard-plan-create')
        alice.submit_form({'name': 'docs-plan'}, checkboxes=['docs'],
                          done=lambda: alice.rows('plans') and
                          alice.messages())
        self.assertIn('Protection plan "docs-plan" created.',
                      ' '.join(alice.messages()))
        [(plan_id, row)] = [(k, v) for k, v in alice.rows('plans').items()
                            if 'docs-plan' in v]
        alice.get(PLANS + plan_id + '/update/')
        alice.submit_form({'description': 'the team documents'})
        self.assertIn('Protection plan "docs-plan" updated.',
                      ' '.join(alice.messages()))
        self.assertIn('the team documents', alice.rows('plans')[plan_id])

        # Protect now: a checkpoint, available after a while.
        alice.row_action('plans', plan_id, 'protect')
        alice.wait(lambda: '/data_protection_checkpoints/' in
                   alice.driver.current_url, 'the checkpoints page')
        [checkpoint_id] = list(alice.rows('checkpoints'))
        self.wait_status(alice, CHECKPOINTS, 'checkpoints', checkpoint_id,
                         'available')
        alice.get('/project/data_protection_checkpoints/%s/%s/' % (
            PROVIDER, checkpoint_id))
        self.assertIn('docs', alice.detail('Resource graph'))
        alice.screenshot('dashboard-checkpoint')

        # Verify quick, then deep: success for the one resource.
        quick_id, status = self.verify(alice, checkpoint_id, 'quick')
        self.assertEqual('success', status, alice.text())
        deep_id, status = self.verify(alice, checkpoint_id, 'deep')
        self.assertEqual('success', status, alice.text())
        [resource] = self.resource_rows(alice)
        self.assertIn(DIRECTORY, resource)
        self.assertIn('docs', resource.split())
        self.assertIn('deep', resource)
        self.assertIn('success', resource)
        alice.screenshot('dashboard-verification-success')
        alice.get(CHECKPOINTS)
        self.assertIn('success (deep)', alice.rows('checkpoints')[
            checkpoint_id])
        alice.screenshot('dashboard-checkpoints')

        # Restore into a new directory, with the restore_schema's field.
        alice.get(CHECKPOINTS)
        self.assertTrue(alice.has_action('checkpoints', 'create'))
        self.assertTrue(alice.has_action('checkpoints', 'restore',
                                         checkpoint_id))
        alice.get('/project/data_protection_restores/create/%s/%s/' % (
            PROVIDER, checkpoint_id))
        alice.screenshot('dashboard-restore-create')
        alice.submit_form({'restore__OS_Local_Directory__target_path':
                           'docs-restored'})
        restore_id = alice.driver.current_url.rstrip('/').split('/')[-1]
        alice.poll_page(RESTORES + restore_id + '/',
                        lambda: alice.detail('Status') == 'success',
                        'restore %s to succeed' % restore_id)
        root = self.project_root(self.services, 'alpha')
        for rel, data in FILES.items():
            with open(os.path.join(root, 'docs-restored', rel), 'rb') as f:
                self.assertEqual(data, f.read(), rel)
        alice.get(RESTORES)
        self.assertIn(restore_id, alice.rows('restores'))

        # A byte flipped in the bank behind Karbor's back: the deep
        # verification names the object.
        damaged = self.bank_objects(checkpoint_id)[0]
        with open(damaged, 'r+b') as f:
            f.seek(100)
            byte = f.read(1)
            f.seek(100)
            f.write(bytes([byte[0] ^ 0xff]))
        bad_id, status = self.verify(alice, checkpoint_id, 'deep')
        self.assertEqual('error', status, alice.text())
        [resource] = self.resource_rows(alice)
        self.assertIn('error', resource)
        object_key = 'data/' + os.path.basename(damaged)
        self.assertIn(object_key, resource)
        self.assertIn('SHA-256 mismatch', resource)
        alice.screenshot('dashboard-verification-error')

        # The list, filtered by status through the API.
        alice.get(VERIFICATIONS)
        self.assertEqual({quick_id, deep_id, bad_id},
                         set(alice.rows('verifications')))
        alice.screenshot('dashboard-verifications')
        alice.server_filter('verifications', 'status', 'error')
        self.assertEqual({bad_id}, set(alice.rows('verifications')))
        alice.server_filter('verifications', 'status', '')

        # Operation logs: the protect, the verifications and the restore.
        alice.get('/project/data_protection_operation_logs/')
        logs = ' '.join(alice.rows('operation_logs').values())
        for kind in ('protect', 'verify', 'restore'):
            self.assertIn(kind, logs)

        # A reader of alpha sees it all, without buttons that change it.
        rita = self.browser('rita')
        rita.get(PLANS)
        self.assertIn(plan_id, rita.rows('plans'))
        self.assertFalse(rita.has_action('plans', 'create'))
        self.assertFalse(rita.has_action('plans', 'protect', plan_id))
        self.assertFalse(rita.has_action('plans', 'delete', plan_id))
        rita.screenshot('dashboard-reader-plans')
        rita.get(CHECKPOINTS)
        self.assertIn(checkpoint_id, rita.rows('checkpoints'))
        for action in ('verify_quick', 'verify_deep', 'restore', 'delete'):
            self.assertFalse(rita.has_action('checkpoints', action,
                                             checkpoint_id), action)
        self.assertFalse(rita.has_action('checkpoints', 'create'))
        rita.get(VERIFICATIONS)
        self.assertFalse(rita.has_action('verifications', 'create'))
        # ...and the API refuses what a reader tries by hand.
        rita.get(PLANS + 'create/')
        rita.submit_form({'name': 'not-allowed'}, checkboxes=['docs'])
        refused = ' '.join(rita.messages())
        self.assertIn('Unable to create the plan', refused)
        self.assertIn('403', refused)

        # A member of another project sees none of it.
        bob = self.browser('bob')
        bob.get(PLANS)
        self.assertNotIn(plan_id, bob.rows('plans'))
        bob.get(VERIFICATIONS)
        self.assertEqual({}, bob.rows('verifications'))
        bob.get(VERIFICATIONS + deep_id + '/')
        self.assertIn('Unable to show the verification',
                      ' '.join(bob.messages()))
        self.assertIn('could not be found', ' '.join(bob.messages()))

        # The cloud administrator: Admin > Data Protection > Services.
        admin = self.browser('admin')
        admin.get('/admin/data_protection_services/')
        [service] = [row for row in admin.rows('services').values()
                     if 'karbor-protection' in row]
        self.assertIn('enabled', service)
        self.assertIn('up', service.split())
        admin.screenshot('dashboard-admin-services')
        # ...and, in the project panels, every project's verifications.
        admin.get(VERIFICATIONS)
        self.assertFalse({quick_id, deep_id, bad_id} &
                         set(admin.rows('verifications')))
        admin.get(VERIFICATIONS + '?all_tenants=1')
        everyone = admin.rows('verifications')
        self.assertLessEqual({quick_id, deep_id, bad_id}, set(everyone))
        self.assertIn(self.keystone.project_id('alpha'), everyone[deep_id])
