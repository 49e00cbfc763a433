"""The OpenStack protectables: the caller's project (from a real
RequestContext), Nova servers (from ``fake_nova``, a fake of Nova's v2.1
API on a real 127.0.0.1 socket, NOT a real Nova), a server's dependent
volumes and image, the registry of types, and the project through the
API app."""

import os
import socket

import fixtures
from oslo_config import cfg

from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.services.protection import graph
from karbor.services.protection import protectables
from karbor.services.protection import provider as provider_module
from karbor.services.protection.clients import cinder
from karbor.services.protection.clients import nova
from karbor.services.protection.protectable_plugins import cinder_volume
from karbor.services.protection.protectable_plugins import glance_image
from karbor.services.protection.protectable_plugins import keystone_project
from karbor.services.protection.protectable_plugins import nova_server
from karbor.tests.unit.api_v1 import base as api_base
from karbor.tests.unit.protectables_openstack import fake_nova
from karbor.tests.unit.protection import base
from karbor.tests.unit.protection_cinder import fake_cinder

PROJECT = keystone_project.RESOURCE_TYPE
SERVER = nova_server.RESOURCE_TYPE
VOLUME = cinder_volume.RESOURCE_TYPE
IMAGE = glance_image.RESOURCE_TYPE
S1 = '11111111-1111-4111-8111-111111111111'
S2 = '22222222-2222-4222-8222-222222222222'
S3 = '33333333-3333-4333-8333-333333333333'
IMAGE_ID = '99999999-9999-4999-8999-999999999999'


def context(**kwargs):
    values = dict(user_id='u1', project_id='p1', project_name='demo',
                  auth_token='tok-1')
    values.update(kwargs)
    return karbor_context.RequestContext(**values)


class ProjectProtectableTest(base.ProtectionTestCase):

    def setUp(self):
        super().setUp()
        self.plugin = keystone_project.KeystoneProjectProtectable(cfg.CONF)

    def test_type(self):
        self.assertEqual(PROJECT, self.plugin.get_resource_type())
        self.assertEqual([], self.plugin.get_parent_resource_types())

    def test_list_is_the_callers_project(self):
        self.assertEqual([graph.Resource(PROJECT, 'p1', 'demo', {})],
                         self.plugin.list_resources(context()))

    def test_name_defaults_to_the_id(self):
        ctx = context(project_name=None)
        self.assertEqual([graph.Resource(PROJECT, 'p1', 'p1', {})],
                         self.plugin.list_resources(ctx))
        self.assertEqual('p1', self.plugin.show_resource(ctx, 'p1').name)

    def test_show_own_project(self):
        self.assertEqual(graph.Resource(PROJECT, 'p1', 'demo', {}),
                         self.plugin.show_resource(context(), 'p1'))

    def test_show_another_project(self):
        self.assertRaises(exception.ProtectableResourceNotFound,
                          self.plugin.show_resource, context(), 'p2')

    def test_context_without_project(self):
        ctx = context(project_id=None, project_name=None)
        self.assertEqual([], self.plugin.list_resources(ctx))
        self.assertRaises(exception.ProtectableResourceNotFound,
                          self.plugin.show_resource, ctx, 'p1')


