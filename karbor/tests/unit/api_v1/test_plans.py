"""/v1/{project_id}/plans: create, validation, list, scope, update,
delete."""

import json
import urllib.parse

from oslo_utils import uuidutils

from karbor.tests.unit.api_v1 import base

PLAN_KEYS = {'id', 'name', 'description', 'provider_id', 'project_id',
             'status', 'resources', 'parameters', 'created_at',
             'updated_at'}


class PlanCreateTest(base.ProtectionApiTestCase):

    def create(self, body, status, token=base.ADMIN):
        return self.post('plans', body, token=token, status=status)

    def test_create(self):
        docs = self.directory('docs')
        resp = self.create(self.plan_body(
            'my plan', dirs=('docs', 'docs/sub1'),
            description='two directories',
            parameters={base.DIRECTORY: {},
                        '%s#%s' % (base.DIRECTORY, docs['id']): {}}), 200)
        self.assertEqual('application/json', resp.content_type)
        plan = resp.json['plan']
        self.assertEqual(PLAN_KEYS, set(plan))
        self.assertTrue(uuidutils.is_uuid_like(plan['id']))
        self.assertEqual('my plan', plan['name'])
        self.assertEqual('two directories', plan['description'])
        self.assertEqual('suspended', plan['status'])
        self.assertEqual(base.LOCAL_PROVIDER_ID, plan['provider_id'])
        self.assertEqual('p1', plan['project_id'])
        self.assertEqual(
            [{'id': docs['id'], 'type': base.DIRECTORY,
              'name': docs['name'],
              'extra_info': {'path': 'docs'}},
             {'id': self.directory('docs/sub1')['id'],
              'type': base.DIRECTORY,
              'name': self.directory('docs/sub1')['name'],
              'extra_info': {'path': 'docs/sub1'}}],
            plan['resources'])
        self.assertEqual(2, len(plan['parameters']))
        self.assertEqual({'plan': plan},
                         self.get('plans/%s' % plan['id']).json)

    def test_create_as_member_with_null_description(self):
        plan = self.create(self.plan_body(description=None), 200,
                           token=base.MEMBER).json['plan']
        self.assertIsNone(plan['description'])
        self.assertEqual({}, plan['parameters'])
        self.assertEqual('p1', plan['project_id'])

    def test_extra_info_comes_from_the_server(self):
        # A caller cannot make a resource point at another path.
        body = self.plan_body()
        body['plan']['resources'][0]['extra_info'] = {'path': '/etc'}
        plan = self.create(body, 200).json['plan']
        self.assertEqual({'path': 'docs'},
                         plan['resources'][0]['extra_info'])

    def test_name_missing(self):
        body = self.plan_body()
        del body['plan']['name']
        message = self.assertFault(self.create(body, 400), 400,
                                   'badRequest')
        self.assertIn("'name' is a required property", message)

    def test_unknown_field(self):
        body = self.plan_body(colour='red')
        message = self.assertFault(self.create(body, 400), 400,
                                   'badRequest')
        self.assertIn('colour', message)
        self.assertIn('not allowed', message)

    def test_malformed_json(self):
        for raw, word in (('{"plan": ', 'not valid JSON'),
                          ('', 'no body')):
            resp = self.request('POST', self.url('plans'), raw=raw)
            message = self.assertFault(resp, 400, 'badRequest')
            self.assertIn(word, message)

    def test_not_wrapped(self):
        message = self.assertFault(
            self.create(self.plan_body()['plan'], 400), 400, 'badRequest')
        self.assertIn("'plan' is a required property", message)

    def test_empty_resources(self):
        body = self.plan_body()
        body['plan']['resources'] = []
        message = self.assertFault(self.create(body, 400), 400,
                                   'badRequest')
        self.assertIn('resources', message)

    def test_bad_provider_id(self):
        message = self.assertFault(
            self.create(self.plan_body(provider_id='local'), 400), 400,
            'badRequest')
        self.assertIn('provider_id', message)

    def test_unknown_provider(self):
        unknown = uuidutils.generate_uuid()
        message = self.assertFault(
            self.create(self.plan_body(provider_id=unknown), 404), 404,
            'itemNotFound')
        self.assertIn(unknown, message)

    def test_unknown_resource(self):
        unknown = uuidutils.generate_uuid()
        body = self.plan_body()
        body['plan']['resources'].append({'id': unknown,
                                          'type': base.DIRECTORY,
                                          'name': 'ghost'})
        message = self.assertFault(self.create(body, 404), 404,
                                   'itemNotFound')
        self.assertIn(unknown, message)
        self.assertEqual([], self.get('plans').json['plans'])

    def test_resource_of_unsupported_type(self):
        body = self.plan_body()
        body['plan']['resources'] = [{'id': uuidutils.generate_uuid(),
                                      'type': 'OS::Nova::Server',
                                      'name': 'vm'}]
        message = self.assertFault(self.create(body, 400), 400,
                                   'badRequest')
        self.assertIn('OS::Nova::Server', message)
        self.assertIn(base.LOCAL_PROVIDER_ID, message)

    def test_provider_without_the_type(self):
        body = self.plan_body(provider_id=base.SECOND_PROVIDER_ID)
        message = self.assertFault(self.create(body, 400), 400,
                                   'badRequest')
        self.assertIn(base.DIRECTORY, message)
        self.assertIn(base.SECOND_PROVIDER_ID, message)

    def test_resource_listed_twice(self):
        body = self.plan_body(dirs=('docs', 'docs'))
        message = self.assertFault(self.create(body, 400), 400,
                                   'badRequest')
        self.assertIn('twice', message)

    def test_parameters_not_fitting_options_schema(self):
        body = self.plan_body(parameters={base.DIRECTORY: {'speed': 'max'}})
        message = self.assertFault(self.create(body, 400), 400,
                                   'badRequest')
        self.assertIn('options', message)
        self.assertIn('speed', message)

    def test_parameters_of_an_unknown_type(self):
        body = self.plan_body(parameters={'OS::Nova::Server': {}})
        message = self.assertFault(self.create(body, 400), 400,
                                   'badRequest')
        self.assertIn('OS::Nova::Server', message)

    def test_parameters_not_objects(self):
        body = self.plan_body(parameters={base.DIRECTORY: 'fast'})
        self.assertFault(self.create(body, 400), 400, 'badRequest')


