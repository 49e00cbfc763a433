"""Base classes and fixtures of Karbor's tests."""

import atexit
import os
import shutil
import tempfile
import threading

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import engines
from oslotest import base

from karbor.common import config
from karbor.common import notify
from karbor.common import policy
from karbor.common import rpc
from karbor.db import api as db_api
from karbor.db import migration
from karbor.db import services as services_db

CONF = cfg.CONF

_TEMPLATE_LOCK = threading.Lock()
_TEMPLATE_DB = None
# Read at import, before a test gives TMPDIR a directory of its own that
# is removed when that test ends.
_TEMPLATE_PARENT = tempfile.gettempdir()


def _template_db():
    """A migrated SQLite file, made once per test process and copied."""
    global _TEMPLATE_DB
    with _TEMPLATE_LOCK:
        if _TEMPLATE_DB is None:
            directory = tempfile.mkdtemp(prefix='karbor-db-',
                                         dir=_TEMPLATE_PARENT)
            atexit.register(shutil.rmtree, directory, True)
            path = os.path.join(directory, 'template.sqlite')
            engine = engines.create_engine('sqlite:///%s' % path)
            migration.upgrade('head', engine=engine)
            engine.dispose()
            _TEMPLATE_DB = path
    return _TEMPLATE_DB


class Database(fixtures.Fixture):
    """A fresh, migrated SQLite database behind Karbor's enginefacade."""

    def _setUp(self):
        tmp = self.useFixture(fixtures.TempDir())
        path = os.path.join(tmp.path, 'karbor.sqlite')
        shutil.copyfile(_template_db(), path)
        self.url = 'sqlite:///%s' % path
        self.engine = db_api.tune_sqlite(engines.create_engine(self.url))
        self.addCleanup(self.engine.dispose)
        restore = enginefacade._context_manager.patch_engine(self.engine)
        self.addCleanup(restore)


class TestCase(base.BaseTestCase):
    """Config on cfg.CONF (through the fixture), noauth, in-process RPC,
    a state directory and a database of its own for every test."""

    def setUp(self):
        super().setUp()
        config.register_all(CONF)
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.state_path = self.useFixture(fixtures.TempDir()).path
        self.conf.config(state_path=self.state_path,
                         auth_strategy='noauth',
                         transport_url=rpc.IN_PROCESS_TRANSPORT_URL,
                         host='test-host')
        self.conf.config(connection='sqlite://', group='database')
        # Every answer of the API must fit the schema it publishes.
        self.conf.config(response_validation='error', group='api')
        # As every process does; oslo.policy needs a parsed CONF. The
        # config fixture resets it at clean-up.
        CONF([], project='karbor', default_config_files=[])
        policy.reset()
        self.addCleanup(policy.reset)
        rpc.cleanup()
        self.addCleanup(rpc.cleanup)
        # The notifier is made from the options of the test that uses it.
        notify.cleanup()
        self.addCleanup(notify.cleanup)
        self.db = self.database()
        services_db.forget_learnt()

    def database(self):
        """The database fixture of this test (a test case for another
        database backend overrides it)."""
        return self.useFixture(Database())
