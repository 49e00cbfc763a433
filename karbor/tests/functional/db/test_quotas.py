"""Quotas counted without races, on SQLite, MariaDB and PostgreSQL (real
servers, a database of its own per test): creates started together at the
limit, many times, and exactly one wins each time; a create waits for
another one still in its transaction, then sees it."""

import threading

from karbor.common import constants
from karbor.common import exception
from karbor.db import api as db_api
from karbor.db import checkpoints as checkpoints_db
from karbor.db import models
from karbor.db import plans as plans_db
from karbor.db import quotas
from karbor.tests import base
from karbor.tests.functional.db import test_state_changes as state
from karbor.tests.functional import fixtures as ft_fixtures

RACE_ROUNDS = 12


def plan_values(project_id):
    return {'project_id': project_id, 'name': 'p', 'provider_id': 'prov',
            'status': constants.PLAN_STATUS_SUSPENDED, 'resources': [],
            'parameters': {}}


def checkpoint_values(project_id):
    return {'project_id': project_id, 'provider_id': 'prov',
            'status': constants.CHECKPOINT_STATUS_PROTECTING,
            'protection_plan': {'id': 'plan'}}


class _QuotaRaces:
    """The tests; the database of ``backend`` (base.TestCase's setUp
    calls ``database``)."""

    backend = None
    database = state._OnBackend.database
    in_thread = state._OnBackend.in_thread

    def race(self, create, project_id, contenders):
        barrier = threading.Barrier(contenders)

        def go():
            barrier.wait(state.WAIT)
            return create(project_id)
        started = [self.in_thread(go) for _ in range(contenders)]
        for _outcome, thread in started:
            thread.join(state.WAIT)
            self.assertFalse(thread.is_alive())
        return [outcome for outcome, _thread in started]

    def assertOneWinner(self, outcomes, resource, limit):
        self.assertEqual(1, sum('result' in o for o in outcomes), outcomes)
        for outcome in outcomes:
            if 'error' in outcome:
                self.assertIsInstance(outcome['error'],
                                      exception.QuotaExceeded, outcome)
                self.assertIn('%s of project' % resource,
                              str(outcome['error']))
                self.assertIn('limited to %d' % limit,
                              str(outcome['error']))

    def test_plans_at_the_limit_have_one_winner(self):
        """A fresh project each round (its lock row is made by the race
        too), limit 1, three creates at once."""
        for i in range(RACE_ROUNDS):
            project_id = 'race-plans-%d' % i
            quotas.set_limits(project_id, {quotas.PLANS: 1})
            outcomes = self.race(
                lambda p: plans_db.plan_create(plan_values(p)),
                project_id, 3)
            self.assertOneWinner(outcomes, quotas.PLANS, 1)
            self.assertEqual(1, quotas.usage(project_id)[quotas.PLANS])

    def test_checkpoints_at_the_limit_have_one_winner(self):
        project_id = 'race-checkpoints'
        for i in range(RACE_ROUNDS):
            quotas.set_limits(project_id, {quotas.CHECKPOINTS: i + 1})
            outcomes = self.race(
                lambda p: checkpoints_db.checkpoint_create_within_quota(
                    checkpoint_values(p)), project_id, 2)
            self.assertOneWinner(outcomes, quotas.CHECKPOINTS, i + 1)
            self.assertEqual(i + 1,
                             quotas.usage(project_id)[quotas.CHECKPOINTS])

    def test_create_waits_for_one_in_flight(self):
        """One transaction holds the project's lock with a plan inserted
        and not committed: another create waits, then counts it."""
        project_id = 'held'
        quotas.set_limits(project_id, {quotas.PLANS: 1})
        plans_db.plan_create(plan_values('warm-up'))
        quotas._ensure_lock_row(project_id)
        locked = threading.Event()
        release = threading.Event()

        def hold():
            with db_api.writer() as session:
                quotas.check_in_session(session, project_id, quotas.PLANS)
                session.add(models.Plan(id='in-flight',
                                        **plan_values(project_id)))
                session.flush()
                locked.set()
                release.wait(state.WAIT)
        held, holder = self.in_thread(hold)
        self.assertTrue(locked.wait(state.WAIT), held)
        outcome, thread = self.in_thread(
            lambda: plans_db.plan_create(plan_values(project_id)))
        thread.join(state.BLOCKED_FOR)
        self.assertTrue(thread.is_alive(),
                        'did not wait for the other transaction: %s' %
                        outcome)
        release.set()
        holder.join(state.WAIT)
        thread.join(state.WAIT)
        self.assertNotIn('error', held)
        self.assertIsInstance(outcome.get('error'), exception.QuotaExceeded,
                              outcome)
        self.assertEqual(['in-flight'], [p.id for p in plans_db.plan_get_all(
            project_id=project_id)])

    def test_unlimited_and_deleted_checkpoints(self):
        project_id = 'counted'
        quotas.set_limits(project_id, {quotas.CHECKPOINTS: 2})
        first = checkpoints_db.checkpoint_create_within_quota(
            checkpoint_values(project_id))
        checkpoints_db.checkpoint_create_within_quota(
            checkpoint_values(project_id))
        self.assertRaises(exception.QuotaExceeded,
                          checkpoints_db.checkpoint_create_within_quota,
                          checkpoint_values(project_id))
        # A deleted checkpoint no longer counts.
        checkpoints_db.checkpoint_update(
            first.id, {'status': constants.CHECKPOINT_STATUS_DELETED})
        checkpoints_db.checkpoint_create_within_quota(
            checkpoint_values(project_id))
        quotas.set_limits(project_id, {quotas.CHECKPOINTS: -1})
        for _ in range(3):
            checkpoints_db.checkpoint_create_within_quota(
                checkpoint_values(project_id))
        self.assertEqual(5, quotas.usage(project_id)[quotas.CHECKPOINTS])


class QuotaRacesSQLiteTest(_QuotaRaces, base.TestCase):
    backend = state.SQLITE


class QuotaRacesMySQLTest(_QuotaRaces, base.TestCase):
    backend = ft_fixtures.MYSQL


class QuotaRacesPostgreSQLTest(_QuotaRaces, base.TestCase):
    backend = ft_fixtures.POSTGRESQL
