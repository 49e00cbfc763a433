"""The clients as a cloud's users run them: python-karborclient 2.1.0's
``karbor`` shell and its OpenStackClient plugin (``openstack data
protection``, with python-openstackclient<8 and osc-lib<4), logging in to
the real Keystone with a password and finding Karbor in the catalog,
through a whole plan -> checkpoint -> verification -> restore cycle of a
local directory, against karbor-api and karbor-protection.

Run: ``tools/run_tests.sh karbor.tests.e2e.test_keystone_cli``.
"""

import filecmp
import json
import os
import subprocess
import time

from karbor.tests.e2e import base as e2e
from karbor.tests.functional import behind_keystone
from karbor.tests.functional import utils

DIRECTORY = behind_keystone.DIRECTORY
PROVIDER = behind_keystone.LOCAL_PROVIDER_ID
FILES = {'report.txt': b'quarterly numbers\n',
         'sub/photo.jpg': b'\xff\xd8' + os.urandom(200000)}


class _Clients(behind_keystone.BehindKeystone):

    USER = None

    @classmethod
    def configure_more(cls, services, sections):
        root = cls.project_root(services, cls.keystone.project_of(cls.USER))
        for rel, data in FILES.items():
            path = os.path.join(root, 'docs', rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(data)

    @property
    def root(self):
        return self.project_root(self.services,
                                 self.keystone.project_of(self.USER))

    def environment(self, user):
        """What ``keystone.sh env <user>`` exports, in this class's
        region; nothing else of the caller's OS_* or KARBOR_*."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(('OS_', 'KARBOR_'))}
        env.update(OS_AUTH_URL=self.keystone.auth_url,
                   OS_IDENTITY_API_VERSION='3', OS_AUTH_TYPE='password',
                   OS_USERNAME=user,
                   OS_PASSWORD=self.keystone.password(user),
                   OS_PROJECT_NAME=self.keystone.project_of(user),
                   OS_USER_DOMAIN_NAME='Default',
                   OS_PROJECT_DOMAIN_NAME='Default',
                   OS_REGION_NAME=self.region, OS_INTERFACE='public')
        return env

    def client(self, user, command, *args):
        return subprocess.run([utils.executable(command)] + list(args),
                              capture_output=True, text=True,
                              env=self.environment(user),
                              timeout=e2e.CLI_TIMEOUT)

    def ok(self, user, command, *args):
        result = self.client(user, command, *args)
        if result.returncode:
            self.fail_with_logs('%s %s failed (%d):\n%s%s' % (
                command, ' '.join(args), result.returncode, result.stdout,
                result.stderr))
        return result.stdout

    def poll(self, fetch, what, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            shown = fetch()
            if shown['status'] not in ('protecting', 'verifying',
                                       'in_progress'):
                return shown
            if time.monotonic() > deadline:
                self.fail_with_logs('%s still %s' % (what, shown['status']))
            time.sleep(0.3)

    def docs(self, instances):
        [docs] = [i for i in instances
                  if i['name'].rstrip('/').split('/')[-1] == 'docs']
        return docs

    def assertRestored(self, target):
        target = os.path.join(self.root, target)
        source = os.path.join(self.root, 'docs')
        for rel in FILES:
            self.assertTrue(filecmp.cmp(os.path.join(source, rel),
                                        os.path.join(target, rel),
                                        shallow=False), rel)


class KarborShellTest(_Clients):
    """The legacy shell: ``karbor --os-auth-url ... --os-username ...``,
    with the endpoint of service type data-protect from the catalog."""

    USER = 'alice'

    def karbor(self, user, *args):
        return self.ok(user, 'karbor', *args)

    def show(self, user, *args):
        return e2e.parse_show(self.karbor(user, *args))

    def test_a_whole_cycle_as_a_member(self):
        instances = e2e.parse_table(self.karbor(
            'alice', 'protectable-list-instances', DIRECTORY))
        docs = self.docs([{'name': i['Name'], 'id': i['Id']}
                          for i in instances])
        plan = self.show('alice', 'plan-create', 'docs', PROVIDER,
                         '%s=%s=docs' % (docs['id'], DIRECTORY))
        checkpoint = self.show('alice', 'checkpoint-create', PROVIDER,
                               plan['id'])
        checkpoint = self.poll(lambda: self.show(
            'alice', 'checkpoint-show', PROVIDER, checkpoint['id']),
            'checkpoint')
        self.assertEqual('available', checkpoint['status'], checkpoint)
        verification = self.show(
            'alice', 'verification-create', PROVIDER, checkpoint['id'],
            '--parameters', 'resource_type=%s,level=deep' % DIRECTORY)
        verification = self.poll(lambda: self.show(
            'alice', 'verification-show', verification['id']),
            'verification')
        self.assertEqual('success', verification['status'], verification)
        target = 'docs-from-shell'
        restore = self.show(
            'alice', 'restore-create', PROVIDER, checkpoint['id'],
            '--parameters', 'resource_type=%s,target_path=%s' % (
                DIRECTORY, target))
        restore = self.poll(lambda: self.show(
            'alice', 'restore-show', restore['id']), 'restore')
        self.assertEqual('success', restore['status'], restore)
        self.assertRestored(target)

        # A reader of the project sees it all and may change nothing; a
        # member of another project sees none of it.
        listed = e2e.parse_table(self.karbor('rita', 'plan-list'))
        self.assertIn(plan['id'], [row['Id'] for row in listed])
        refused = self.client('rita', 'karbor', 'plan-delete', plan['id'])
        self.assertNotEqual(0, refused.returncode)
        self.assertIn('karbor:plan:delete', refused.stderr)
        hidden = self.client('bob', 'karbor', 'plan-show', plan['id'])
        self.assertNotEqual(0, hidden.returncode)
        self.assertIn('could not be found', hidden.stderr)
        self.assertNotIn(plan['id'], self.karbor('bob', 'plan-list'))


class OpenStackClientTest(_Clients):
    """``openstack data protection ...`` (OSC plugin of
    python-karborclient), output as JSON, as olga of project gamma.

    The plugin gives keystoneauth no region (a bug of the client): it
    takes the first data-protect endpoint of the catalog. So gamma's
    catalog is limited to this class's endpoints (OS-EP-FILTER), as a
    cloud with one region would be.
    """

    USER = 'olga'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.catalog_region.only_for('gamma')

    def openstack(self, user, *args):
        out = self.ok(user, 'openstack', 'data', 'protection', *args,
                      '-f', 'json')
        return json.loads(out)

    def test_a_whole_cycle_as_a_member(self):
        docs = self.docs([{'name': i['Name'], 'id': i['Id']} for i in
                          self.openstack('olga', 'protectable', 'instance',
                                         'list', DIRECTORY)])
        plan = self.openstack('olga', 'plan', 'create', 'docs', PROVIDER,
                              '%s=%s=docs' % (docs['id'], DIRECTORY))
        checkpoint = self.openstack('olga', 'checkpoint', 'create',
                                    PROVIDER, plan['id'])
        checkpoint = self.poll(lambda: self.openstack(
            'olga', 'checkpoint', 'show', PROVIDER, checkpoint['id']),
            'checkpoint')
        self.assertEqual('available', checkpoint['status'], checkpoint)
        verification = self.openstack(
            'olga', 'verification', 'create', PROVIDER, checkpoint['id'],
            '--parameters', 'resource_type=%s,level=deep' % DIRECTORY)
        verification = self.poll(lambda: self.openstack(
            'olga', 'verification', 'show', verification['id']),
            'verification')
        self.assertEqual('success', verification['status'], verification)
        target = 'docs-from-osc'
        restore = self.openstack(
            'olga', 'restore', 'create', PROVIDER, checkpoint['id'],
            '--parameters', 'resource_type=%s,target_path=%s' % (
                DIRECTORY, target))
        restore = self.poll(lambda: self.openstack(
            'olga', 'restore', 'show', restore['id']), 'restore')
        self.assertEqual('success', restore['status'], restore)
        self.assertRestored(target)
        listed = self.openstack('olga', 'verification', 'list')
        self.assertIn(verification['id'], [v['Id'] for v in listed])
