"""Requests that used to make the API fail (issue 13), each answered with
the right 4xx in the fault shape: bytes that are not UTF-8 in the URL,
JSON nested thousands deep, a method the path does not have, lone
surrogates and NUL characters, NaN, a date at the end of the calendar, ids
longer than their columns, another project's id as a list marker."""

import datetime
import json

from oslo_utils import uuidutils

from karbor.api import validation
from karbor.common import exception
from karbor.tests.unit.api_v1 import base

PROVIDER = base.LOCAL_PROVIDER_ID
DEEP = 5000


def nested(depth, open_='[', close=']', inner=''):
    return open_ * depth + inner + close * depth


class UrlEncodingTest(base.ProtectionApiTestCase):

    def test_path_that_is_not_utf8(self):
        for raw in ('%FF', '%C0%AF', '%ED%A0%80', '%00', 'a%00b'):
            resp = self.request('GET', self.url('plans/' + raw))
            message = self.assertFault(resp, 400, 'badRequest')
            self.assertIn('URL path', message)

    def test_query_that_is_not_utf8(self):
        for raw in ('%FF', '%ED%A0%80', '%00'):
            resp = self.request('GET', self.url('plans?name=' + raw))
            message = self.assertFault(resp, 400, 'badRequest')
            self.assertIn('URL query string', message)

    def test_utf8_path_is_fine(self):
        # A name that is not an id: 404, not 400 or 500.
        resp = self.request('GET', self.url('plans/%C3%A9t%C3%A9'))
        self.assertFault(resp, 404, 'itemNotFound')


class DepthTest(base.ProtectionApiTestCase):

    def test_body_nested_beyond_the_parser(self):
        resp = self.request('POST', self.url('plans'),
                            raw=nested(DEEP))
        message = self.assertFault(resp, 400, 'badRequest')
        self.assertIn('deeper than %d' % validation.MAX_DEPTH, message)

    def test_body_nested_beyond_the_limit(self):
        body = {'plan': {'name': 'p', 'provider_id': PROVIDER,
                         'resources': [{'id': 'x', 'type': base.DIRECTORY}],
                         'parameters': {base.DIRECTORY: json.loads(
                             nested(validation.MAX_DEPTH, '{"a":', '}',
                                    '1'))}}}
        resp = self.request('POST', self.url('plans'), body=body)
        message = self.assertFault(resp, 400, 'badRequest')
        self.assertIn('deeper than %d levels at plan/parameters' %
                      validation.MAX_DEPTH, message)

    def test_query_dict_nested_deeply(self):
        for value in (nested(DEEP), nested(DEEP, '{"a":', '}', '1'),
                      '{"a": %s}' % nested(validation.MAX_DEPTH)):
            resp = self.request(
                'GET', self.url('protectables/%s/instances' %
                                base.DIRECTORY) + self.query(
                    parameters=value))
            self.assertFault(resp, 400, 'badRequest')

    def test_query_dict_of_python_values_json_cannot_hold(self):
        for value in ("{'path': b'x'}", "{'path': {1, 2}}",
                      "{'path': (1, 2)}", "{'path': 1j}", "{1: 'x'}"):
            resp = self.request(
                'GET', self.url('protectables/%s/instances' %
                                base.DIRECTORY) + self.query(
                    parameters=value))
            self.assertFault(resp, 400, 'badRequest')

    def test_error_message_does_not_repeat_the_whole_body(self):
        body = {'plan': {'name': ['x' * 100] * 1000,
                         'provider_id': PROVIDER,
                         'resources': [{'id': 'x', 'type': base.DIRECTORY}]}}
        resp = self.request('POST', self.url('plans'), body=body)
        message = self.assertFault(resp, 400, 'badRequest')
        self.assertLess(len(message), 1000)
        self.assertIn('plan/name', message)