class NovaServerProtectableTest(base.ProtectionTestCase):
    """Against fake_nova (a fake of Nova on 127.0.0.1, not a real Nova)."""

    def setUp(self):
        super().setUp()
        self.nova = fake_nova.FakeNova(page_size=2)
        self.addCleanup(self.nova.stop)
        self.conf.config(endpoint_override=self.nova.url, group='nova')
        self.plugin = nova_server.NovaServerProtectable(cfg.CONF)
        self.ctx = context()

    def test_type(self):
        self.assertEqual(SERVER, self.plugin.get_resource_type())
        self.assertEqual([PROJECT], self.plugin.get_parent_resource_types())

    def test_list_follows_pages(self):
        self.nova.add_server(S1, 'web', image_id=IMAGE_ID, volume_ids=['v1'])
        self.nova.add_server(S2, 'db', volume_ids=['v2', 'v3'])
        self.nova.add_server(S3, 'gone', status='SOFT_DELETED')
        found = self.plugin.list_resources(self.ctx)
        self.assertEqual([S1, S2], [r.id for r in found])
        web, db = found
        self.assertEqual(SERVER, web.type)
        self.assertEqual('web', web.name)
        self.assertEqual({'status': 'ACTIVE', 'image': IMAGE_ID,
                          'volumes': ['v1'], 'availability_zone': 'nova',
                          'flavor': 'm1.tiny'}, web.extra_info)
        self.assertNotIn('image', db.extra_info)   # booted from a volume
        self.assertEqual(['v2', 'v3'], db.extra_info['volumes'])
        # Two pages, the caller's token on each request.
        self.assertEqual(2, len(self.nova.requests))
        self.assertIn('marker=%s' % S2, self.nova.requests[1][0])
        self.assertEqual({'tok-1'}, {t for _, t in self.nova.requests})

    def test_show(self):
        self.nova.add_server(S1, 'web', image_id=IMAGE_ID)
        server = self.plugin.show_resource(self.ctx, S1)
        self.assertEqual((SERVER, S1, 'web'), server[:3])
        self.assertEqual(IMAGE_ID, server.extra_info['image'])
        self.assertEqual('/v2.1/servers/%s' % S1, self.nova.requests[-1][0])

    def test_show_missing(self):
        self.assertRaises(exception.ProtectableResourceNotFound,
                          self.plugin.show_resource, self.ctx, S1)

    def test_dependents_of_the_project(self):
        self.nova.add_server(S1, 'web')
        project = graph.Resource(PROJECT, 'p1', 'demo', {})
        self.assertEqual([S1], [r.id for r in
                                self.plugin.get_dependent_resources(
                                    self.ctx, project)])
        other = graph.Resource(PROJECT, 'p2', 'other', {})
        self.assertEqual([], self.plugin.get_dependent_resources(
            self.ctx, other))

    def test_nova_server_error(self):
        self.nova.fail_with = 500
        e = self.assertRaises(nova.NovaUnavailable,
                              self.plugin.list_resources, self.ctx)
        self.assertEqual(503, e.code)
        self.assertEqual('Nova is unavailable: it answered HTTP 500', str(e))

    def test_nova_unreachable(self):
        sock = socket.socket()
        sock.bind(('127.0.0.1', 0))
        url = 'http://127.0.0.1:%d/v2.1' % sock.getsockname()[1]
        sock.close()   # nothing listens there now
        self.conf.config(endpoint_override=url, group='nova')
        for call in (lambda: self.plugin.list_resources(self.ctx),
                     lambda: self.plugin.show_resource(self.ctx, S1)):
            e = self.assertRaises(nova.NovaUnavailable, call)
            self.assertEqual(503, e.code)
            self.assertEqual('Nova is unavailable: it cannot be reached',
                             str(e))

    def test_endpoint_from_the_catalog(self):
        self.conf.config(endpoint_override=None, group='nova')
        self.nova.add_server(S1, 'web')
        ctx = context(service_catalog=[{
            'type': 'compute', 'name': 'nova',
            'endpoints': [{'interface': 'public', 'region': 'RegionOne',
                           'url': self.nova.url}]}])
        self.assertEqual([S1], [r.id for r in
                                self.plugin.list_resources(ctx)])

    def test_no_nova_endpoint(self):
        self.conf.config(endpoint_override=None, group='nova')
        project = graph.Resource(PROJECT, 'p1', 'demo', {})
        self.assertEqual([], self.plugin.list_resources(self.ctx))
        self.assertRaises(exception.ProtectableResourceNotFound,
                          self.plugin.show_resource, self.ctx, S1)
        self.assertEqual([], self.plugin.get_dependent_resources(
            self.ctx, project))
        self.assertEqual([], self.nova.requests)


class _FakeGlance:
    """The little of glance.GlanceClient the image protectable uses."""

    def __init__(self, images):
        self.url = 'http://glance.invalid'
        self.store = images
        self.images = self

    def get(self, image_id):
        if image_id not in self.store:
            raise Exception('404 Not Found: no image %s' % image_id)
        return self.store[image_id]

    def reachable(self):
        return fixtures.Fixture()   # a context manager that does nothing


class NoServiceDependentsTest(base.ProtectionTestCase):
    """A cloud without Cinder or Glance: a project or a server has no
    volume or image depending on it (rather than an error)."""

    def test_no_endpoint_no_dependents(self):
        ctx = context()
        project = graph.Resource(PROJECT, 'p1', 'demo', {})
        server = graph.Resource(SERVER, 's1', 'vm', {'image': 'i1'})
        for plugin in (glance_image.GlanceImageProtectable(cfg.CONF),
                       cinder_volume.CinderVolumeProtectable(cfg.CONF)):
            for parent in (project, server):
                self.assertEqual(
                    [], plugin.get_dependent_resources(ctx, parent))


