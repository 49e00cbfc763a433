"""OS::Cinder::Volume through the API (the real pecan app) against the real
Cinder of cinder_fixture: instances listed and shown, a plan of a volume
that does not exist refused with 404, a Cinder that is down with 503.

Run: ``stestr run karbor.tests.functional.test_cinder_api``.
"""

import os
import socket
import time
import uuid

from cinderclient import client as cinder_client
from cinderclient.contrib import noauth
from keystoneauth1 import session as ks_session

from karbor.tests.functional import cinder_fixture
from karbor.tests.unit.api_v1 import base

TYPE = 'OS::Cinder::Volume'
PROVIDER_ID = '8e2d4f6a-1b3c-4d5e-9f70-a1b2c3d4e5f6'
PROVIDER_CONF = """
[provider]
id = %s
name = Cinder API tests
bank = file_system
plugin = cinder_volume
""" % PROVIDER_ID


class CinderApiTest(base.ProtectionApiTestCase):

    def setUp(self):
        self.cinder = cinder_fixture.ensure_cinder()
        super().setUp()
        # Cinder's noauth reads "<user>:<project>" from the token the
        # caller sent Karbor; its project ids are hex.
        self.project = self.cinder.project
        self.token = 'karbor-api-test:%s' % self.project
        self.conf.config(endpoint_override=self.cinder.url, timeout=30,
                         group='cinder')
        with open(os.path.join(self.state_path, 'providers.d',
                               'cinder.conf'), 'w') as f:
            f.write(PROVIDER_CONF)
        self._reset_registries()
        auth = noauth.CinderNoAuthPlugin('karbor-api-test', self.project,
                                         endpoint=self.cinder.url)
        self.client = cinder_client.Client(
            '3.43', session=ks_session.Session(auth=auth, timeout=30))

    def new_volume(self):
        volume = self.client.volumes.create(
            1, name='karbor-api-%s' % uuid.uuid4().hex[:8])
        self.addCleanup(self.client.volumes.delete, volume.id)
        deadline = time.monotonic() + 120
        while volume.status != 'available':
            self.assertNotIn('error', volume.status)
            self.assertLess(time.monotonic(), deadline, volume.status)
            time.sleep(0.3)
            volume = self.client.volumes.get(volume.id)
        return volume

    def plan(self, volume_id, status):
        body = {'plan': {'name': 'volumes', 'provider_id': PROVIDER_ID,
                         'resources': [{'id': volume_id, 'type': TYPE,
                                        'name': 'a volume'}]}}
        return self.post('plans', body, token=self.token, status=status)

    def test_list_show_and_plan(self):
        volume = self.new_volume()
        listed = self.get('protectables/%s/instances' % TYPE,
                          token=self.token).json['instances']
        self.assertIn(volume.id, [i['id'] for i in listed])
        shown = self.get('protectables/%s/instances/%s' % (TYPE, volume.id),
                         token=self.token).json['instance']
        self.assertEqual((volume.id, TYPE, volume.name),
                         (shown['id'], shown['type'], shown['name']))
        plan = self.plan(volume.id, 200).json['plan']
        self.assertEqual([volume.id], [r['id'] for r in plan['resources']])

    def test_unknown_volume_is_404_at_plan_creation(self):
        missing = str(uuid.uuid4())
        message = self.assertFault(self.plan(missing, None), 404,
                                   'itemNotFound')
        self.assertIn(missing, message)
        resp = self.get('protectables/%s/instances/%s' % (TYPE, missing),
                        token=self.token, status=None)
        self.assertIn(missing, self.assertFault(resp, 404, 'itemNotFound'))

    def test_cinder_down_is_503(self):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            down = 'http://127.0.0.1:%d/v3' % s.getsockname()[1]
        self.conf.config(endpoint_override=down, group='cinder')
        message = self.assertFault(self.plan(str(uuid.uuid4()), None), 503,
                                   'serviceUnavailable')
        self.assertEqual('Cinder is unavailable: it cannot be reached',
                         message)
