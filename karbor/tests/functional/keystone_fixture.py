"""A real OpenStack Keystone for the functional and end-to-end tests.

``tools/keystone/keystone.sh`` installs Keystone 30 from PyPI into a
virtual environment of its own and runs it under gunicorn on 127.0.0.1;
``tools/keystone/seed.py`` gives it the projects, users and roles below
and Karbor's ``data-protect`` service. :func:`ensure_keystone` makes sure
it is running, once per test process, and returns a :class:`Keystone`.

Shared between the test processes as
:mod:`karbor.tests.functional.shared_service` describes;
``KARBOR_KEYSTONE_KEEP`` keeps it running at the end.

A test that runs karbor-api on a port of its own puts that port into the
catalog with :class:`CatalogRegion`: an endpoint of ``data-protect`` in a
region of its own, which the clients select with ``--os-region-name``.
"""

import datetime
import importlib.util
import os
import time
import uuid

import fixtures
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session

from karbor.tests.functional import shared_service

SERVICE = shared_service.SharedService(
    'keystone', '/tmp/karbor-keystone',
    ['AUTH_URL', 'SHORT_AUTH_URL', 'ADMIN_PASSWORD', 'USER_PASSWORD',
     'SERVICE_PASSWORD', 'GLANCE_PASSWORD'])