class ServerDependentsTest(base.ProtectionTestCase):
    """A server from fake_nova (a fake of Nova on 127.0.0.1) with two
    attached volumes and an image; the volumes from fake_cinder and the
    image from an in-test fake Glance client."""

    def setUp(self):
        super().setUp()
        self.nova = fake_nova.FakeNova()
        self.addCleanup(self.nova.stop)
        self.conf.config(endpoint_override=self.nova.url, group='nova')
        self.cinder = fake_cinder.FakeCinder()
        self.useFixture(fixtures.MockPatchObject(
            cinder, 'client', lambda context, conf=None: self.cinder))
        self.conf.config(endpoint_override=fake_cinder.URL, group='cinder')
        self.conf.config(endpoint_override='http://glance.invalid',
                         group='glance')
        self.glance = _FakeGlance({IMAGE_ID: {
            'id': IMAGE_ID, 'name': 'cirros', 'status': 'active',
            'size': 123, 'disk_format': 'qcow2'}})
        self.useFixture(fixtures.MockPatchObject(
            glance_image.GlanceImageProtectable, '_client',
            lambda plugin, context: self.glance))
        self.ctx = context()

    def test_volumes_and_image_of_a_server(self):
        v1 = self.cinder.add_volume(attachments=[{'server_id': S1}])
        v2 = self.cinder.add_volume(attachments=[{'server_id': S1}])
        self.cinder.add_volume(attachments=[{'server_id': S2}])
        self.cinder.add_volume()
        self.nova.add_server(S1, 'web', image_id=IMAGE_ID,
                             volume_ids=[v1.id, v2.id])
        server = nova_server.NovaServerProtectable(
            cfg.CONF).show_resource(self.ctx, S1)
        self.assertEqual(sorted([v1.id, v2.id]),
                         sorted(server.extra_info['volumes']))
        volumes = cinder_volume.CinderVolumeProtectable(
            cfg.CONF).get_dependent_resources(self.ctx, server)
        self.assertEqual(sorted([v1.id, v2.id]),
                         sorted(v.id for v in volumes))
        self.assertEqual({VOLUME}, {v.type for v in volumes})
        images = glance_image.GlanceImageProtectable(
            cfg.CONF).get_dependent_resources(self.ctx, server)
        self.assertEqual([(IMAGE, IMAGE_ID, 'cirros')],
                         [i[:3] for i in images])

    def test_server_booted_from_a_volume_has_no_image(self):
        self.nova.add_server(S1, 'web')
        server = nova_server.NovaServerProtectable(
            cfg.CONF).show_resource(self.ctx, S1)
        self.assertEqual([], glance_image.GlanceImageProtectable(
            cfg.CONF).get_dependent_resources(self.ctx, server))
        self.assertEqual([], cinder_volume.CinderVolumeProtectable(
            cfg.CONF).get_dependent_resources(self.ctx, server))


PROVIDER_ID = '44444444-4444-4444-8444-444444444444'


def write_cinder_provider(directory, bank_path):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, 'cinder.conf'), 'w') as f:
        f.write('\n'.join([
            '[provider]', 'id = %s' % PROVIDER_ID, 'name = Cinder',
            'description = volumes', 'bank = file_system',
            'plugin = cinder_volume', '',
            '[file_system_bank]', 'path = %s' % bank_path, '']))


class RegistryTest(base.ProtectionTestCase):

    def test_parents_of_a_protected_volume_are_offered(self):
        providers_d = os.path.join(self.tmp, 'providers.d')
        write_cinder_provider(providers_d, os.path.join(self.tmp, 'bank'))
        self.conf.config(config_dir=providers_d, group='providers')
        providers = provider_module.get_registry().list()
        self.assertEqual([PROVIDER_ID], [p.id for p in providers])
        registry = protectables.get_registry()
        self.assertEqual([VOLUME, PROJECT, SERVER], registry.types())
        self.assertIsInstance(registry.get(PROJECT),
                              keystone_project.KeystoneProjectProtectable)
        self.assertIsInstance(registry.get(SERVER),
                              nova_server.NovaServerProtectable)
        self.assertEqual([VOLUME, SERVER], registry.dependent_types(PROJECT))
        self.assertEqual([VOLUME], registry.dependent_types(SERVER))
        # Nobody protects images: the image type is not offered.
        self.assertRaises(exception.ProtectableTypeNotFound,
                          registry.get, IMAGE)
        # No Cinder, no Nova configured: the project has no dependents.
        self.assertEqual([], registry.dependents(
            context(), graph.Resource(PROJECT, 'p1', 'demo', {})))


class ProjectApiTest(api_base.ProtectionApiTestCase):

    def setUp(self):
        super().setUp()
        write_cinder_provider(os.path.join(self.state_path, 'providers.d'),
                              os.path.join(self.state_path, 'cinder-bank'))
        self._reset_registries()

    def test_types_include_project_and_server(self):
        types = self.get('protectables').json['protectable_type']
        self.assertIn(PROJECT, types)
        self.assertIn(SERVER, types)

    def test_instances_of_the_project(self):
        body = self.get('protectables/%s/instances' % PROJECT).json
        self.assertEqual([{'id': 'p1', 'type': PROJECT, 'name': 'p1',
                           'extra_info': {}, 'dependent_resources': []}],
                         body['instances'])
        self.assertEqual(body['instances'], self.get(
            'protectables/%s/instances' % PROJECT,
            token=api_base.MEMBER).json['instances'])

    def test_show_the_project(self):
        body = self.get('protectables/%s/instances/p1' % PROJECT).json
        self.assertEqual('p1', body['instance']['id'])
        self.get('protectables/%s/instances/p2' % PROJECT, status=404)

    def test_other_project_sees_its_own(self):
        body = self.get('protectables/%s/instances' % PROJECT,
                        token=api_base.OTHER,
                        project=api_base.OTHER_PROJECT).json
        self.assertEqual([api_base.OTHER_PROJECT],
                         [i['id'] for i in body['instances']])
