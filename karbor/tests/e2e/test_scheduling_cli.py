"""Scheduled protection with retention and scheduled verification,
through the ``karbor`` shell of python-karborclient 2.1.0, unmodified,
against karbor-all and its operation engine.

An every-minute crontab trigger (the real crontab path; only the
engine's longest sleep is shortened, so that it follows the runs it
started within a second), a ``retention_protect`` of a local directory
keeping 2 checkpoints (``scheduledoperation-create``), and a ``verify``
of the newest checkpoint on the same trigger (created with the client's
Python API: the shell offers only protect and retention_protect). Several
cycles are watched; the drift of each run from its due time is measured
and attached to the test's details.
"""

import datetime
import os
import statistics
import time
import uuid

from karborclient.v1 import client as karbor_client
from testtools import content

from karbor.services.protection import local_roots
from karbor.tests.e2e import base
from karbor.tests.functional import utils

PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'
DIRECTORY = local_roots.RESOURCE_TYPE
CYCLES = 3
# The first due time is up to a minute away, then one a minute.
WATCH_TIMEOUT = 60 * (CYCLES + 2)
# A run starts within this of its due time on an idle machine.
MAX_DRIFT = 5.0


def drift_figures(logs):
    """[(operation type, due time, seconds late)] of the operation logs
    of scheduled runs."""
    found = []
    for log in logs:
        due = (log.get('extra_info') or {}).get('due_at')
        if not log.get('scheduled_operation_id') or not due or \
                log['operation_type'] == 'delete':
            continue
        started = datetime.datetime.fromisoformat(log['started_at'])
        late = (started - datetime.datetime.fromisoformat(due))
        found.append((log['operation_type'], due, late.total_seconds()))
    return sorted(found, key=lambda f: f[1])


def describe_drift(figures):
    lates = [f[2] for f in figures]
    lines = ['%-8s due %s  started %+.3f s' % f for f in figures]
    if lates:
        lines.append('runs: %d  drift min %.3f s  median %.3f s  max %.3f s'
                     % (len(lates), min(lates), statistics.median(lates),
                        max(lates)))
    return '\n'.join(lines)


