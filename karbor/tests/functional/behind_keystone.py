"""karbor-api and karbor-protection behind the real Keystone of
:mod:`keystone_fixture`: keystonemiddleware validates every token with
Karbor's service user, policy sees the roles Keystone gave, and Karbor's
endpoint is in the catalog (in a region of the test class's own).

The projects, users and roles are those of ``tools/keystone/seed.py``:
alice (member) and rita (reader) of alpha, bob (member) and betty (admin)
of beta, admin (the cloud administrator, of project admin).
"""

import logging
import os

import fixtures
import testtools

from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests.functional import keystone_fixture
from karbor.tests.functional import processes
from karbor.tests.functional import utils

# The built-in "Local Provider" of karbor-protection.
LOCAL_PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = 'OS::Local::Directory'


def configure(keystone, region, more=None):
    """The ``configure`` of a :class:`processes.KarborServices` behind
    ``keystone``, finding services in the catalog's ``region``, with the
    built-in local provider; ``more(services, sections)`` adds to it."""

    def configure(services, sections):
        sections['DEFAULT']['auth_strategy'] = 'keystone'
        sections.update(keystone.karbor_options())
        for group in ('cinder', 'glance', 'nova'):
            sections[group] = {'region_name': region}
        # The Local Provider's roots: protect/<project id> (made on first
        # use; a test that puts files there makes it first).
        services.root = os.path.realpath(os.path.join(services.state_path,
                                                      'protect'))
        sections['providers'] = {'enable_local_provider': 'true'}
        if more:
            more(services, sections)
    return configure


class BehindKeystone(processes.ProcessTestMixin, testtools.TestCase):
    """One pair of services per test class (their start takes most of the
    time), in a catalog region of the class's own;
    ``configure_more(services, sections)`` of a subclass adds to their
    configuration, ``catalog()`` to the endpoints of that region."""

    backend = ft_fixtures.POSTGRESQL

    @staticmethod
    def configure_more(services, sections):
        pass

    @classmethod
    def catalog(cls):
        """{service type: url} of the region, besides Karbor's."""
        return {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.keystone = keystone_fixture.ensure_keystone()
        cls.region = keystone_fixture.region_name()
        services = processes.KarborServices(
            cls.backend, 60, configure=configure(
                cls.keystone, cls.region, cls.configure_more))
        with fixtures.FakeLogger(level=logging.INFO):
            services.setUp()  # cleans itself up if it fails
        cls.addClassCleanup(services.cleanUp)
        cls.services = services
        cls.endpoint = 'http://127.0.0.1:%d/v1' % services.port
        utils.wait_for(lambda: utils.http('GET', cls.endpoint + '/',
                                          token=None)[0] == 200,
                       timeout=processes.START_TIMEOUT,
                       what='karbor-api on port %d' % services.port)
        # Its queue exists once it says so: a cast before that is lost.
        utils.wait_for(lambda: 'serving topic' in
                       services.protection.output(),
                       timeout=processes.START_TIMEOUT,
                       what='karbor-protection consuming its topic')
        region = keystone_fixture.CatalogRegion(
            cls.keystone, cls.region,
            dict(cls.catalog(),
                 **{'data-protect': cls.endpoint + '/$(project_id)s'}))
        region.setUp()
        cls.addClassCleanup(region.cleanUp)
        cls.catalog_region = region
        cls.tokens = {}

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))

    @classmethod
    def project_root(cls, services, project):
        """The local directories of ``project`` (a name)."""
        return os.path.join(services.root, cls.keystone.project_id(project))

    def token(self, user):
        """A token of ``user`` (one per user and class) and its
        project's id."""
        if user not in self.tokens:
            self.tokens[user] = self.keystone.token(user)
        return self.tokens[user]

    def call(self, user, method, path, body=None, token=None,
             project=None):
        """(status, headers, JSON) of ``/v1/<user's project>/<path>`` as
        ``user`` (or with ``token``, or on ``project``)."""
        user_token, project_id = self.token(user)
        url = '%s/%s/%s' % (self.endpoint, project or project_id,
                            path.lstrip('/'))
        return utils.http(method, url, body=body,
                          token=token or user_token, timeout=30)
