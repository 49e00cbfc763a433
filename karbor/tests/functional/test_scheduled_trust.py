"""A scheduled protect behind the real Keystone acts for its owner through
the trust made when it was scheduled, long after the owner's token is
gone; deleting the scheduled operation deletes the trust.

The services, Keystone and the Glance behind it are those of
:mod:`karbor.tests.functional.test_keystone_delegation` (bob, a member of
project beta, protects a Glance image), plus a karbor-operationengine
process. The token bob schedules with is revoked at once: without the
trust, the engine's run would have no token Glance accepts.

Run: ``tools/run_tests.sh karbor.tests.functional.test_scheduled_trust``.
"""

import datetime
import time

from karbor.tests.functional import test_keystone_delegation as delegation

USER = delegation.USER
PROVIDER_ID = delegation.PROVIDER_ID
# A due time every few seconds, so that the first run comes soon.
EVERY = 4
RUN_TIMEOUT = 45


class ScheduledTrustTest(delegation._GlanceBehindKeystone):

    @classmethod
    def configure_more(cls, services, sections):
        super().configure_more(services, sections)
        sections['operationengine'] = {'max_sleep': 1,
                                       'min_interval': EVERY}

    def schedule(self, plan_id, token):
        now = datetime.datetime.now(datetime.timezone.utc)
        trigger = self.must('POST', 'triggers', {'trigger_info': {
            'name': 'every-%d-seconds' % EVERY, 'type': 'time',
            'properties': {
                'format': 'calendar',
                'pattern': 'RRULE:FREQ=SECONDLY;INTERVAL=%d' % EVERY,
                'start_time': now.strftime('%Y-%m-%dT%H:%M:%S'),
                'window': 30}}}, token=token)['trigger_info']
        body = {'scheduled_operation': {
            'name': 'protect-image', 'operation_type': 'protect',
            'trigger_id': trigger['id'],
            'operation_definition': {'plan_id': plan_id,
                                     'provider_id': PROVIDER_ID}}}
        operation = self.must('POST', 'scheduled_operations', body,
                              token=token)['scheduled_operation']
        return trigger, operation

    def scheduled_trusts(self):
        """The caller's trusts without expiry: those of scheduled
        operations (an operation's own trust expires)."""
        return {t['id']: t for t in self.trusts_of_the_caller()
                if not t.get('expires_at')}

    def last_run(self, operation_id):
        run = self.must('GET', 'scheduled_operations/%s' % operation_id)[
            'scheduled_operation']['last_run']
        return run if run and run['status'] != 'running' else None

    def test_scheduled_runs_act_through_the_schedules_trust(self):
        began = time.monotonic()
        before = set(self.scheduled_trusts())
        image_id, _data = self.new_image()
        plan = self.plan(image_id)

        # Scheduled with a token of its own, revoked right after.
        token, project_id = self.keystone.token(USER)
        trigger, operation = self.schedule(plan['id'], token)
        self.keystone.revoke(token)
        self.assertFalse(self.keystone.validate(token))

        made = [t for i, t in self.scheduled_trusts().items()
                if i not in before]
        self.assertEqual(1, len(made), made)
        trust = made[0]
        self.assertEqual(
            (self.keystone.user_id(USER), self.keystone.user_id('karbor'),
             self.keystone.project_id('beta'), True, None),
            (trust['trustor_user_id'], trust['trustee_user_id'],
             trust['project_id'], trust['impersonation'],
             trust.get('expires_at')))
        self.assertEqual(project_id, trust['project_id'])
        roles = self.keystone.call(
            'GET', '/OS-TRUST/trusts/%s/roles' % trust['id'])['roles']
        self.assertIn('member', {r['name'] for r in roles})

        # The engine runs it: Glance accepts only the trust's tokens.
        self.services.start('karbor-operationengine')
        run = self.wait(lambda: self.last_run(operation['id']),
                        'a scheduled run to end', timeout=RUN_TIMEOUT)
        if run['status'] != 'success':
            self.fail_with_logs('scheduled run: %s' % run)
        checkpoint = self.must('GET', 'providers/%s/checkpoints/%s' % (
            PROVIDER_ID, run['checkpoint_id']))['checkpoint']
        self.assertEqual('available', checkpoint['status'], checkpoint)
        self.assertEqual(
            {'created_by': 'operation-engine',
             'scheduled_operation_id': operation['id']},
            checkpoint['extra_info'])
        # The end of the run left the trust for the next ones, and the
        # next one acts through it too.
        self.assertIn(trust['id'], self.scheduled_trusts())
        later = self.wait(
            lambda: (lambda r: r if r and r['due_at'] > run['due_at']
                     else None)(self.last_run(operation['id'])),
            'a second scheduled run to end', timeout=RUN_TIMEOUT)
        if later['status'] != 'success':
            self.fail_with_logs('second scheduled run: %s' % later)
        self.assertIn(trust['id'], self.scheduled_trusts())

        # Deleted with the scheduled operation.
        self.must('DELETE', 'scheduled_operations/%s' % operation['id'],
                  status=204)
        self.assertNotIn(trust['id'], self.scheduled_trusts())
        self.must('DELETE', 'triggers/%s' % trigger['id'], status=204)
        print('scheduled trust test: %.1f s after the class set-up' % (
            time.monotonic() - began))
