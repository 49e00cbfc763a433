"""/quotas and /quota_classes: limits from [quota], per-project and class
overrides by an administrator, usage, and creates past a limit refused
with 413 naming the quota (on the unit tests' SQLite; the races run on
three databases in karbor.tests.functional.db.test_quotas)."""

from karbor.tests.unit.api_v1 import base

READER = 'rita:p1:reader'


class QuotaApiTest(base.ProtectionApiTestCase):

    def quota(self, project='p1', rest='', token=base.ADMIN, status=200):
        resp = self.get('quotas/%s%s' % (project, rest), token=token,
                        status=status)
        return resp.json.get('quota', resp.json)

    def test_defaults_from_the_configuration(self):
        self.conf.config(plans=7, checkpoints=-1, group='quota')
        self.assertEqual({'id': 'p1', 'plans': 7, 'checkpoints': -1},
                         self.quota())
        self.assertEqual({'id': 'p1', 'plans': 7, 'checkpoints': -1},
                         self.quota(rest='/defaults'))
        self.assertEqual(
            {'id': 'p1', 'plans': {'limit': 7, 'in_use': 0, 'reserved': 0},
             'checkpoints': {'limit': -1, 'in_use': 0, 'reserved': 0}},
            self.quota(rest='/detail'))

    def test_update_a_project_and_the_default_class(self):
        shown = self.put('quotas/p1', {'quota': {'plans': 3}}).json['quota']
        self.assertEqual(3, shown['plans'])
        self.assertEqual(3, self.quota()['plans'])
        # Another project still has the default.
        self.assertEqual(50, self.quota('p2')['plans'])
        cls = self.put('quota_classes/default', {'quota_class': {
            'plans': 9, 'checkpoints': 4}}).json['quota_class']
        self.assertEqual({'id': 'default', 'plans': 9, 'checkpoints': 4},
                         cls)
        self.assertEqual(cls, self.get(
            'quota_classes/default').json['quota_class'])
        self.assertEqual({'id': 'p2', 'plans': 9, 'checkpoints': 4},
                         self.quota('p2'))
        self.assertEqual({'id': 'p2', 'plans': 9, 'checkpoints': 4},
                         self.quota('p2', '/defaults'))
        # The project's own limit wins over the class.
        self.assertEqual({'id': 'p1', 'plans': 3, 'checkpoints': 4},
                         self.quota())

    def test_who_may(self):
        self.assertEqual(50, self.quota(token=READER)['plans'])
        self.assertEqual(50, self.quota(token=base.MEMBER)['plans'])
        # Not another project's, not an update, not the classes.
        self.quota('p2', token=READER, status=403)
        self.quota('p2', '/detail', token=base.MEMBER, status=403)
        for token in (READER, base.MEMBER):
            resp = self.put('quotas/p1', {'quota': {'plans': 500}},
                            token=token, status=403)
            self.assertIn('forbidden', resp.json)
            self.put('quota_classes/default', {'quota_class': {
                'plans': 500}}, token=token, status=403)
            self.get('quota_classes/default', token=token, status=403)
        self.assertEqual(50, self.quota()['plans'])

    def test_bad_bodies(self):
        for body in ({}, {'quota': {}}, {'quota': {'plans': -2}},
                     {'quota': {'plans': 'many'}},
                     {'quota': {'volumes': 3}}, {'quota': {'plans': 1.5}},
                     {'quota': {'plans': 2 ** 40}}, {'quota_class': {
                         'plans': 1}}):
            resp = self.put('quotas/p1', body, status=400)
            self.assertIn('badRequest', resp.json, body)
        self.put('quota_classes/default', {'quota': {'plans': 1}},
                 status=400)
        self.assertEqual(50, self.quota()['plans'])

    def test_plans_past_the_limit(self):
        self.put('quotas/p1', {'quota': {'plans': 2}})
        self.create_plan('one')
        self.create_plan('two')
        resp = self.post('plans', self.plan_body('three'), status=413)
        self.assertEqual('application/json', resp.content_type)
        fault = resp.json['overLimit']
        self.assertEqual(413, fault['code'])
        self.assertIn('plans of project p1 is limited to 2', fault['message'])
        self.assertEqual({'limit': 2, 'in_use': 2, 'reserved': 0},
                         self.quota(rest='/detail')['plans'])
        # Unlimited again: the third goes in.
        self.put('quotas/p1', {'quota': {'plans': -1}})
        self.create_plan('three')
        self.assertEqual(3, self.quota(rest='/detail')['plans']['in_use'])


class CheckpointQuotaTest(base.ProtectionApiTestCase):

    start_service = True

    def test_checkpoints_past_the_limit(self):
        plan = self.create_plan('docs plan')
        self.put('quotas/p1', {'quota': {'checkpoints': 1}})
        self.create_checkpoint(plan['id'])
        resp = self.post(self.checkpoints_path(),
                         {'checkpoint': {'plan_id': plan['id']}},
                         status=413)
        message = resp.json['overLimit']['message']
        self.assertIn('checkpoints of project p1 is limited to 1', message)
        self.assertEqual({'limit': 1, 'in_use': 1, 'reserved': 0},
                         self.get('quotas/p1/detail').json['quota'][
                             'checkpoints'])
        # No operation log of a protect that never started.
        logs = self.get('operation_logs').json['operation_logs']
        self.assertEqual(1, len([log for log in logs
                                 if log['operation_type'] == 'protect']))
