"""The protection API through the real pecan app, with the built-in local
provider and, for the asynchronous parts, a real protection service on the
in-process transport."""

import os
import time
import urllib.parse

import fixtures
from futurist import _thread as futurist_thread
from oslo_config import cfg

from karbor.common import service
from karbor.services.protection import manager
from karbor.services.protection import protectables
from karbor.services.protection import provider as provider_module
from karbor.tests.unit.api import base

ADMIN = base.ADMIN
MEMBER = base.MEMBER
# A member of another project; it calls /v1/otherproject/...
OTHER = 'u:otherproject'
OTHER_PROJECT = 'otherproject'

LOCAL_PROVIDER_ID = provider_module.LOCAL_PROVIDER_ID
DIRECTORY = 'OS::Local::Directory'

# A second provider, from a providers.d file: same bank kind, no plugin.
SECOND_PROVIDER_ID = '2b7c0e1d-4f5a-4b6c-8d9e-0a1b2c3d4e5f'
SECOND_PROVIDER_CONF = """
[provider]
id = %s
name = Second Provider
description = A bank without plugins
bank = file_system
""" % SECOND_PROVIDER_ID

# How long the asynchronous parts may take before a test fails.
SETTLE_TIMEOUT = 30

FILES = {
    'docs/readme.txt': b'hello karbor\n',
    'docs/data.bin': bytes(range(256)) * 40,
    'docs/sub1/notes.txt': b'first sub-directory\n',
    'docs/sub2/empty': b'',
    'photos/cat.jpg': b'\xff\xd8\xff' + b'meow' * 1000,
}


def write_tree(root, files):
    """Write ``files`` ({relative path: bytes}) below ``root``."""
    for rel, data in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(data)


