"""/v1/{project_id}/protectables: types and local-directory instances."""

import json
import os

from oslo_utils import uuidutils

from karbor.services.protection import local_roots
from karbor.tests.unit.api_v1 import base

INSTANCE_KEYS = {'id', 'type', 'name', 'dependent_resources', 'extra_info'}


class ProtectablesApiTest(base.ProtectionApiTestCase):

    def instances(self, query='', status=200, token=base.ADMIN):
        return self.get('protectables/%s/instances%s' % (base.DIRECTORY,
                                                         query),
                        status=status, token=token)

    def paths(self, query=''):
        return [i['extra_info']['path']
                for i in self.instances(query).json['instances']]

    def test_list_types(self):
        body = self.get('protectables').json
        self.assertEqual({'protectable_type': [base.DIRECTORY]}, body)
        self.assertEqual(body, self.get('protectables',
                                        token=base.MEMBER).json)

    def test_show_type(self):
        body = self.get('protectables/%s' % base.DIRECTORY).json
        self.assertEqual({'protectable_type': {
            'name': base.DIRECTORY, 'dependent_types': []}}, body)

    def test_unknown_type(self):
        for path in ('protectables/OS::Nova::Server',
                     'protectables/OS::Nova::Server/instances',
                     'protectables/OS::Nova::Server/instances/%s' %
                     uuidutils.generate_uuid()):
            message = self.assertFault(self.get(path, status=404), 404,
                                       'itemNotFound')
            self.assertIn('OS::Nova::Server', message)

    def test_list_instances_of_the_root(self):
        body = self.instances().json
        self.assertEqual({'instances', 'instances_links'}, set(body))
        items = body['instances']
        # Names relative to the project's root, never host paths.
        self.assertEqual(['docs', 'photos'],
                         sorted(i['extra_info']['path'] for i in items))
        for item in items:
            self.assertEqual(INSTANCE_KEYS, set(item))
            self.assertEqual(base.DIRECTORY, item['type'])
            self.assertTrue(uuidutils.is_uuid_like(item['id']))
            name = item['extra_info']['path']
            self.assertEqual(local_roots.directory_id(self.path(name)),
                             item['id'])
            self.assertEqual(name, item['name'])
            self.assertEqual([], item['dependent_resources'])
            # Ids travel in URLs and in the CLI's id=type=name syntax.
            for char in '/=,':
                self.assertNotIn(char, item['id'])

    def test_parameters_as_python_literal(self):
        # What python-karborclient sends: str() of a dict, url-encoded.
        query = self.query(parameters=str({'path': 'docs'}))
        self.assertIn('%7B%27path%27%3A+%27', query)
        self.assertEqual(['docs/sub1', 'docs/sub2'],
                         sorted(self.paths(query)))

    def test_parameters_as_json(self):
        query = self.query(parameters=json.dumps({'path': 'docs/'}))
        self.assertEqual(['docs/sub1', 'docs/sub2'],
                         sorted(self.paths(query)))

    def test_parameters_of_a_leaf_directory(self):
        query = self.query(parameters=str({'path': 'docs/sub2'}))
        self.assertEqual([], self.paths(query))

    def test_parameters_not_a_dictionary(self):
        for value in ("['a']", 'path=/x', '{broken'):
            message = self.assertFault(
                self.instances(self.query(parameters=value), status=400),
                400, 'badRequest')
            self.assertIn('parameters', message)

    def test_path_outside_the_root(self):
        os.symlink('/', self.path('escape'))
        os.symlink(self.path('docs'), self.path('docs-link'))
        for outside in (self.state_path, '/', '/etc', self.path('docs'),
                        '..', 'docs/../..', '../%s' % base.OTHER_PROJECT,
                        'escape', 'escape/etc', 'docs-link', 'nothing'):
            query = self.query(parameters=str({'path': outside}))
            message = self.assertFault(
                self.instances(query, status=400), 400, 'badRequest')
            self.assertIn('not', message)
            # Only what the caller sent, never a host path of ours.
            rest = message.replace(outside, '')
            self.assertNotIn(self.root, rest)
            self.assertNotIn(self.state_path, rest)

    def test_path_that_is_not_a_path(self):
        # These reached os.path.realpath() and were a 500.
        for value, reason in ((5, 'must be a path'),
                              (['x'], 'must be a path'),
                              ('docs\x00', 'NUL')):
            query = self.query(parameters=str({'path': value}))
            message = self.assertFault(
                self.instances(query, status=400), 400, 'badRequest')
            self.assertIn(reason, message)

    def test_symlinked_directory_is_not_listed(self):
        os.symlink(self.path('docs'), self.path('link-to-docs'))
        self.assertEqual(['docs', 'photos'], sorted(self.paths()))

    def test_show_instance(self):
        listed = {i['extra_info']['path']: i
                  for i in self.instances().json['instances']}
        docs = listed['docs']
        body = self.get('protectables/%s/instances/%s' % (
            base.DIRECTORY, docs['id'])).json
        self.assertEqual({'instance': docs}, body)

    def test_show_nested_instance(self):
        sub = self.directory('docs/sub1')
        body = self.get('protectables/%s/instances/%s' % (
            base.DIRECTORY, sub['id']), token=base.MEMBER).json
        self.assertEqual(sub, body['instance'])
        self.assertEqual('docs/sub1', body['instance']['extra_info']['path'])

    def test_show_unknown_instance(self):
        for unknown in (uuidutils.generate_uuid(),
                        # A real directory outside the root.
                        local_roots.directory_id(self.state_path),
                        'not-a-uuid'):
            message = self.assertFault(
                self.get('protectables/%s/instances/%s' % (
                    base.DIRECTORY, unknown), status=404),
                404, 'itemNotFound')
            self.assertIn(unknown, message)

    def test_instances_limit_and_marker(self):
        first = self.instances(self.query(limit=1, sort='name:asc')).json
        self.assertEqual(['docs'],
                         [i['extra_info']['path'] for i in first['instances']])
        [link] = first['instances_links']
        self.assertIn('marker=%s' % first['instances'][0]['id'],
                      link['href'])
        rest = self.instances(self.query(
            marker=first['instances'][0]['id'], sort='name:asc')).json
        self.assertEqual(['photos'],
                         [i['extra_info']['path'] for i in rest['instances']])

    def test_instances_unknown_query(self):
        message = self.assertFault(
            self.instances(self.query(colour='red'), status=400), 400,
            'badRequest')
        self.assertIn('colour', message)
