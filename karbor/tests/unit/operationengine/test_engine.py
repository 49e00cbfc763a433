"""The operation engine on SQLite with the real API, an in-process
protection service and the local provider; the engine's clock is set by
each test (the schedule computation itself is the real one)."""

import datetime
import os
import shutil
import threading

from oslo_utils import timeutils

from karbor.db import checkpoints as checkpoints_db
from karbor.db import scheduled_operations as operations_db
from karbor.db import services as services_db
from karbor.services.operationengine import engine as engine_module
from karbor.tests.unit.api_v1 import base


class Clock:
    def __init__(self):
        self.now = timeutils.utcnow()

    def __call__(self):
        return self.now

    def at(self, moment):
        self.now = moment


class EngineTestCase(base.ProtectionApiTestCase):

    start_service = True

    def setUp(self):
        super().setUp()
        self.clock = Clock()
        self.plan = self.create_plan()

    def engine(self, host='engine-a'):
        return engine_module.Engine(host=host, clock=self.clock,
                                    heartbeat=False)

    def trigger(self, pattern='*/5 * * * *', **props):
        props.update(format='crontab', pattern=pattern)
        return self.post('triggers', {'trigger_info': {
            'name': 't', 'type': 'time', 'properties': props}},
            status=200).json['trigger_info']

    def schedule(self, trigger, operation_type='protect', **definition):
        values = {'plan_id': self.plan['id'],
                  'provider_id': base.LOCAL_PROVIDER_ID}
        values.update(definition)
        return self.post('scheduled_operations', {'scheduled_operation': {
            'name': 'so', 'operation_type': operation_type,
            'trigger_id': trigger['id'],
            'operation_definition': values}},
            status=200).json['scheduled_operation']

    def show(self, op):
        return self.get('scheduled_operations/' + op['id']).json[
            'scheduled_operation']

    def due(self, op, after=None):
        """The next due time of ``op`` after the clock (or ``after``)."""
        row = operations_db.scheduled_operation_get(op['id'])
        for operation, trigger in operations_db.enabled_with_triggers():
            if operation.id == row.id:
                from karbor.services.operationengine import schedule
                return schedule.Schedule(trigger.properties).next_after(
                    after or self.clock())
        self.fail('not enabled: %s' % op)

    def run_due(self, engine, op, late=1):
        """Set the clock ``late`` seconds after the next due time and make
        a pass; the due time."""
        due = self.due(op)
        self.clock.at(due + datetime.timedelta(seconds=late))
        engine.tick()
        return due

    def settle(self, engine, op):
        """Passes until the last run of ``op`` has ended; its last run."""
        return self.wait_for(
            lambda: (engine.tick(), self.show(op))[1]['last_run'],
            lambda r: r['status'] != 'running')

    def checkpoints(self, status='available'):
        return [c for c in self.get(self.checkpoints_path()).json[
            'checkpoints'] if c['status'] == status]

    def logs(self, op):
        return [log for log in self.get('operation_logs').json[
            'operation_logs'] if log['scheduled_operation_id'] == op['id']]


