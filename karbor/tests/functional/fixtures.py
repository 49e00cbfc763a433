"""Fixtures of the functional tests: throwaway databases on the real
MariaDB and PostgreSQL servers, and a RabbitMQ transport with a topic of
its own.

The servers run on 127.0.0.1 with their default ports on development and
CI machines (``tools/test-services.sh start``). A server that does not
answer makes the test fail, never skip: a skipped functional test would
hide that nothing was tested.
"""

import socket
import uuid

import fixtures
import sqlalchemy as sa
from sqlalchemy import pool

HOST = '127.0.0.1'

MYSQL = 'mysql'
POSTGRESQL = 'postgresql'

# Where each backend lives, and the URL of one database on it.
_BACKENDS = {
    MYSQL: {
        'port': 3306,
        'server': 'MariaDB/MySQL',
        'admin_url': 'mysql+pymysql://root@%s/?charset=utf8mb4' % HOST,
        'url': 'mysql+pymysql://root@%s/{name}?charset=utf8mb4' % HOST,
        'create': 'CREATE DATABASE `{name}` CHARACTER SET utf8mb4',
        'drop': 'DROP DATABASE IF EXISTS `{name}`',
    },
    POSTGRESQL: {
        'port': 5432,
        'server': 'PostgreSQL',
        'admin_url': 'postgresql+psycopg2://postgres@%s/postgres' % HOST,
        'url': 'postgresql+psycopg2://postgres@%s/{name}' % HOST,
        'create': 'CREATE DATABASE "{name}" ENCODING \'UTF8\'',
        # FORCE (PostgreSQL 13+): a process the test left running must not
        # keep the database alive.
        'drop': 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
    },
}

RABBIT_PORT = 5672
RABBIT_URL = 'rabbit://guest:guest@%s:%d/' % (HOST, RABBIT_PORT)

_HINT = ('the functional tests need it; start it with '
         '"tools/test-services.sh start"')


def unique_name(prefix):
    return '%s%s' % (prefix, uuid.uuid4().hex[:16])


def require_tcp(port, server, host=HOST, timeout=5):
    """Fail (never skip) when nothing listens on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as e:
        raise AssertionError('%s is not reachable on %s:%d (%s); %s' %
                             (server, host, port, e, _HINT))


class Database(fixtures.Fixture):
    """An empty database of its own on MariaDB or PostgreSQL.

    ``url`` is its SQLAlchemy URL; the database is dropped at clean-up.
    """

    def __init__(self, backend):
        super().__init__()
        if backend not in _BACKENDS:
            raise ValueError('Unknown backend %r; one of %s' %
                             (backend, sorted(_BACKENDS)))
        self.backend = backend
        self._spec = _BACKENDS[backend]

    def _admin_engine(self):
        return sa.create_engine(self._spec['admin_url'],
                                isolation_level='AUTOCOMMIT',
                                poolclass=pool.NullPool)

    def _execute(self, statement):
        engine = self._admin_engine()
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(statement))
        finally:
            engine.dispose()

    def setUp(self):
        # Checked before Fixture.setUp: an exception of _setUp reaches
        # the test wrapped in a SetupError, reported as an error; this
        # AssertionError reaches it as is, a failure that says why.
        require_tcp(self._spec['port'], self._spec['server'])
        super().setUp()

    def _setUp(self):
        self.name = unique_name('karbor_ft_')
        try:
            self._execute(self._spec['create'].format(name=self.name))
        except sa.exc.SQLAlchemyError as e:
            raise AssertionError(
                'Cannot create database %s on %s at %s: %s; %s' %
                (self.name, self._spec['server'], self._spec['admin_url'],
                 e, _HINT))
        self.addCleanup(self._drop)
        self.url = self._spec['url'].format(name=self.name)

    def _drop(self):
        self._execute(self._spec['drop'].format(name=self.name))


class RabbitMQ(fixtures.Fixture):
    """The RabbitMQ transport URL, and an RPC topic no other test uses.

    Tests that run in parallel share the broker; each one sets
    ``[protection] topic`` to its own ``topic`` so that no process
    consumes another test's messages.
    """

    url = RABBIT_URL
    # Each test's queues are throwaway: durable ones (Karbor's default)
    # would outlive restarts of the shared broker and pile up there. The
    # tests of durability run on a broker of their own
    # (rabbitmq_fixture.PrivateRabbitMQ).
    durable = False

    def setUp(self):
        # Before Fixture.setUp, for the reason given in Database.setUp.
        require_tcp(RABBIT_PORT, 'RabbitMQ')
        super().setUp()

    def _setUp(self):
        self.topic = unique_name('karbor-protection-')