def _seed_module():
    path = os.path.join(shared_service.REPO, 'tools', 'keystone', 'seed.py')
    spec = importlib.util.spec_from_file_location('karbor_keystone_seed',
                                                  path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# user: (project, role, password key): the seed's own table.
USERS = _seed_module().USERS
USERS = dict(USERS, admin=('admin', 'admin', 'admin'))


class Keystone:
    """The running Keystone, its users and what Karbor needs to use it."""

    def __init__(self, values):
        self.auth_url = values['AUTH_URL']
        # The same Keystone, whose tokens expire in seconds.
        self.short_auth_url = values['SHORT_AUTH_URL']
        self.passwords = {'admin': values['ADMIN_PASSWORD'],
                          'user': values['USER_PASSWORD'],
                          'service': values['SERVICE_PASSWORD'],
                          'glance': values['GLANCE_PASSWORD']}
        self._admin = None
        self._ids = {}

    def password(self, user):
        return self.passwords[USERS[user][2]]

    def project_of(self, user):
        return USERS[user][0]

    def auth(self, user, **kwargs):
        kwargs.setdefault('project_name', self.project_of(user))
        return v3.Password(auth_url=self.auth_url, username=user,
                           password=self.password(user),
                           user_domain_name='Default',
                           project_domain_name='Default', **kwargs)

    def session(self, user):
        """A keystoneauth session of ``user`` on its project."""
        return ks_session.Session(auth=self.auth(user))

    def token(self, user):
        """A new project-scoped token of ``user`` (and its project id)."""
        session = self.session(user)
        return session.get_token(), session.get_project_id()

    def admin(self):
        if self._admin is None:
            self._admin = self.session('admin')
        return self._admin

    # The test Keystone keeps its data in SQLite: under concurrent writes
    # (the tests of two processes set up and tear down catalogs at once)
    # it may answer 500 "database is locked" (seen in its gunicorn log).
    RETRIES = 5

    def call(self, method, path, **kwargs):
        """The cloud administrator calls the identity API (a request
        refused with a 500 is sent again: see RETRIES)."""
        for attempt in range(self.RETRIES):
            try:
                resp = self.admin().request(self.auth_url + path, method,
                                            **kwargs)
                break
            except ks_exc.InternalServerError:
                if attempt == self.RETRIES - 1:
                    raise
                time.sleep(0.5 * (attempt + 1))
            except ks_exc.NotFound:
                # A DELETE that took before its 500 was answered.
                if method == 'DELETE' and attempt:
                    return None
                raise
        return resp.json() if resp.content else None

    def project_id(self, name):
        if name not in self._ids:
            found = self.call('GET', '/projects?name=%s' % name)['projects']
            self._ids[name] = found[0]['id']
        return self._ids[name]

    def user_id(self, name):
        key = 'user:' + name
        if key not in self._ids:
            found = self.call('GET', '/users?name=%s' % name)['users']
            self._ids[key] = found[0]['id']
        return self._ids[key]

    def revoke(self, token):
        """Revoke ``token`` (DELETE /v3/auth/tokens), as a logout does."""
        self.admin().delete(self.auth_url + '/auth/tokens',
                            headers={'X-Subject-Token': token})

    def short_lived_token(self, user):
        """A token of ``user`` that expires in seconds, and when (from the
        second server of keystone.sh, which issues such tokens; both
        servers validate them)."""
        session = ks_session.Session(auth=v3.Password(
            auth_url=self.short_auth_url, username=user,
            password=self.password(user), user_domain_name='Default',
            project_domain_name='Default',
            project_name=self.project_of(user)))
        access = session.auth.get_access(session)
        return access.auth_token, access.expires

    @staticmethod
    def wait_past(moment):
        while datetime.datetime.now(datetime.timezone.utc) <= moment:
            time.sleep(0.2)

    def expired_token(self, user):
        """A token of ``user`` that has expired."""
        token, expires = self.short_lived_token(user)
        self.wait_past(expires)
        return token

    def validate(self, token):
        """Whether Keystone still accepts ``token``."""
        try:
            self.admin().head(self.auth_url + '/auth/tokens',
                              headers={'X-Subject-Token': token})
            return True
        except ks_exc.NotFound:
            return False

    def karbor_options(self):
        """The [keystone_authtoken] and [service_user] sections of a
        karbor.conf behind this Keystone, with Karbor's service user."""
        user = {'auth_url': self.auth_url, 'auth_type': 'password',
                'username': 'karbor', 'password': self.passwords['service'],
                'project_name': 'service', 'user_domain_name': 'Default',
                'project_domain_name': 'Default'}
        return {
            'keystone_authtoken': dict(
                user, www_authenticate_uri=self.auth_url,
                service_token_roles_required='true'),
            'service_user': dict(user),
        }


def ensure_keystone():
    """The running :class:`Keystone`; AssertionError if there is none."""
    return Keystone(SERVICE.ensure())


def region_name():
    """A name for a region of a test's own."""
    return 'karbor-test-%s' % uuid.uuid4().hex[:12]


class CatalogRegion(fixtures.Fixture):
    """Region ``region`` in the catalog, with public and internal
    endpoints ``{service type: url}`` (Karbor's ``data-protect`` ending in
    ``/v1/$(project_id)s``; seed.py made every service); removed at
    clean-up."""

    def __init__(self, keystone, region, endpoints):
        super().__init__()
        self.keystone = keystone
        self.region = region
        self.endpoints = endpoints

    def _setUp(self):
        ks = self.keystone
        self.endpoint_ids = []
        ks.call('POST', '/regions', json={'region': {'id': self.region}})
        self.addCleanup(ks.call, 'DELETE', '/regions/%s' % self.region)
        for service_type, url in self.endpoints.items():
            [service] = ks.call('GET', '/services?type=%s' %
                                service_type)['services']
            for interface in ('public', 'internal'):
                endpoint = ks.call('POST', '/endpoints', json={'endpoint': {
                    'service_id': service['id'], 'interface': interface,
                    'url': url, 'region_id': self.region}})['endpoint']
                self.addCleanup(ks.call, 'DELETE',
                                '/endpoints/%s' % endpoint['id'])
                self.endpoint_ids.append(endpoint['id'])

    def only_for(self, project):
        """Make these endpoints the whole catalog of ``project``'s tokens
        (an OS-EP-FILTER association), for clients that ignore the
        region (the OSC plugin of python-karborclient 2.1.0)."""
        project_id = self.keystone.project_id(project)
        for endpoint_id in self.endpoint_ids:
            path = '/OS-EP-FILTER/projects/%s/endpoints/%s' % (
                project_id, endpoint_id)
            self.keystone.call('PUT', path)
            self.addCleanup(self.keystone.call, 'DELETE', path)
