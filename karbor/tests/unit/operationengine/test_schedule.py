"""Due times of time triggers: crontab and iCalendar patterns, time
zones, start and end, and what is missed after an outage."""

import datetime

import testtools

from karbor.common import exception
from karbor.services.operationengine import schedule


def t(text):
    return datetime.datetime.fromisoformat(text)


class ScheduleTest(testtools.TestCase):

    def test_crontab_every_five_minutes(self):
        sched = schedule.Schedule({'format': 'crontab',
                                   'pattern': '*/5 * * * *'})
        self.assertEqual(t('2026-12-01T10:05:00'),
                         sched.next_after(t('2026-12-01T10:03:10')))
        # Strictly after: a due time is never its own successor.
        self.assertEqual(t('2026-12-01T10:10:00'),
                         sched.next_after(t('2026-12-01T10:05:00')))
        self.assertEqual(
            [t('2026-12-01T10:05:00'), t('2026-12-01T10:10:00'),
             t('2026-12-01T10:15:00')],
            sched.due_between(t('2026-12-01T10:00:00'),
                              t('2026-12-01T10:15:00')))

    def test_crontab_in_a_time_zone_across_daylight_saving(self):
        sched = schedule.Schedule({'format': 'crontab',
                                   'pattern': '0 2 * * *',
                                   'timezone': 'Europe/Paris'})
        # 02:00 in Paris: 01:00 UTC in winter, 00:00 UTC in summer.
        self.assertEqual(t('2026-12-02T01:00:00'),
                         sched.next_after(t('2026-12-01T12:00:00')))
        self.assertEqual(t('2026-07-02T00:00:00'),
                         sched.next_after(t('2026-07-01T12:00:00')))

    def test_calendar_rrule(self):
        sched = schedule.Schedule({
            'format': 'calendar',
            'pattern': 'BEGIN:VEVENT\nRRULE:FREQ=WEEKLY;BYDAY=MO,TH;'
                       'BYHOUR=3;BYMINUTE=30;BYSECOND=0\nEND:VEVENT',
            'start_time': '2026-11-01T00:00:00'})
        # 2026-12-01 is a Tuesday: Thursday 3rd, then Monday 7th.
        self.assertEqual(
            [t('2026-12-03T03:30:00'), t('2026-12-07T03:30:00')],
            sched.due_between(t('2026-12-01T00:00:00'),
                              t('2026-12-08T00:00:00')))

    def test_calendar_counts_from_start_time(self):
        sched = schedule.Schedule({
            'format': 'calendar', 'pattern': 'RRULE:FREQ=HOURLY;INTERVAL=6',
            'start_time': '2026-12-01T01:15:00'})
        self.assertEqual(
            [t('2026-12-01T07:15:00'), t('2026-12-01T13:15:00')],
            sched.due_between(t('2026-12-01T01:15:00'),
                              t('2026-12-01T14:00:00')))
        # A bare rule (no "RRULE:") is read as one.
        bare = schedule.Schedule({
            'format': 'calendar', 'pattern': 'FREQ=DAILY;COUNT=2',
            'start_time': '2026-12-01T00:00:00'})
        self.assertEqual([t('2026-12-02T00:00:00')], bare.due_between(
            t('2026-12-01T00:00:00'), t('2026-12-31T00:00:00')))

    def test_start_and_end_bound_the_due_times(self):
        sched = schedule.Schedule({
            'format': 'crontab', 'pattern': '0 * * * *',
            'start_time': '2026-12-01T10:30:00Z',
            'end_time': '2026-12-01T13:00:00+00:00'})
        self.assertEqual(
            [t('2026-12-01T11:00:00'), t('2026-12-01T12:00:00'),
             t('2026-12-01T13:00:00')],
            sched.due_between(t('2026-12-01T00:00:00'),
                              t('2026-12-02T00:00:00')))
        self.assertIsNone(sched.next_after(t('2026-12-01T13:00:00')))

    def test_a_long_outage_keeps_the_latest_due_times(self):
        sched = schedule.Schedule({'format': 'crontab',
                                   'pattern': '* * * * *'})
        found = sched.due_between(t('2026-12-01T00:00:00'),
                                  t('2026-12-03T00:00:00'), limit=10)
        self.assertEqual(10, len(found))
        self.assertEqual(t('2026-12-03T00:00:00'), found[-1])

    def test_window(self):
        self.assertEqual(schedule.DEFAULT_WINDOW, schedule.Schedule(
            {'format': 'crontab', 'pattern': '0 * * * *'}).window)
        self.assertEqual(60, schedule.Schedule(
            {'format': 'crontab', 'pattern': '0 * * * *',
             'window': '60'}).window)

    def test_interval_check(self):
        sched = schedule.Schedule({'format': 'crontab',
                                   'pattern': '*/5 * * * *'})
        now = t('2026-12-01T10:00:00')
        self.assertEqual(t('2026-12-01T10:05:00'),
                         sched.check_interval(300, now))
        e = self.assertRaises(exception.InvalidInput, sched.check_interval,
                              301, now)
        self.assertIn('fires every 300 seconds', str(e))