class SchedulingCliTest(base.SharedServerTestCase):

    @classmethod
    def server_options(cls, state_path):
        conf = os.path.join(state_path, 'karbor-all.conf')
        with open(conf, 'w') as f:
            f.write('[operationengine]\nmax_sleep = 1\n')
        return {'config_file': conf}

    def setUp(self):
        super().setUp()
        self.project = self.PROJECT = 'e2e-sched-%s' % uuid.uuid4().hex[:8]

    def api(self, method, path, body=None, expected=200):
        status, _, doc = utils.http(
            method, self.server.project_url(self.project) + path, body=body,
            token='admin-token')
        self.assertEqual(expected, status, doc)
        return doc

    def make_plan(self):
        path = os.path.join(os.path.realpath(self.server.state_path),
                            'protect', self.project, 'docs')
        os.makedirs(path)
        for i in range(3):
            with open(os.path.join(path, 'file-%d.txt' % i), 'w') as f:
                f.write('scheduled %d\n' % i * 1000)
        [listed] = [i for i in self.api(
            'GET', '/protectables/%s/instances' % DIRECTORY)['instances']
            if i['name'] == 'docs']
        return self.api('POST', '/plans', {'plan': {
            'name': 'scheduled', 'provider_id': PROVIDER_ID,
            'resources': [{'id': listed['id'], 'type': DIRECTORY,
                           'name': 'docs'}]}})['plan']

    def scheduled_logs(self):
        return [log for log in self.api(
            'GET', '/operation_logs?limit=1000')['operation_logs']
            if log['scheduled_operation_id']]

    def test_protect_with_retention_and_verify_every_minute(self):
        plan = self.make_plan()
        trigger = self.show('trigger-create', 'every-minute', 'time',
                            'format=crontab,pattern=* * * * *,window=60')
        self.assertEqual('* * * * *', trigger['properties']['pattern'])
        self.assertEqual(60, trigger['properties']['window'])
        self.assertIn(trigger['id'], [r['Id'] for r in
                                      self.rows('trigger-list')])
        protect = self.show(
            'scheduledoperation-create', 'protect-docs', 'retention_protect',
            trigger['id'], 'plan_id=%s,provider_id=%s,max_backups=2' % (
                plan['id'], PROVIDER_ID))
        self.assertEqual(2, protect['operation_definition']['max_backups'])
        client = karbor_client.Client(self.server.project_url(self.project),
                                      token='admin-token')
        verify = client.scheduled_operations.create(
            'verify-newest', 'verify', trigger['id'],
            {'plan_id': plan['id'], 'provider_id': PROVIDER_ID,
             'level': 'quick'})
        self.assertEqual({protect['id'], verify.id},
                         {r['Id'] for r in
                          self.rows('scheduledoperation-list')})

        # Watch the cycles.
        deadline = time.monotonic() + WATCH_TIMEOUT
        while True:
            logs = self.scheduled_logs()
            protects = [log for log in logs
                        if log['operation_type'] == 'protect']
            verified = [log for log in logs
                        if log['operation_type'] == 'verify' and
                        log['status'] == 'success']
            busy = [log for log in logs if log['status'] in (
                'protecting', 'deleting', 'verifying')]
            # The engine applies the retention once it saw the protect
            # end: wait for its deletes too.
            deletes = [log for log in logs
                       if log['operation_type'] == 'delete']
            if (len(protects) >= CYCLES and verified and not busy and
                    len(deletes) >= len(protects) - 2):
                break
            self.assertLess(time.monotonic(), deadline,
                            'not %d cycles after %ss: %s' % (
                                CYCLES, WATCH_TIMEOUT, logs))
            time.sleep(1)

        figures = drift_figures(logs)
        self.addDetail('schedule-drift', content.text_content(
            describe_drift(figures)))
        self.assertEqual(['success'] * len(protects),
                         [log['status'] for log in protects])
        for _kind, _due, late in figures:
            self.assertGreaterEqual(late, 0)
            self.assertLess(late, MAX_DRIFT, describe_drift(figures))
        # One run per due time and operation.
        keys = [(log['scheduled_operation_id'], log['extra_info']['due_at'])
                for log in logs if log['operation_type'] != 'delete']
        self.assertEqual(len(keys), len(set(keys)))

        # Retention: the plan keeps its newest 2 checkpoints.
        rows = self.rows('checkpoint-list', PROVIDER_ID, '--plan_id',
                         plan['id'])
        available = [r['Id'] for r in rows if r['Status'] == 'available']
        self.assertEqual(2, len(available), rows)
        newest = sorted((log for log in protects),
                        key=lambda log: log['extra_info']['due_at'])
        self.assertEqual({log['checkpoint_id'] for log in newest[-2:]},
                         set(available))
        deletes = [log for log in logs if log['operation_type'] == 'delete']
        self.assertEqual(len(protects) - 2, len(deletes))

        # The scheduled operations show their last run.
        shown = self.show('scheduledoperation-show', protect['id'])
        self.assertEqual('success', shown['last_run']['status'])
        shown = self.show('scheduledoperation-show', verify.id)
        self.assertIn(shown['last_run']['status'], ('success', 'running'))
        last = max(verified, key=lambda log: log['extra_info']['due_at'])
        verification = self.show('verification-show',
                                 last['verification_id'])
        self.assertEqual('success', verification['status'])
        self.assertEqual({DIRECTORY: {'level': 'quick'}},
                         verification['parameters'])
        # The checkpoint shows its latest verification; checkpoint-list
        # prints it in words.
        self.assertIn(last['checkpoint_id'], available)
        checkpoint = self.show('checkpoint-show', PROVIDER_ID,
                               last['checkpoint_id'])
        self.assertEqual({'id': verification['id'], 'level': 'quick',
                          'status': 'success',
                          'ended_at': verification['ended_at']},
                         checkpoint['verification'])
        [row] = [r for r in rows if r['Id'] == last['checkpoint_id']]
        self.assertIn('success (quick', row['Metadata'])
        listed = self.rows('operationlog-list')
        self.assertTrue(any(r['Scheduled Operation Id'] == verify.id
                            for r in listed), listed)

        # A trigger in use is not deleted; once free, it is.
        self.assertFailedWith(self.run_karbor('trigger-delete',
                                              trigger['id']),
                              'is used by scheduled operation')
        self.ok('scheduledoperation-delete', protect['id'])
        self.ok('scheduledoperation-delete', verify.id)
        self.ok('trigger-delete', trigger['id'])
        self.assertEqual([], self.rows('trigger-list'))