class PlanListTest(base.ProtectionApiTestCase):

    def setUp(self):
        super().setUp()
        self.alpha = self.create_plan('alpha')
        self.beta = self.create_plan('beta', dirs=('photos',))
        self.gamma = self.create_plan('gamma', dirs=('docs', 'photos'))
        self.put('plans/%s' % self.beta['id'],
                 {'plan': {'status': 'started'}}, status=200)
        self.other = self.create_plan('theirs', token=base.OTHER,
                                      project=base.OTHER_PROJECT)

    def names(self, query='', token=base.ADMIN, project=None):
        body = self.get('plans' + query, token=token, project=project).json
        return [p['name'] for p in body['plans']]

    def test_list_shape(self):
        body = self.get('plans').json
        self.assertEqual({'plans', 'plans_links'}, set(body))
        self.assertEqual([], body['plans_links'])
        for plan in body['plans']:
            self.assertEqual(PLAN_KEYS, set(plan))
        # Newest first by default.
        self.assertEqual(['gamma', 'beta', 'alpha'],
                         [p['name'] for p in body['plans']])

    def test_filters(self):
        self.assertEqual(['alpha'], self.names(self.query(name='alpha')))
        self.assertEqual(['beta'], self.names(self.query(status='started')))
        self.assertEqual(['alpha', 'gamma'], self.names(self.query(
            status='suspended', sort='name:asc')))
        self.assertEqual([], self.names(self.query(name='theirs')))
        self.assertEqual(['gamma', 'beta', 'alpha'], self.names(self.query(
            provider_id=base.LOCAL_PROVIDER_ID)))

    def test_unknown_filter(self):
        message = self.assertFault(
            self.get('plans' + self.query(colour='red'), status=400), 400,
            'badRequest')
        self.assertIn('colour', message)

    def test_sort(self):
        self.assertEqual(['alpha', 'beta', 'gamma'],
                         self.names(self.query(sort='name:asc')))
        self.assertEqual(['gamma', 'beta', 'alpha'],
                         self.names(self.query(sort='name:desc')))
        self.assertEqual(['beta', 'alpha', 'gamma'], self.names(
            self.query(sort='status:asc,name:asc')))
        self.assertEqual(['alpha', 'beta', 'gamma'], self.names(
            self.query(sort_key='created_at', sort_dir='asc')))
        message = self.assertFault(
            self.get('plans' + self.query(sort='provider:asc'), status=400),
            400, 'badRequest')
        self.assertIn('provider', message)

    def test_limit_marker_and_links(self):
        first = self.get('plans' + self.query(sort='name:asc',
                                              limit=2)).json
        self.assertEqual(['alpha', 'beta'],
                         [p['name'] for p in first['plans']])
        [link] = first['plans_links']
        self.assertEqual('next', link['rel'])
        href = urllib.parse.urlsplit(link['href'])
        self.assertEqual('/v1/p1/plans', href.path)
        query = urllib.parse.parse_qs(href.query)
        self.assertEqual([self.beta['id']], query['marker'])
        self.assertEqual(['2'], query['limit'])
        self.assertEqual(['name:asc'], query['sort'])
        second = self.request('GET', href.path + '?' + href.query,
                              status=200).json
        self.assertEqual(['gamma'], [p['name'] for p in second['plans']])
        self.assertEqual([], second['plans_links'])
        self.assertEqual(['beta', 'gamma'], self.names(self.query(
            sort='name:asc', marker=self.alpha['id'])))

    def test_limit_as_string_and_bad(self):
        self.assertEqual(1, len(self.names(self.query(limit='1'))))
        for limit in ('0', '-1', 'x'):
            message = self.assertFault(
                self.get('plans' + self.query(limit=limit), status=400),
                400, 'badRequest')
            self.assertIn('limit', message)

    def test_unknown_marker(self):
        unknown = uuidutils.generate_uuid()
        message = self.assertFault(
            self.get('plans' + self.query(marker=unknown), status=404),
            404, 'itemNotFound')
        self.assertIn(unknown, message)

    def test_all_tenants_for_admin(self):
        for value in ('1', 'True', 'true'):
            self.assertEqual(
                ['alpha', 'beta', 'gamma', 'theirs'],
                self.names(self.query(all_tenants=value, sort='name:asc')))
        self.assertEqual(['gamma', 'beta', 'alpha'],
                         self.names(self.query(all_tenants='0')))
        self.assertEqual(['theirs'], self.names(self.query(
            all_tenants='1', project_id=base.OTHER_PROJECT)))
        message = self.assertFault(
            self.get('plans' + self.query(all_tenants='maybe'), status=400),
            400, 'badRequest')
        self.assertIn('all_tenants', message)

    def test_all_tenants_for_member(self):
        self.assertEqual(['gamma', 'beta', 'alpha'],
                         self.names(token=base.MEMBER))
        for query in (self.query(all_tenants='1'),
                      self.query(all_tenants='True'),
                      self.query(project_id=base.OTHER_PROJECT)):
            message = self.assertFault(
                self.get('plans' + query, token=base.MEMBER, status=403),
                403, 'forbidden')
            self.assertIn('allow', message)

    def test_other_project_sees_only_its_own(self):
        self.assertEqual(['theirs'], self.names(token=base.OTHER,
                                                project=base.OTHER_PROJECT))

    def test_url_project_must_be_the_token_project(self):
        message = self.assertFault(
            self.get('plans', token=base.OTHER, status=403), 403,
            'forbidden')
        self.assertIn(base.OTHER_PROJECT, message)


