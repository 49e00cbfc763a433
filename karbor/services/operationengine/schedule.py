"""When a time trigger fires: its properties checked, and its due times.

A trigger of type ``time`` has properties:

* ``format``: ``crontab`` (``pattern`` is five crontab fields, read by
  croniter) or ``calendar`` (``pattern`` holds iCalendar recurrence lines,
  ``RRULE:...`` and optionally ``EXDATE``/``RDATE``, alone or inside
  ``BEGIN:VEVENT ... END:VEVENT``, read by dateutil's rrule);
* ``timezone``: the IANA zone the pattern is read in (``UTC`` unless
  given), so that "0 2 * * *" in ``Europe/Paris`` is 02:00 there, summer
  and winter;
* ``start_time``, ``end_time``: UTC, ISO 8601; nothing is due before the
  start or after the end. A calendar rule counts from ``start_time``
  (its DTSTART) unless it has a DTSTART of its own;
* ``window``: seconds after a due time within which a run may still
  start (an engine that was down longer records the run as missed).

Every time here is a naive ``datetime`` in UTC, as the database keeps
them.
"""

import datetime
import re
import zoneinfo

import croniter
from dateutil import rrule

from karbor.common import exception

UTC = datetime.timezone.utc
FORMAT_CRONTAB = 'crontab'
FORMAT_CALENDAR = 'calendar'
FORMATS = (FORMAT_CRONTAB, FORMAT_CALENDAR)
PROPERTIES = ('format', 'pattern', 'timezone', 'start_time', 'end_time',
              'window')
DEFAULT_WINDOW = 300
MAX_PATTERN_LENGTH = 4096
# How many due times one look-up computes at most (a long outage of an
# every-minute schedule is summarised, not enumerated).
MAX_DUE = 1000
_RECURRENCE = re.compile(r'^(RRULE|EXRULE|RDATE|EXDATE|DTSTART)[:;]',
                         re.IGNORECASE)


def _invalid(reason):
    return exception.InvalidInput(reason='trigger properties: ' + reason)


