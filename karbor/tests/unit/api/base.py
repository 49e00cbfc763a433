"""The real pecan app behind its real middleware, driven by WebTest."""

import json
import re

import webtest

from karbor.api import app as api_app
from karbor.tests import base
from karbor.tests.unit import helpers

REQUEST_ID = re.compile(
    r'^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')

ADMIN = 'alice:p1:admin'
MEMBER = 'bob:p1'


class ApiTestCase(base.TestCase):
    """noauth by default; ``self.make_app()`` again after changing config."""

    project = 'p1'

    def setUp(self):
        super().setUp()
        self.useFixture(helpers.ParsedConf())
        self.make_app()

    def make_app(self):
        self.app = webtest.TestApp(api_app.setup_app())
        return self.app

    def url(self, path=''):
        return '/v1/%s/%s' % (self.project, path)

    def request(self, method, path, token=ADMIN, body=None, raw=None,
                headers=None, status=None):
        """``body`` is sent as JSON, ``raw`` as it is."""
        headers = dict(headers or {})
        if token is not None:
            headers['X-Auth-Token'] = token
        kwargs = {'headers': headers, 'expect_errors': True}
        if body is not None:
            raw = json.dumps(body)
        if raw is not None:
            kwargs['params'] = raw
            kwargs['content_type'] = 'application/json'
        resp = getattr(self.app, method.lower())(path, **kwargs)
        self.assertRegex(resp.headers.get('x-openstack-request-id', ''),
                         REQUEST_ID)
        if status is not None:
            self.assertEqual(status, resp.status_int, resp.text)
        return resp

    def assertFault(self, resp, status, fault_name):
        """``resp`` is the fault ``{fault_name: {code, message}}``; return
        its message."""
        self.assertEqual(status, resp.status_int, resp.text)
        self.assertEqual('application/json', resp.content_type)
        self.assertRegex(resp.headers.get('x-openstack-request-id', ''),
                         REQUEST_ID)
        doc = json.loads(resp.text)
        self.assertEqual([fault_name], list(doc), resp.text)
        inner = doc[fault_name]
        self.assertEqual({'code', 'message'}, set(inner))
        self.assertIs(type(inner['code']), int)
        self.assertEqual(status, inner['code'])
        self.assertIsInstance(inner['message'], str)
        self.assertNotEqual('', inner['message'].strip())
        self.assertNotIn('Traceback', inner['message'])
        return inner['message']