class WrongMethodTest(base.ProtectionApiTestCase):

    def test_item_methods_on_collections(self):
        checkpoints = 'providers/%s/checkpoints' % PROVIDER
        for method, path, allow in (
                ('PUT', 'plans', 'GET, POST'),
                ('DELETE', 'plans', 'GET, POST'),
                ('PUT', checkpoints, 'GET, POST'),
                ('DELETE', checkpoints, 'GET, POST'),
                ('PUT', 'restores', 'GET, POST'),
                ('DELETE', 'verifications', 'GET, POST'),
                ('DELETE', 'operation_logs', 'GET'),
                ('DELETE', 'providers', 'GET'),
                ('DELETE', 'os-services', 'GET'),
                ('PUT', 'os-services', 'GET'),
                ('POST', 'plans/%s' % PROVIDER, 'DELETE, GET, PUT'),
                ('POST', 'os-services/1', 'GET, PUT')):
            for body in ({}, None):
                resp = self.request(method, self.url(path), body=body)
                message = self.assertFault(resp, 405, 'badMethod')
                self.assertIn(method, message)
                self.assertEqual(allow, resp.headers['Allow'], path)

    def test_missing_parent_id(self):
        for method in ('POST', 'PUT', 'DELETE', 'GET'):
            resp = self.request(method, self.url('providers//checkpoints'),
                                body={} if method != 'GET' else None)
            self.assertIn(resp.status_int, (404, 405), resp.text)
            self.assertFault(resp, resp.status_int,
                             'itemNotFound' if resp.status_int == 404
                             else 'badMethod')
        resp = self.request('POST', self.url('providers//checkpoints'),
                            body={})
        self.assertFault(resp, 404, 'itemNotFound')


class StringsTest(base.ProtectionApiTestCase):

    def plan(self, **fields):
        plan = {'name': 'p', 'provider_id': PROVIDER,
                'resources': [{'id': 'x', 'type': base.DIRECTORY}]}
        plan.update(fields)
        return json.dumps({'plan': plan})

    def test_lone_surrogate(self):
        for field in ('name', 'description'):
            raw = self.plan(**{field: '\ud800'})
            self.assertIn('\\ud800', raw)
            resp = self.request('POST', self.url('plans'), raw=raw)
            message = self.assertFault(resp, 400, 'badRequest')
            self.assertIn('surrogate', message)
            self.assertIn('plan/%s' % field, message)

    def test_surrogate_in_a_key(self):
        raw = self.plan(parameters={'\udfff': {}})
        message = self.assertFault(
            self.request('POST', self.url('plans'), raw=raw), 400,
            'badRequest')
        self.assertIn('surrogate', message)

    def test_a_surrogate_pair_is_one_character(self):
        # "\ud83d\ude00" is U+1F600, valid: the plan is refused for its
        # resource, not for its name.
        raw = self.plan(name='\U0001F600')
        self.assertFault(self.request('POST', self.url('plans'), raw=raw),
                         404, 'itemNotFound')

    def test_nul_character(self):
        resp = self.request('POST', self.url('plans'),
                            raw=self.plan(name='a\x00b'))
        self.assertIn('NUL', self.assertFault(resp, 400, 'badRequest'))

    def test_restore_target_and_disabled_reason(self):
        body = json.dumps({'restore': {
            'provider_id': PROVIDER, 'checkpoint_id': PROVIDER,
            'restore_target': '\ud800'}})
        self.assertFault(self.request('POST', self.url('restores'),
                                      raw=body), 400, 'badRequest')
        body = json.dumps({'status': 'disabled', 'disabled_reason': '\ud800'})
        self.assertFault(self.request('PUT', self.url('os-services/1'),
                                      raw=body), 400, 'badRequest')


class NumbersTest(base.ProtectionApiTestCase):

    def test_nan_and_infinity_are_not_json(self):
        for constant in ('NaN', 'Infinity', '-Infinity', '1e400', '-1e999'):
            raw = ('{"checkpoint": {"plan_id": "%s", "extra-info": '
                   '{"k": %s}}}' % (PROVIDER, constant))
            resp = self.request('POST', self.url(
                'providers/%s/checkpoints' % PROVIDER), raw=raw)
            message = self.assertFault(resp, 400, 'badRequest')
            self.assertIn('not valid JSON', message)

    def test_loads_refuses_them_anywhere(self):
        for raw in ('NaN', '[1, Infinity]', '{"a": {"b": -Infinity}}'):
            self.assertRaises(exception.MalformedRequestBody,
                              validation.loads, raw)
        self.assertEqual({'a': [1.5, 2]}, validation.loads('{"a": [1.5, 2]}'))