def parse_time(value, name):
    """A UTC naive datetime from ISO 8601 text (``2026-12-01T04:00:00``,
    a space instead of ``T``, ``Z`` or an offset allowed)."""
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value).strip()
        if text.endswith(('Z', 'z')):
            text = text[:-1] + '+00:00'
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise _invalid('%s must be a time such as 2026-12-01T04:00:00 '
                           '(UTC), not %.100r' % (name, value))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def format_time(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%S') if moment else None


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise _invalid('timezone %.100r is not a known IANA time zone '
                       '(such as UTC or Europe/Paris)' % (name,))


def _to_utc(aware):
    return aware.astimezone(UTC).replace(tzinfo=None)


class Schedule:
    """The due times of one trigger's properties."""

    def __init__(self, properties):
        props = dict(properties or {})
        unknown = sorted(set(props) - set(PROPERTIES))
        if unknown:
            raise _invalid('unknown propert%s %s; the properties of a time '
                           'trigger are %s' % (
                               'y' if len(unknown) == 1 else 'ies',
                               ', '.join(unknown), ', '.join(PROPERTIES)))
        self.format = props.get('format')
        if self.format not in FORMATS:
            raise _invalid('format must be crontab or calendar, not %.100r'
                           % (self.format,))
        pattern = props.get('pattern')
        if not isinstance(pattern, str) or not pattern.strip():
            raise _invalid('pattern is required: five crontab fields such '
                           'as "0 2 * * *", or an iCalendar RRULE')
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise _invalid('pattern is longer than %d characters' %
                           MAX_PATTERN_LENGTH)
        self.pattern = pattern.strip()
        self.timezone = props.get('timezone') or 'UTC'
        self.zone = _zone(self.timezone)
        self.start_time = (parse_time(props['start_time'], 'start_time')
                           if props.get('start_time') else None)
        self.end_time = (parse_time(props['end_time'], 'end_time')
                         if props.get('end_time') else None)
        if (self.start_time and self.end_time and
                self.end_time <= self.start_time):
            raise _invalid('end_time %s is not after start_time %s' % (
                format_time(self.end_time), format_time(self.start_time)))
        window = props.get('window', DEFAULT_WINDOW)
        try:
            self.window = int(window)
        except (TypeError, ValueError):
            self.window = None
        if self.window is None or isinstance(window, bool) or \
                self.window < 1:
            raise _invalid('window must be a whole number of seconds of at '
                           'least 1, not %.100r' % (window,))
        if self.format == FORMAT_CRONTAB:
            self._check_crontab()
        else:
            self._rule = self._calendar_rule()

    # Parsing

    def _check_crontab(self):
        fields = self.pattern.split()
        if len(fields) != 5:
            raise _invalid('pattern %r has %d fields; a crontab pattern has '
                           'five: minute hour day-of-month month '
                           'day-of-week' % (self.pattern, len(fields)))
        try:
            croniter.croniter(self.pattern)
        except (croniter.CroniterError, ValueError, KeyError) as e:
            raise _invalid('pattern %r is not a valid crontab: %s' % (
                self.pattern, e))

    def _calendar_rule(self):
        lines = []
        for raw in re.split(r'[\r\n]+|\\n', self.pattern):
            line = raw.strip()
            if not line or line.upper().startswith(('BEGIN:', 'END:')):
                continue
            if not _RECURRENCE.match(line):
                if '=' in line and ':' not in line.split('=', 1)[0]:
                    # A bare rule, "FREQ=DAILY;BYHOUR=2".
                    line = 'RRULE:' + line
                else:
                    continue
            lines.append(line)
        if not any(line.upper().startswith('RRULE') for line in lines):
            raise _invalid('a calendar pattern needs an RRULE line such as '
                           '"RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=0"')
        start = (self.start_time or datetime.datetime(2000, 1, 1)).replace(
            tzinfo=UTC).astimezone(self.zone)
        try:
            rule = rrule.rrulestr('\n'.join(lines), dtstart=start,
                                  forceset=True, tzinfos={
                                      self.timezone: self.zone})
        except (ValueError, TypeError, KeyError, OverflowError) as e:
            raise _invalid('pattern is not a valid iCalendar recurrence: %s'
                           % (e,))
        return rule

    # Due times

    def _next_raw(self, after):
        """The first due time strictly after ``after`` (UTC), ignoring
        start and end, or None."""
        aware = after.replace(tzinfo=UTC).astimezone(self.zone)
        if self.format == FORMAT_CRONTAB:
            found = croniter.croniter(self.pattern, aware).get_next(
                datetime.datetime)
            return _to_utc(found)
        try:
            found = self._rule.after(aware, inc=False)
        except TypeError:
            # A rule with a DTSTART of its own but no zone: naive times.
            found = self._rule.after(aware.replace(tzinfo=None), inc=False)
            if found is not None:
                found = found.replace(tzinfo=self.zone)
        if found is None:
            return None
        if found.tzinfo is None:
            found = found.replace(tzinfo=self.zone)
        return _to_utc(found)

    def next_after(self, after):
        """The first due time strictly after ``after``, within start and
        end, or None when there is none."""
        if self.start_time and after < self.start_time:
            after = self.start_time - datetime.timedelta(microseconds=1)
        found = self._next_raw(after)
        if found is None or (self.end_time and found > self.end_time):
            return None
        return found

    def due_between(self, after, until, limit=MAX_DUE):
        """The due times in (``after``, ``until``], oldest first; at most
        ``limit`` of them, the latest ones."""
        found = []
        moment = after
        while True:
            moment = self.next_after(moment)
            if moment is None or moment > until:
                break
            found.append(moment)
            if len(found) > limit:
                del found[0]
        return found

    def check_interval(self, minimum, now):
        """Refuse a pattern that fires more often than every ``minimum``
        seconds (looking at its next occurrences), or never again."""
        first = self.next_after(now)
        if first is None:
            raise _invalid('pattern %r never fires after %s%s' % (
                self.pattern, format_time(now),
                ' and before end_time %s' % format_time(self.end_time)
                if self.end_time else ''))
        previous = first
        for _ in range(5):
            nxt = self.next_after(previous)
            if nxt is None:
                break
            gap = (nxt - previous).total_seconds()
            if gap < minimum:
                raise _invalid(
                    'pattern %r fires every %d seconds (%s then %s); the '
                    'shortest interval allowed is %d seconds ([operation'
                    'engine] min_interval)' % (
                        self.pattern, gap, format_time(previous),
                        format_time(nxt), minimum))
            previous = nxt
        return first
