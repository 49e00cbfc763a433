"""Database sessions and the helpers every per-resource module shares.

Per-resource functions live in one module each (``karbor.db.services``,
...); this module holds the enginefacade transaction context.
"""

import threading

from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

_CONTEXT = threading.local()
_ENGINE_LOCK = threading.Lock()
_SQLITE_READY = set()

# SQLite: one writer at a time; wait for the lock instead of failing.
SQLITE_BUSY_TIMEOUT_MS = 30000


def reader():
    return enginefacade.reader.using(_CONTEXT)


def writer():
    return enginefacade.writer.using(_CONTEXT)


def _sqlite_on_connect(dbapi_conn, connection_record):
    cursor = dbapi_conn.cursor()
    cursor.execute('PRAGMA busy_timeout = %d' % SQLITE_BUSY_TIMEOUT_MS)
    cursor.execute('PRAGMA journal_mode = WAL')
    cursor.execute('PRAGMA foreign_keys = ON')
    cursor.close()


def get_engine():
    """The writer engine, with SQLite tuned for one multi-threaded process."""
    engine = enginefacade.writer.get_engine()
    if engine.dialect.name == 'sqlite' and id(engine) not in _SQLITE_READY:
        with _ENGINE_LOCK:
            if id(engine) not in _SQLITE_READY:
                sa.event.listen(engine, 'connect', _sqlite_on_connect)
                # Connections opened before the listener get replaced.
                engine.dispose()
                _SQLITE_READY.add(id(engine))
    return engine