class DatesTest(base.ProtectionApiTestCase):

    def test_end_of_the_calendar(self):
        for query in ({'end_date': '9999-12-31'},
                      {'start_date': '0001-01-01', 'end_date': '9999-12-31'},
                      {'start_date': '9999-12-31'}):
            resp = self.get('providers/%s/checkpoints%s' % (
                PROVIDER, self.query(**query)))
            self.assertEqual([], resp.json['checkpoints'])

    def test_end_date_includes_its_day(self):
        plan = self.create_plan()
        self.start_protection_service()
        checkpoint = self.create_checkpoint(plan['id'])
        today = datetime.date.fromisoformat(checkpoint['created_at'][:10])
        listed = self.get('providers/%s/checkpoints%s' % (
            PROVIDER, self.query(end_date=today.isoformat())))
        self.assertEqual([checkpoint['id']],
                         [c['id'] for c in listed.json['checkpoints']])


class IdentityTest(base.ProtectionApiTestCase):

    def test_project_id_longer_than_its_column(self):
        project = 'x' * 256
        resp = self.request('POST', '/v1/%s/plans' % project,
                            token='u:%s' % project,
                            body=self.plan_body())
        message = self.assertFault(resp, 400, 'badRequest')
        self.assertIn('project id', message)
        self.assertIn('255', message)

    def test_user_id_longer_than_its_column(self):
        resp = self.request('GET', self.url('plans'),
                            token='%s:%s' % ('u' * 300, self.project))
        self.assertIn('user id', self.assertFault(resp, 400, 'badRequest'))

    def test_ids_of_255_characters_are_fine(self):
        project = 'x' * 255
        resp = self.request('GET', '/v1/%s/plans' % project,
                            token='%s:%s' % ('u' * 255, project))
        self.assertEqual(200, resp.status_int, resp.text)


class MarkerTest(base.ProtectionApiTestCase):

    def test_another_projects_id_is_no_marker(self):
        theirs = self.create_plan(token=base.OTHER,
                                  project=base.OTHER_PROJECT)
        self.create_plan()
        random_id = uuidutils.generate_uuid()
        answers = []
        for marker in (theirs['id'], random_id):
            resp = self.get('plans%s' % self.query(marker=marker),
                            status=404)
            self.assertFault(resp, 404, 'itemNotFound')
            answers.append(resp.json['itemNotFound']['message'].replace(
                marker, 'ID'))
        self.assertEqual(answers[0], answers[1])

    def test_all_tenants_lists_after_any_marker(self):
        theirs = self.create_plan(token=base.OTHER,
                                  project=base.OTHER_PROJECT)
        resp = self.get('plans%s' % self.query(marker=theirs['id'],
                                               all_tenants='1'))
        self.assertEqual(200, resp.status_int)


class ContentTypeTest(base.ProtectionApiTestCase):

    def test_form_content_types_are_not_parsed(self):
        # webob parsed these for pecan: without a boundary, a 500.
        plan = self.create_plan()
        for content_type in ('multipart/form-data',
                             'application/x-www-form-urlencoded'):
            resp = self.app.delete(
                self.url('plans/%s' % uuidutils.generate_uuid()),
                headers={'X-Auth-Token': base.ADMIN,
                         'Content-Type': content_type},
                expect_errors=True)
            self.assertFault(resp, 404, 'itemNotFound')
            resp = self.app.put(
                self.url('plans/%s' % plan['id']),
                params=json.dumps({'plan': {'name': 'renamed'}}),
                headers={'X-Auth-Token': base.ADMIN,
                         'Content-Type': content_type},
                expect_errors=True)
            self.assertEqual(200, resp.status_int, resp.text)
            self.assertEqual('renamed', resp.json['plan']['name'])