class PlanItemTest(base.ProtectionApiTestCase):

    def setUp(self):
        super().setUp()
        self.plan = self.create_plan('mine')
        self.path_of = 'plans/%s' % self.plan['id']

    def test_show(self):
        self.assertEqual(self.plan, self.get(self.path_of).json['plan'])
        self.assertEqual(self.plan, self.get(self.path_of,
                                             token=base.MEMBER).json['plan'])

    def test_show_unknown(self):
        for unknown in (uuidutils.generate_uuid(), 'nope'):
            message = self.assertFault(
                self.get('plans/%s' % unknown, status=404), 404,
                'itemNotFound')
            self.assertIn(unknown, message)

    def test_other_project(self):
        other = {'token': base.OTHER, 'project': base.OTHER_PROJECT}
        for resp in (
                self.get(self.path_of, status=404, **other),
                self.put(self.path_of, {'plan': {'name': 'stolen'}},
                         status=404, **other),
                self.delete(self.path_of, status=404, **other)):
            message = self.assertFault(resp, 404, 'itemNotFound')
            self.assertIn(self.plan['id'], message)
        self.assertEqual(self.plan, self.get(self.path_of).json['plan'])

    def test_update_name_and_status(self):
        resp = self.put(self.path_of, {'plan': {'name': 'renamed'}},
                        status=200)
        plan = resp.json['plan']
        self.assertEqual('renamed', plan['name'])
        self.assertEqual('suspended', plan['status'])
        self.assertIsNotNone(plan['updated_at'])
        plan = self.put(self.path_of, {'plan': {'status': 'started'}},
                        token=base.MEMBER, status=200).json['plan']
        self.assertEqual('started', plan['status'])
        self.assertEqual('renamed', plan['name'])
        plan = self.put(self.path_of, {'plan': {
            'status': 'suspended', 'description': 'd'}},
            status=200).json['plan']
        self.assertEqual(('suspended', 'd'),
                         (plan['status'], plan['description']))
        self.assertEqual(plan, self.get(self.path_of).json['plan'])

    def test_update_resources(self):
        photos = self.directory('photos')
        plan = self.put(self.path_of, {'plan': {'resources': [
            {'id': photos['id'], 'type': base.DIRECTORY}]}},
            status=200).json['plan']
        self.assertEqual([{'id': photos['id'], 'type': base.DIRECTORY,
                           'name': photos['name'],
                           'extra_info': {'path': 'photos'}}],
                         plan['resources'])

    def test_update_invalid(self):
        for body, word in (
                ({'plan': {'status': 'running'}}, 'running'),
                ({'plan': {}}, 'plan'),
                ({'plan': {'provider_id': base.SECOND_PROVIDER_ID}},
                 'provider_id'),
                ({'plan': {'name': ''}}, 'name'),
                ({'plan': {'parameters': {base.DIRECTORY: {'x': 1}}}},
                 'options')):
            message = self.assertFault(
                self.put(self.path_of, body, status=400), 400, 'badRequest')
            self.assertIn(word, message)
        resp = self.request('PUT', self.url(self.path_of), raw='{name')
        self.assertFault(resp, 400, 'badRequest')
        body = {'plan': {'resources': [{'id': uuidutils.generate_uuid(),
                                        'type': base.DIRECTORY}]}}
        self.assertFault(self.put(self.path_of, body, status=404), 404,
                         'itemNotFound')
        self.assertEqual(self.plan, self.get(self.path_of).json['plan'])

    def test_update_unknown(self):
        unknown = uuidutils.generate_uuid()
        self.assertFault(
            self.put('plans/%s' % unknown, {'plan': {'name': 'x'}},
                     status=404), 404, 'itemNotFound')

    def test_delete(self):
        resp = self.delete(self.path_of, status=204)
        # A 204 has no body at all (it was the JSON "null").
        self.assertEqual(b'', resp.body)
        self.assertNotIn('Content-Type', resp.headers)
        message = self.assertFault(self.get(self.path_of, status=404), 404,
                                   'itemNotFound')
        self.assertIn(self.plan['id'], message)
        self.assertFault(self.delete(self.path_of, status=404), 404,
                         'itemNotFound')
        self.assertEqual([], self.get('plans').json['plans'])

    def test_json_content_type(self):
        resp = self.get(self.path_of)
        self.assertEqual('application/json', resp.content_type)
        json.loads(resp.text)
