"""karbor.db.purge: what ``karbor-manage db purge --before DATE`` hard
deletes, and what it never touches (SQLite, taskflow's tables made by
the migrations; the command itself runs on
MariaDB and PostgreSQL in karbor.tests.functional.db.test_migrations)."""

import datetime

import sqlalchemy as sa

from karbor.db import api
from karbor.db import checkpoints as checkpoints_db
from karbor.db import operation_logs as operation_logs_db
from karbor.db import purge
from karbor.db import verifications as verifications_db
from karbor.services.protection import jobs
from karbor.tests import base

OLD = datetime.datetime(2026, 1, 10, 12, 0)
CUTOFF = datetime.datetime(2026, 2, 1)
NEW = datetime.datetime(2026, 3, 1, 8, 0)


def rows(test):
    """Of each kind, one that goes and those that stay; their ids."""
    made = {}

    def checkpoint(name, status, updated):
        made[name] = checkpoints_db.checkpoint_create({
            'project_id': 'p1', 'provider_id': 'prov', 'status': status,
            'protection_plan': {}, 'created_at': OLD,
            'updated_at': updated}).id
    checkpoint('deleted_old', 'deleted', OLD)
    checkpoint('deleted_new', 'deleted', NEW)
    checkpoint('available_old', 'available', None)

    def verification(name, deleted_at):
        made[name] = verifications_db.verification_create({
            'project_id': 'p1', 'provider_id': 'prov', 'checkpoint_id': 'c',
            'status': 'success', 'created_at': OLD,
            'deleted_at': deleted_at}).id
    verification('verification_deleted_old', OLD)
    verification('verification_deleted_new', NEW)
    verification('verification_kept', None)

    def log(name, status, ended_at):
        made[name] = operation_logs_db.operation_log_create({
            'project_id': 'p1', 'operation_type': 'protect',
            'status': status, 'created_at': OLD,
            'ended_at': ended_at}).id
    log('log_success_old', 'success', OLD)
    log('log_error_old', 'error', OLD)
    log('log_success_new', 'success', NEW)
    log('log_running_old', 'protecting', None)

    # Saved flows (taskflow's logbooks) left behind: of an operation that
    # ended (goes), of one still running (stays), and a recent one.
    def saved_flow(name, kind, object_id, when):
        book, _flow = jobs.save(kind, object_id, {})
        with api.writer() as session:
            session.execute(sa.update(purge._FLOW_TABLES.logbooks).where(
                purge._FLOW_TABLES.logbooks.c.uuid == book.uuid).values(
                    created_at=when, updated_at=when))
        made[name] = (kind, object_id)
    saved_flow('flow_ended_old', 'verify', made['verification_kept'], OLD)
    running = verifications_db.verification_create({
        'project_id': 'p1', 'provider_id': 'prov', 'checkpoint_id': 'c',
        'status': 'verifying', 'created_at': OLD}).id
    saved_flow('flow_running_old', 'verify', running, OLD)
    saved_flow('flow_ended_new', 'protect', made['available_old'], NEW)
    return made


GONE = {'deleted_old', 'verification_deleted_old', 'log_success_old',
        'log_error_old', 'flow_ended_old'}


def remaining(made):
    left = set()
    for name, object_id in made.items():
        if isinstance(object_id, tuple):
            if jobs.load(*object_id) is not None:
                left.add(name)
            continue
        for get in (checkpoints_db.checkpoint_get,
                    verifications_db.verification_get,
                    operation_logs_db.operation_log_get):
            try:
                get(object_id)
            except Exception:
                continue
            left.add(name)
    return left


class PurgeTest(base.TestCase):

    def test_purge_before_a_date(self):
        made = rows(self)
        self.assertEqual({'checkpoints': 1, 'verifications': 1,
                          'operation_logs': 2, 'saved_flows': 1},
                         purge.purge(CUTOFF, dry_run=True))
        self.assertEqual(set(made), remaining(made))
        self.assertEqual({'checkpoints': 1, 'verifications': 1,
                          'operation_logs': 2, 'saved_flows': 1},
                         purge.purge(CUTOFF))
        self.assertEqual(set(made) - GONE, remaining(made))
        # Nothing more to do: the same date purges nothing.
        self.assertEqual({'checkpoints': 0, 'verifications': 0,
                          'operation_logs': 0, 'saved_flows': 0},
                         purge.purge(CUTOFF))

    def test_running_logs_and_live_rows_are_never_purged(self):
        made = rows(self)
        purge.purge(datetime.datetime(2100, 1, 1))
        self.assertEqual({'available_old', 'verification_kept',
                          'log_running_old', 'flow_running_old'},
                         remaining(made))
