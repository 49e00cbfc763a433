"""/v1/{project_id}/triggers: create with checked patterns, list with
filters and paging, show, update, delete refused while used."""

from karbor.tests.unit.api_v1 import base

TRIGGER_KEYS = {'id', 'name', 'type', 'properties', 'project_id',
                'next_due_at', 'created_at', 'updated_at'}


def trigger_body(name='t', **properties):
    props = {'format': 'crontab', 'pattern': '0 * * * *'}
    props.update(properties)
    return {'trigger_info': {'name': name, 'type': 'time',
                             'properties': props}}


class TriggerTest(base.ProtectionApiTestCase):

    def create(self, body, status=200, token=base.ADMIN):
        return self.post('triggers', body, token=token, status=status)

    def test_create_crontab_as_the_client_sends_it(self):
        # karbor trigger-create t time "format=crontab,pattern=0 * * * *,
        # window=60": the client makes window a number, the rest text.
        resp = self.create(trigger_body(window=60), token=base.MEMBER)
        trigger = resp.json['trigger_info']
        self.assertEqual(TRIGGER_KEYS, set(trigger))
        self.assertEqual('time', trigger['type'])
        props = trigger['properties']
        self.assertEqual('0 * * * *', props['pattern'])
        self.assertEqual(60, props['window'])
        # The start is recorded (UTC), so the schedule is stable.
        self.assertRegex(props['start_time'],
                         r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$')
        self.assertTrue(trigger['next_due_at'].endswith(':00:00'))
        self.assertEqual({'trigger_info': trigger},
                         self.get('triggers/' + trigger['id']).json)

    def test_create_calendar(self):
        body = trigger_body(
            format='calendar',
            pattern='BEGIN:VEVENT\nRRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=2;'
                    'BYMINUTE=0;BYSECOND=0\nEND:VEVENT',
            start_time='2026-01-01T00:00:00')
        trigger = self.create(body).json['trigger_info']
        self.assertRegex(trigger['next_due_at'], r'T02:00:00$')

    def test_bad_patterns_say_why(self):
        self.conf.config(min_interval=120, group='operationengine')
        cases = [
            ({'pattern': '61 * * * *'}, 'not a valid crontab'),
            ({'pattern': '* * *'}, 'has 3 fields'),
            ({'pattern': '* * * * *'}, 'shortest interval allowed is 120'),
            ({'format': 'cron'},
             "'cron' is not one of ['crontab', 'calendar']"),
            ({'format': 'calendar', 'pattern': 'RRULE:FREQ=SOMETIMES'},
             'not a valid iCalendar recurrence'),
            ({'format': 'calendar', 'pattern': 'BEGIN:VEVENT'},
             'needs an RRULE line'),
            ({'timezone': 'Mars/Olympus'}, 'not a known IANA time zone'),
            ({'window': 0}, 'window: 0 is less than the minimum of 1'),
            ({'window': 'soon'}, 'window must be a whole number'),
            ({'start_time': 'tomorrow'}, 'start_time must be a time'),
            ({'start_time': '2026-01-02T00:00:00',
              'end_time': '2026-01-01T00:00:00'}, 'is not after'),
            ({'start_time': '2000-01-01T00:00:00',
              'end_time': '2001-01-01T00:00:00'}, 'never fires'),
        ]
        for props, words in cases:
            message = self.assertFault(self.create(trigger_body(**props),
                                                   400), 400, 'badRequest')
            self.assertIn(words, message, props)

    def test_unknown_property_and_type(self):
        message = self.assertFault(self.create(
            trigger_body(colour='red'), 400), 400, 'badRequest')
        self.assertIn('colour', message)
        body = trigger_body()
        body['trigger_info']['type'] = 'event'
        self.assertFault(self.create(body, 400), 400, 'badRequest')

    def test_reader_cannot_create(self):
        self.assertFault(self.create(trigger_body(), 403,
                                     token='rita:p1:reader'), 403,
                         'forbidden')

    def test_list_filters_and_paging(self):
        ids = [self.create(trigger_body('t%d' % i, pattern='%d * * * *' % i))
               .json['trigger_info']['id'] for i in range(3)]
        listed = self.get('triggers').json
        self.assertEqual(ids[::-1], [t['id'] for t in listed['triggers']])
        self.assertEqual([], listed['triggers_links'])
        self.assertEqual([ids[1]], [t['id'] for t in self.get(
            'triggers?name=t1&type=time').json['triggers']])
        # The client sends properties as a Python literal.
        query = self.query(properties=str({'pattern': '2 * * * *'}))
        self.assertEqual([ids[2]], [t['id'] for t in self.get(
            'triggers' + query).json['triggers']])
        page = self.get('triggers?limit=2').json
        self.assertEqual(ids[:0:-1], [t['id'] for t in page['triggers']])
        self.assertEqual('next', page['triggers_links'][0]['rel'])
        rest = self.get('triggers?limit=2&marker=%s' % ids[1]).json
        self.assertEqual([ids[0]], [t['id'] for t in rest['triggers']])
        # Another project sees none of them.
        self.assertEqual([], self.get('triggers', token=base.OTHER,
                                      project=base.OTHER_PROJECT)
                         .json['triggers'])
        self.assertFault(self.get('triggers/' + ids[0], token=base.OTHER,
                                  project=base.OTHER_PROJECT, status=404),
                         404, 'itemNotFound')

    def test_update_as_both_clients_send_it(self):
        trigger = self.create(trigger_body()).json['trigger_info']
        path = 'triggers/' + trigger['id']
        # Legacy: always a properties object, {} when not given.
        renamed = self.put(path, {'trigger_info': {
            'name': 'x', 'properties': {}}}, status=200).json
        self.assertEqual('x', renamed['trigger_info']['name'])
        self.assertEqual(trigger['properties'],
                         renamed['trigger_info']['properties'])
        changed = self.put(path, {'trigger_info': {'properties': {
            'format': 'crontab', 'pattern': '5 * * * *'}}},
            status=200).json['trigger_info']
        self.assertEqual('5 * * * *', changed['properties']['pattern'])
        self.assertEqual(trigger['properties']['start_time'],
                         changed['properties']['start_time'])
        self.assertTrue(changed['next_due_at'].endswith(':05:00'))
        message = self.assertFault(self.put(path, {'trigger_info': {
            'properties': {'pattern': 'nope'}}}, status=400), 400,
            'badRequest')
        self.assertIn('fields', message)

    def test_delete(self):
        trigger = self.create(trigger_body()).json['trigger_info']
        self.delete('triggers/' + trigger['id'], status=204)
        self.assertFault(self.get('triggers/' + trigger['id'], status=404),
                         404, 'itemNotFound')
        self.assertFault(self.delete('triggers/' + trigger['id'],
                                     status=404), 404, 'itemNotFound')