class ProtectTest(EngineTestCase):

    def test_a_protect_runs_once_per_due_time(self):
        op = self.schedule(self.trigger())
        engine = self.engine()
        due = self.run_due(engine, op)
        # A second pass at the same time claims nothing more.
        engine.tick()
        run = self.settle(engine, op)
        self.assertEqual('success', run['status'], run)
        self.assertEqual(due.isoformat(), run['due_at'])
        checkpoint = self.show_checkpoint(run['checkpoint_id'])
        self.assertEqual('available', checkpoint['status'])
        self.assertEqual({'created_by': 'operation-engine',
                          'scheduled_operation_id': op['id']},
                         checkpoint['extra_info'])
        logs = self.logs(op)
        self.assertEqual(1, len(logs))
        self.assertEqual(run['operation_log_ids'], [logs[0]['id']])
        self.assertEqual('protect', logs[0]['operation_type'])
        self.assertEqual('success', logs[0]['status'])
        self.assertEqual(due.isoformat(), logs[0]['extra_info']['due_at'])
        self.assertEqual(1, len(operations_db.runs_get(op['id'])))

    def test_two_operations_on_one_trigger_both_run(self):
        trigger = self.trigger()
        first = self.schedule(trigger)
        second = self.schedule(trigger, 'retention_protect', max_backups=5)
        engine = self.engine()
        due = self.run_due(engine, first)
        for op in (first, second):
            run = self.settle(engine, op)
            self.assertEqual(('success', due.isoformat()),
                             (run['status'], run['due_at']))
        self.assertEqual(2, len(self.checkpoints()))

    def test_sleeps_at_most_follow_interval_while_a_run_goes_on(self):
        self.conf.config(max_sleep=10, follow_interval=0.5,
                         group='operationengine')
        # Yearly: no due time within the sleeps below.
        op = self.schedule(self.trigger('0 0 1 1 *'))
        engine = self.engine()
        self.assertEqual(10, engine.tick())
        # A run whose checkpoint is still being protected.
        row = operations_db.scheduled_operation_get(op['id'])
        run = operations_db.run_claim(row, self.due(op), [], 'elsewhere')
        checkpoint = checkpoints_db.checkpoint_create({
            'project_id': row.project_id, 'provider_id':
            base.LOCAL_PROVIDER_ID, 'plan_id': self.plan['id'],
            'status': 'protecting', 'protection_plan': {}})
        operations_db.run_update(run.id, {'checkpoint_id': checkpoint.id})
        self.assertEqual(0.5, engine.tick())
        checkpoints_db.checkpoint_update(checkpoint.id,
                                         {'status': 'available'})
        self.assertEqual(10, engine.tick())
        self.assertEqual('success', self.show(op)['last_run']['status'])

    def test_retention_keeps_max_backups(self):
        op = self.schedule(self.trigger(), 'retention_protect',
                           max_backups=2)
        engine = self.engine()
        made = []
        for _ in range(4):
            self.run_due(engine, op)
            run = self.settle(engine, op)
            self.assertEqual('success', run['status'], run)
            made.append(run['checkpoint_id'])
            self.wait_for(lambda: self.get(self.checkpoints_path()).json,
                          lambda d: not [c for c in d['checkpoints']
                                         if c['status'] == 'deleting'])
        self.assertEqual(made[:1:-1],
                         [c['id'] for c in self.checkpoints()])
        self.assertIn('retention deletes %s' % made[1], run['reason'])
        deletes = [log for log in self.logs(op)
                   if log['operation_type'] == 'delete']
        self.assertEqual({made[0], made[1]},
                         {log['checkpoint_id'] for log in deletes})

    def test_missed_while_down_then_runs_once(self):
        op = self.schedule(self.trigger(window=60))
        engine = self.engine()
        first = self.due(op)
        # Down for five due times; back 2 minutes after the last one,
        # past its window of 60 seconds.
        fifth = first + datetime.timedelta(minutes=20)
        self.clock.at(fifth + datetime.timedelta(minutes=2))
        engine.tick()
        run = self.show(op)['last_run']
        self.assertEqual('missed', run['status'])
        self.assertIn('5 due times from %s to %s missed' % (
            first.isoformat(), fifth.isoformat()), run['reason'])
        self.assertEqual([], self.checkpoints())
        self.assertEqual(['missed'], [log['status']
                                      for log in self.logs(op)])
        # Back within the window of the next due time: it runs, once;
        # the missed ones are not run.
        due = self.run_due(engine, op, late=30)
        run = self.settle(engine, op)
        self.assertEqual('success', run['status'])
        self.assertEqual(due.isoformat(), run['due_at'])
        self.assertEqual(1, len(self.checkpoints()))
        statuses = [r.status for r in operations_db.runs_get(op['id'])]
        self.assertEqual(['missed'] * 5 + ['success'], statuses)

    def test_a_changed_pattern_takes_effect_at_the_next_run(self):
        trigger = self.trigger('0 * * * *')
        op = self.schedule(trigger)
        engine = self.engine()
        self.run_due(engine, op)
        self.settle(engine, op)
        self.put('triggers/' + trigger['id'], {'trigger_info': {
            'properties': {'pattern': '30 * * * *'}}}, status=200)
        # Half an hour after the last run, not an hour.
        due = self.due(op)
        self.assertEqual(30, due.minute)
        self.assertLess(due - self.clock(), datetime.timedelta(minutes=31))
        self.run_due(engine, op)
        run = self.settle(engine, op)
        self.assertEqual(due.isoformat(), run['due_at'])
        self.assertEqual(2, len(operations_db.runs_get(op['id'])))

    def test_a_paused_operation_does_not_run_or_catch_up(self):
        op = self.schedule(self.trigger())
        engine = self.engine()
        self.put('scheduled_operations/' + op['id'], {
            'scheduled_operation': {'enabled': False}}, status=200)
        self.clock.at(self.clock() + datetime.timedelta(minutes=20))
        engine.tick()
        self.assertEqual([], operations_db.runs_get(op['id']))
        self.put('scheduled_operations/' + op['id'], {
            'scheduled_operation': {'enabled': True}}, status=200)
        self.clock.at(timeutils.utcnow())
        self.run_due(engine, op)
        self.assertEqual(['running'], [
            r.status for r in operations_db.runs_get(op['id'])])

    def test_gone_resources_end_the_run_in_error_and_the_schedule_goes_on(
            self):
        op = self.schedule(self.trigger())
        engine = self.engine()
        shutil.rmtree(os.path.join(self.root, 'docs'))
        self.run_due(engine, op)
        run = self.settle(engine, op)
        self.assertEqual('error', run['status'])
        self.assertIn('checkpoint %s is error' % run['checkpoint_id'],
                      run['reason'])
        base.write_tree(self.root, base.FILES)
        self.run_due(engine, op)
        self.assertEqual('success', self.settle(engine, op)['status'])

    def test_a_deleted_plan_ends_the_run_in_error(self):
        op = self.schedule(self.trigger())
        engine = self.engine()
        self.delete('plans/' + self.plan['id'], status=204)
        self.run_due(engine, op)
        run = self.show(op)['last_run']
        self.assertEqual('error', run['status'])
        self.assertIn('Plan %s could not be found' % self.plan['id'],
                      run['reason'])
        self.assertEqual(['error'], [log['status'] for log in self.logs(op)])

    def test_a_run_refused_by_the_quota_ends_in_error_naming_it(self):
        op = self.schedule(self.trigger())
        engine = self.engine()
        self.put('quotas/p1', {'quota': {'checkpoints': 0}}, status=200)
        self.run_due(engine, op)
        run = self.show(op)['last_run']
        self.assertEqual('error', run['status'])
        self.assertIn('quota exceeded: checkpoints of project p1 is '
                      'limited to 0', run['reason'])
        self.assertEqual(['error'], [log['status'] for log in self.logs(op)])
        self.assertEqual([], checkpoints_db.checkpoint_get_all(
            filters={'plan_id': self.plan['id']}))
        # Raised again: the schedule goes on.
        self.put('quotas/p1', {'quota': {'checkpoints': -1}}, status=200)
        self.run_due(engine, op)
        self.assertEqual('success', self.settle(engine, op)['status'])

    def test_two_engines_racing_run_each_due_time_once(self):
        op = self.schedule(self.trigger())
        engines = [self.engine('engine-%d' % i) for i in range(4)]
        for _ in range(3):
            self.clock.at(self.due(op) + datetime.timedelta(seconds=1))
            barrier = threading.Barrier(len(engines))

            def race(engine):
                barrier.wait()
                engine.tick()

            threads = [threading.Thread(target=race, args=(e,))
                       for e in engines]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            self.settle(engines[0], op)
        runs = operations_db.runs_get(op['id'])
        self.assertEqual(3, len(runs))
        self.assertEqual(3, len({r.due_at for r in runs}))
        self.assertEqual(['success'] * 3, [r.status for r in runs])
        self.assertEqual(3, len(self.checkpoints()))


