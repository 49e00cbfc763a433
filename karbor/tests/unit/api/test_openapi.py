"""The OpenAPI document: valid OpenAPI 3.1, served as generated, checked in
as generated, and true to the routes (every documented operation is
routed, every other method of a documented path is 405)."""

import json
import os

from openapi_spec_validator import validate as validate_openapi
from oslo_config import cfg

from karbor.api import contract
from karbor.api import openapi
from karbor.common import config
from karbor.tests.unit.api import base

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))

METHODS = ('get', 'post', 'put', 'delete')

# A value of each path parameter, for routing only.
SAMPLES = {'project_id': 'p1', 'service_id': '1',
           'protectable_type': 'OS::Local::Directory'}
A_UUID = '0b2c3d4e-5f60-4a8b-9c0d-1e2f3a4b5c6d'


def default_document():
    """The document of a configuration with every default, as
    ``python -m karbor.api.openapi`` makes it."""
    conf = cfg.ConfigOpts()
    config.register_all(conf)
    conf([], project='karbor', default_config_files=[])
    return openapi.document(conf)


class OpenApiDocumentTest(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.doc = default_document()

    def test_valid_openapi_3_1(self):
        self.assertEqual('3.1.0', self.doc['openapi'])
        validate_openapi(self.doc)

    def test_checked_in_copy_is_the_generated_one(self):
        path = os.path.join(REPO, openapi.CHECKED_IN)
        with open(path) as f:
            checked_in = f.read()
        self.assertTrue(
            checked_in == openapi.dumps(self.doc),
            '%s is not what the code generates: the API changed. '
            'Regenerate it with %s and commit it.' % (openapi.CHECKED_IN,
                                                      openapi.REGENERATE))

    def test_served_without_a_token(self):
        resp = self.request('GET', '/v1/openapi.json', token=None,
                            status=200)
        self.assertEqual('application/json', resp.content_type)
        self.assertEqual(openapi.document(cfg.CONF), resp.json)
        self.assertFault(self.request('POST', '/v1/openapi.json',
                                      token=None, body={}),
                         405, 'badMethod')

    def test_served_document_states_the_configured_body_limit(self):
        self.conf.config(max_request_body_size=12345,
                         group='oslo_middleware')
        limits = openapi.document(cfg.CONF)['x-karbor-limits']
        self.assertEqual(12345, limits['max_request_body_size'])

    def test_every_handler_declares_its_contract(self):
        for path, method, handler, _p, _t, _pub in openapi.operations():
            self.assertIsNotNone(contract.of(handler),
                                 '%s %s' % (method, path))

    def test_limits_are_stated(self):
        limits = self.doc['x-karbor-limits']
        for key in ('max_request_body_size', 'max_plan_resources',
                    'max_name_length', 'max_parameter_keys',
                    'max_json_depth'):
            self.assertIsInstance(limits[key], int)
            self.assertIn(str(limits[key]), self.doc['info']['description'])
        resources = self.doc['paths']['/v1/{project_id}/plans']['post'][
            'requestBody']['content']['application/json']['schema'][
            'properties']['plan']['properties']['resources']
        self.assertEqual(limits['max_plan_resources'], resources['maxItems'])

    def test_errors_are_faults(self):
        for path, item in self.doc['paths'].items():
            for method, op in item.items():
                for status, answer in op['responses'].items():
                    if int(status) >= 400:
                        self.assertEqual(
                            '#/components/responses/%s' % status,
                            answer['$ref'], '%s %s' % (method, path))


class RoutesTest(base.ApiTestCase):
    """What the document says is what pecan routes."""

    def concrete(self, path):
        for name in path.split('{')[1:]:
            name = name.split('}')[0]
            path = path.replace('{%s}' % name, SAMPLES.get(name, A_UUID))
        return path

    def test_documented_methods_are_routed_and_others_are_405(self):
        doc = default_document()
        for path, item in doc['paths'].items():
            url = self.concrete(path)
            documented = {m.upper() for m in item}
            for method in METHODS:
                body = {} if method in ('post', 'put') else None
                resp = self.request(method.upper(), url, body=body)
                if method in item:
                    self.assertNotEqual(405, resp.status_int,
                                        '%s %s' % (method, path))
                    self.assertLess(resp.status_int, 500, resp.text)
                else:
                    self.assertFault(resp, 405, 'badMethod')
                    self.assertEqual(
                        documented - {'HEAD'},
                        set(resp.headers['Allow'].replace(' ', '').split(
                            ',')) - {'HEAD'},
                        '%s %s' % (method, path))

    def test_documented_statuses(self):
        # Each answer of the previous test is one its operation documents.
        doc = default_document()
        for path, item in doc['paths'].items():
            url = self.concrete(path)
            for method, op in item.items():
                body = {} if method in ('post', 'put') else None
                resp = self.request(method.upper(), url, body=body)
                self.assertIn(str(resp.status_int), op['responses'],
                              '%s %s: %s' % (method, path, resp.text))
                json.loads(resp.text or 'null')
