"""Plain HTTP against karbor-all: what a curl user or another client sees
when a request goes wrong (the OpenStack fault shape, JSON, request ids)."""

from karbor.common import constants
from karbor.tests.e2e import base
from karbor.tests.functional import utils

PROJECT = 'e2e-http'


class HTTPFaultsTest(base.SharedServerTestCase):

    def request(self, method, path, body=None, token='admin-token'):
        """``path`` below /v1/<PROJECT>, or absolute when it starts with
        //."""
        if path.startswith('//'):
            url = self.server.url + path[1:]
        else:
            url = self.server.project_url(PROJECT) + path
        return utils.http(method, url, body=body, token=token)

    def assertJSON(self, headers):
        self.assertTrue(
            headers.get('Content-Type', '').startswith('application/json'),
            headers.get('Content-Type'))
        self.assertTrue(
            headers.get('x-openstack-request-id', '').startswith('req-'),
            dict(headers))

    def assertFault(self, response, code, fault_name, *fragments):
        status, headers, doc = response
        self.assertEqual(code, status, doc)
        self.assertJSON(headers)
        self.assertEqual([fault_name], list(doc), doc)
        fault = doc[fault_name]
        self.assertEqual(code, fault['code'])
        self.assertIsInstance(fault['message'], str)
        for fragment in fragments:
            self.assertIn(fragment, fault['message'])
        return fault

    def protection_service_id(self):
        status, _, doc = self.request('GET', '/os-services')
        self.assertEqual(200, status, doc)
        [service] = [s for s in doc['services']
                     if s['binary'] == constants.SERVICE_BINARY_PROTECTION]
        return service['id']

    def test_versions(self):
        status, headers, doc = self.request('GET', '//', token=None)
        self.assertEqual(200, status)
        self.assertJSON(headers)
        [version] = doc['versions']
        self.assertEqual('CURRENT', version['status'])
        self.assertEqual(self.server.url + '/v1/',
                         version['links'][0]['href'])

    def test_services_list(self):
        status, headers, doc = self.request('GET', '/os-services')
        self.assertEqual(200, status, doc)
        self.assertJSON(headers)
        # karbor-protection and the operation engine of karbor-all.
        self.assertEqual(
            ['karbor-operationengine', 'karbor-protection'],
            sorted(s['binary'] for s in doc['services']))
        for service in doc['services']:
            self.assertEqual(
                {'id', 'binary', 'host', 'status', 'state', 'updated_at',
                 'disabled_reason'}, set(service))
            self.assertEqual(('enabled', 'up'),
                             (service['status'], service['state']))

    def test_malformed_json(self):
        service_id = self.protection_service_id()
        self.assertFault(
            self.request('PUT', '/os-services/%s' % service_id,
                         body=b'{"status": '),
            400, 'badRequest', 'not valid JSON')

    def test_body_not_fitting_the_schema(self):
        service_id = self.protection_service_id()
        self.assertFault(
            self.request('PUT', '/os-services/%s' % service_id,
                         body={'status': 'sleeping'}),
            400, 'badRequest', 'sleeping')

    def test_unknown_path(self):
        self.assertFault(self.request('GET', '/no-such-resource'),
                         404, 'itemNotFound')
        self.assertFault(self.request('GET', '//no-such-thing'),
                         404, 'itemNotFound')

    def test_unknown_service(self):
        self.assertFault(
            self.request('PUT', '/os-services/9999',
                         body={'status': 'enabled'}),
            404, 'itemNotFound', 'Service 9999 could not be found.')
        # Past any SQL INTEGER (and past SQLite's 64 bits): still a 404.
        huge = '9' * 25
        self.assertFault(
            self.request('PUT', '/os-services/%s' % huge,
                         body={'status': 'enabled'}),
            404, 'itemNotFound', 'Service %s could not be found.' % huge)

    def test_wrong_method(self):
        response = self.request('DELETE', '/os-services')
        self.assertFault(response, 405, 'badMethod', 'DELETE')
        self.assertIn('GET', response[1].get('Allow', ''))
        # PUT needs a service id; on the collection it is no method at all.
        self.assertFault(
            self.request('PUT', '/os-services', body={'status': 'enabled'}),
            405, 'badMethod', 'PUT')

    def test_project_of_url_differs_from_token(self):
        self.assertFault(
            self.request('GET', '/os-services', token='u:other'),
            403, 'forbidden',
            'The project in the URL (%s) is not the project of your token '
            '(other)' % PROJECT)

    def test_refused_by_policy(self):
        self.assertFault(
            self.request('GET', '/os-services', token='u:%s' % PROJECT),
            403, 'forbidden',
            "Policy doesn't allow karbor:service:get_all to be performed.")