class VerifyTest(EngineTestCase):

    def test_verify_the_newest_checkpoint(self):
        engine = self.engine()
        old = self.create_checkpoint(self.plan['id'])
        new = self.create_checkpoint(self.plan['id'])
        op = self.schedule(self.trigger(), 'verify', level='quick')
        self.run_due(engine, op)
        run = self.settle(engine, op)
        self.assertEqual('success', run['status'], run)
        self.assertEqual(1, len(run['verification_ids']))
        verification = self.get('verifications/' + run[
            'verification_ids'][0]).json['verification']
        self.assertEqual(new['id'], verification['checkpoint_id'])
        self.assertEqual({base.DIRECTORY: {'level': 'quick'}},
                         verification['parameters'])
        self.assertNotEqual(old['id'], verification['checkpoint_id'])
        log = self.logs(op)[0]
        self.assertEqual(('verify', verification['id']),
                         (log['operation_type'], log['verification_id']))

    def test_verify_every_checkpoint_not_verified_within_days(self):
        engine = self.engine()
        first = self.create_checkpoint(self.plan['id'])
        second = self.create_checkpoint(self.plan['id'])
        verified = self.post('verifications', {'verification': {
            'provider_id': base.LOCAL_PROVIDER_ID,
            'checkpoint_id': first['id']}}, status=202).json['verification']
        self.wait_for(lambda: self.get('verifications/' + verified['id'])
                      .json['verification'],
                      lambda v: v['status'] != 'verifying', 'success')
        op = self.schedule(self.trigger(), 'verify', level='deep',
                           not_verified_within_days=7)
        self.run_due(engine, op)
        run = self.settle(engine, op)
        self.assertEqual('success', run['status'], run)
        checked = [self.get('verifications/' + v).json['verification'][
            'checkpoint_id'] for v in run['verification_ids']]
        self.assertEqual([second['id']], checked)
        # The next run finds both verified within 7 days.
        self.run_due(engine, op)
        run = self.settle(engine, op)
        self.assertEqual('success', run['status'])
        self.assertEqual([], run['verification_ids'])
        self.assertIn('verified within 7 days', run['reason'])

    def test_nothing_to_verify_is_an_error(self):
        engine = self.engine()
        op = self.schedule(self.trigger(), 'verify')
        self.run_due(engine, op)
        run = self.show(op)['last_run']
        self.assertEqual('error', run['status'])
        self.assertIn('no available checkpoint', run['reason'])


class DisabledServiceTest(EngineTestCase):
    """``os-services`` disable of an engine's service row."""

    def test_a_disabled_engine_runs_nothing_until_enabled_again(self):
        op = self.schedule(self.trigger(window=600))
        engine = self.engine()
        row = services_db.service_report(engine.host, engine_module.BINARY)
        self.put('os-services/%d' % row.id, {
            'status': 'disabled', 'disabled_reason': 'maintenance'},
            status=200)
        due = self.run_due(engine, op)
        engine.tick()
        self.assertEqual([], operations_db.runs_get(op['id']))
        self.assertIsNone(self.show(op)['last_run'])
        # An engine on another host is not concerned.
        other = self.engine('engine-b')
        self.assertFalse(other.disabled())
        self.assertTrue(engine.disabled())

        # Enabled again within the window of that due time: it runs it.
        self.put('os-services/%d' % row.id, {'status': 'enabled'},
                 status=200)
        self.clock.at(due + datetime.timedelta(seconds=30))
        engine.tick()
        run = self.settle(engine, op)
        self.assertEqual('success', run['status'], run)
        self.assertEqual(due.isoformat(), run['due_at'])
        self.assertEqual('engine-a', operations_db.runs_get(op['id'])[0]
                         .host)