class ProtectionApiTestCase(base.ApiTestCase):
    """The local provider on ``<state_path>/protect/{project_id}``; the
    root of ``self.project`` holds ``docs`` (with ``sub1`` and ``sub2``) and
    ``photos``; a second provider without plugins. ``start_service`` runs
    karbor-protection in the process."""

    start_service = False

    def setUp(self):
        super().setUp()
        self.conf.config(enable_local_provider=True, group='providers')
        providers_d = os.path.join(self.state_path, 'providers.d')
        os.makedirs(providers_d)
        with open(os.path.join(providers_d, 'second.conf'), 'w') as f:
            f.write(SECOND_PROVIDER_CONF)
        self.conf.config(config_dir=providers_d, group='providers')
        # Canonical paths, as the service resolves them.
        self.root = self.project_root(self.project)
        # The other project has the same tree in its own root.
        for root in (self.root, self.project_root(OTHER_PROJECT)):
            write_tree(root, FILES)
        self._reset_registries()
        self.addCleanup(self._reset_registries)
        if self.start_service:
            self.service = self.start_protection_service()

    def start_protection_service(self, host=None):
        """karbor-protection in the process, on the in-process transport;
        stopped at clean-up. Start it after writing provider files."""
        # Idle pool threads (RPC server, flow runner) look for work or
        # for the end every second; stopping the service would wait for
        # that second, twice, in every test.
        self.useFixture(fixtures.MockPatchObject(
            futurist_thread.ThreadWorker, 'MAX_IDLE_FOR', 0.02))
        protection = service.RPCService(
            manager.ProtectionManager(host), 'karbor-protection',
            cfg.CONF.protection.topic, host=host)
        protection.start()
        self.addCleanup(protection.stop)
        return protection

    @staticmethod
    def _reset_registries():
        protectables.reset_registry()
        provider_module.reset_registry()

    # Requests

    def get(self, path, token=ADMIN, status=200, project=None):
        return self.request('GET', self.url(path, project), token=token,
                            status=status)

    def post(self, path, body, token=ADMIN, status=None, project=None):
        return self.request('POST', self.url(path, project), token=token,
                            body=body, status=status)

    def put(self, path, body, token=ADMIN, status=None, project=None):
        return self.request('PUT', self.url(path, project), token=token,
                            body=body, status=status)

    def delete(self, path, token=ADMIN, status=None, project=None):
        return self.request('DELETE', self.url(path, project), token=token,
                            status=status)

    def url(self, path='', project=None):
        return '/v1/%s/%s' % (project or self.project, path)

    @staticmethod
    def query(**params):
        return '?' + urllib.parse.urlencode(params)

    # The local directories

    def project_root(self, project):
        """The root of ``project`` on the local provider (not created)."""
        return os.path.join(os.path.realpath(self.state_path), 'protect',
                            project)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def directory(self, rel, token=ADMIN, project=None):
        """The protectable instance of directory ``rel`` (via the API)."""
        parent = os.path.dirname(rel)
        query = self.query(parameters=str({'path': parent})) \
            if parent else ''
        items = self.get('protectables/%s/instances%s' % (DIRECTORY, query),
                         token=token, project=project)
        for item in items.json['instances']:
            if item['extra_info']['path'] == rel:
                return item
        self.fail('directory %s is not listed: %s' % (rel, items.text))

    # Plans and checkpoints

    def plan_body(self, name='plan', dirs=('docs',),
                  provider_id=LOCAL_PROVIDER_ID, token=ADMIN, project=None,
                  **extra):
        resources = []
        for rel in dirs:
            item = self.directory(rel, token=token, project=project)
            resources.append({'id': item['id'], 'type': DIRECTORY,
                              'name': item['name']})
        body = {'name': name, 'provider_id': provider_id,
                'resources': resources}
        body.update(extra)
        return {'plan': body}

    def create_plan(self, name='plan', dirs=('docs',), token=ADMIN,
                    project=None, **extra):
        resp = self.post('plans', self.plan_body(name, dirs, token=token,
                                                 project=project, **extra),
                         token=token, project=project, status=200)
        return resp.json['plan']

    def checkpoints_path(self, provider_id=LOCAL_PROVIDER_ID, rest=''):
        return 'providers/%s/checkpoints%s' % (provider_id, rest)

    def create_checkpoint(self, plan_id, token=ADMIN, project=None,
                          extra_info=None, wait=True):
        resp = self.post(self.checkpoints_path(),
                         {'checkpoint': {'plan_id': plan_id,
                                         'extra-info': extra_info}},
                         token=token, project=project, status=202)
        checkpoint = resp.json['checkpoint']
        if wait:
            checkpoint = self.wait_checkpoint(checkpoint['id'], token=token,
                                              project=project)
        return checkpoint

    def show_checkpoint(self, checkpoint_id, token=ADMIN, project=None):
        return self.get(self.checkpoints_path(rest='/' + checkpoint_id),
                        token=token, project=project).json['checkpoint']

    def wait_checkpoint(self, checkpoint_id, status='available', **kwargs):
        return self.wait_for(
            lambda: self.show_checkpoint(checkpoint_id, **kwargs),
            lambda c: c['status'] not in ('protecting', 'deleting'),
            status)

    def wait_for(self, fetch, settled, status=None):
        """Poll ``fetch()`` until ``settled(result)``; return the result,
        after checking its ``status`` when one is given."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while True:
            result = fetch()
            if settled(result):
                break
            if time.monotonic() > deadline:
                self.fail('not settled after %ss: %s' % (SETTLE_TIMEOUT,
                                                         result))
            time.sleep(0.05)
        if status is not None:
            self.assertEqual(status, result['status'], result)
        return result

    def wait_gone(self, fetch_status):
        """Poll until ``fetch_status()`` answers 404; return that answer."""
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while True:
            resp = fetch_status()
            if resp.status_int == 404:
                return resp
            if time.monotonic() > deadline:
                self.fail('not gone after %ss: %s' % (SETTLE_TIMEOUT,
                                                      resp.text))
            time.sleep(0.05)
