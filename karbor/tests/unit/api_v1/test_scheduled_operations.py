"""/v1/{project_id}/scheduled_operations: definitions checked at create,
list (under "operations") with filters, show with the last run, pause,
delete; a used trigger cannot be deleted."""

from karbor.tests.unit.api_v1 import base
from karbor.tests.unit.api_v1 import test_triggers

KEYS = {'id', 'name', 'description', 'operation_type', 'trigger_id',
        'operation_definition', 'enabled', 'project_id', 'last_run',
        'next_due_at', 'created_at', 'updated_at'}
UNKNOWN = '00000000-0000-4000-8000-000000000000'


class ScheduledOperationTest(base.ProtectionApiTestCase):

    def setUp(self):
        super().setUp()
        self.plan = self.create_plan()
        self.trigger = self.post('triggers', test_triggers.trigger_body(),
                                 status=200).json['trigger_info']

    def body(self, operation_type='protect', trigger_id=None, **definition):
        values = {'plan_id': self.plan['id'],
                  'provider_id': base.LOCAL_PROVIDER_ID}
        values.update(definition)
        return {'scheduled_operation': {
            'name': 'so', 'operation_type': operation_type,
            'trigger_id': trigger_id or self.trigger['id'],
            'operation_definition': values}}

    def create(self, body, status=200, token=base.ADMIN):
        return self.post('scheduled_operations', body, token=token,
                         status=status)

    def test_create_protect_as_the_client_sends_it(self):
        op = self.create(self.body(), token=base.MEMBER).json[
            'scheduled_operation']
        self.assertEqual(KEYS, set(op))
        self.assertEqual('protect', op['operation_type'])
        self.assertTrue(op['enabled'])
        self.assertIsNone(op['last_run'])
        self.assertEqual(self.trigger['next_due_at'], op['next_due_at'])
        self.assertEqual({'plan_id': self.plan['id'],
                          'provider_id': base.LOCAL_PROVIDER_ID},
                         op['operation_definition'])
        self.assertEqual({'scheduled_operation': op},
                         self.get('scheduled_operations/' + op['id']).json)

    def test_retention_values_arrive_as_text(self):
        op = self.create(self.body('retention_protect', max_backups='2',
                                   retention_duration='7')).json[
            'scheduled_operation']
        self.assertEqual(2, op['operation_definition']['max_backups'])
        self.assertEqual(7, op['operation_definition']['retention_duration'])

    def test_verify_and_the_osc_string_form(self):
        op = self.create(self.body('verify', level='quick',
                                   not_verified_within_days=3)).json[
            'scheduled_operation']
        self.assertEqual({'plan_id': self.plan['id'],
                          'provider_id': base.LOCAL_PROVIDER_ID,
                          'level': 'quick', 'not_verified_within_days': 3},
                         op['operation_definition'])
        body = self.body('verify')
        body['scheduled_operation']['operation_definition'] = (
            'plan_id=%s,provider_id=%s,level=deep' % (
                self.plan['id'], base.LOCAL_PROVIDER_ID))
        op = self.create(body).json['scheduled_operation']
        self.assertEqual('deep', op['operation_definition']['level'])

    def test_refusals_say_why(self):
        cases = [
            (self.body(plan_id=UNKNOWN), 404, 'itemNotFound',
             'Plan %s could not be found' % UNKNOWN),
            (self.body(provider_id=UNKNOWN), 404, 'itemNotFound',
             'Provider %s could not be found' % UNKNOWN),
            (self.body(trigger_id=UNKNOWN), 404, 'itemNotFound',
             'Trigger %s could not be found' % UNKNOWN),
            (self.body(provider_id=base.SECOND_PROVIDER_ID), 400,
             'badRequest', 'belongs to provider'),
            (self.body('retention_protect'), 400, 'badRequest',
             'needs max_backups'),
            (self.body('retention_protect', max_backups='two'), 400,
             'badRequest', 'max_backups must be a whole number'),
            (self.body('verify', level='sample'), 400, 'badRequest',
             "'sample' is not one of ['quick', 'deep']"),
            (self.body('verify', not_verified_within_days=0), 400,
             'badRequest', 'not_verified_within_days: 0 is less than'),
            (self.body('verify', not_verified_within_days='0'), 400,
             'badRequest', 'not_verified_within_days must be'),
            (self.body(max_backups=2), 400, 'badRequest',
             'max_backups is not allowed for protect'),
            (self.body('copy'), 400, 'badRequest', 'operation_type'),
        ]
        for body, status, fault, words in cases:
            message = self.assertFault(self.create(body, status), status,
                                       fault)
            self.assertIn(words, message, body)

    def test_another_projects_plan_and_trigger_are_not_found(self):
        other_trigger = self.post(
            'triggers', test_triggers.trigger_body(), token=base.OTHER,
            project=base.OTHER_PROJECT, status=200).json['trigger_info']
        resp = self.post('scheduled_operations', self.body(
            trigger_id=other_trigger['id']), token=base.OTHER,
            project=base.OTHER_PROJECT, status=404)
        self.assertIn('Plan', self.assertFault(resp, 404, 'itemNotFound'))
        resp = self.post('scheduled_operations', self.body(
            trigger_id=other_trigger['id']), token=base.MEMBER, status=404)
        self.assertIn('Trigger', self.assertFault(resp, 404,
                                                  'itemNotFound'))

    def test_reader_cannot_create(self):
        self.assertFault(self.create(self.body(), 403,
                                     token='rita:p1:reader'), 403,
                         'forbidden')

    def test_list_filters_pause_and_delete(self):
        protect = self.create(self.body()).json['scheduled_operation']
        verify = self.create(self.body('verify', level='quick')).json[
            'scheduled_operation']
        listed = self.get('scheduled_operations').json
        self.assertEqual([verify['id'], protect['id']],
                         [o['id'] for o in listed['operations']])
        self.assertEqual([], listed['operations_links'])
        self.assertEqual([protect['id']], [o['id'] for o in self.get(
            'scheduled_operations?operation_type=protect&trigger_id=%s' %
            self.trigger['id']).json['operations']])
        query = self.query(operation_definition=str({'level': 'quick'}))
        self.assertEqual([verify['id']], [o['id'] for o in self.get(
            'scheduled_operations' + query).json['operations']])
        paused = self.put('scheduled_operations/' + protect['id'],
                          {'scheduled_operation': {'enabled': False}},
                          status=200).json['scheduled_operation']
        self.assertFalse(paused['enabled'])
        self.assertIsNone(paused['next_due_at'])
        # The trigger is in use: 409 naming the users.
        message = self.assertFault(self.delete(
            'triggers/' + self.trigger['id'], status=409), 409,
            'conflictingRequest')
        self.assertIn(protect['id'], message)
        for op in (protect, verify):
            self.delete('scheduled_operations/' + op['id'], status=204)
        self.assertFault(self.get('scheduled_operations/' + protect['id'],
                                  status=404), 404, 'itemNotFound')
        self.delete('triggers/' + self.trigger['id'], status=204)
