"""Schemas of /triggers (the body key is ``trigger_info``, as upstream
Karbor and python-karborclient spell it)."""

from karbor.api.schemas.v1 import common
from karbor.services.operationengine import schedule

SORT_KEYS = ('id', 'name', 'created_at')
TYPES = ('time',)

_text = {'type': 'string', 'maxLength': common.MAX_NAME_LENGTH}

properties = {
    'type': 'object',
    'description': (
        'The properties of a time trigger. A bad pattern is refused with a '
        '400 saying why. The karbor shell sends every value as text but '
        '``window``.'),
    'properties': {
        'format': {'type': 'string', 'enum': list(schedule.FORMATS),
                   'description': '``crontab`` or ``calendar``.'},
        'pattern': {'type': 'string', 'minLength': 1,
                    'maxLength': schedule.MAX_PATTERN_LENGTH,
                    'description': 'Five crontab fields (``0 2 * * *``), '
                                   'or iCalendar RRULE lines '
                                   '(``RRULE:FREQ=WEEKLY;BYDAY=MO``).'},
        'timezone': dict(_text, description='The IANA zone the pattern is '
                                            'read in; UTC by default.'),
        'start_time': dict(_text, description='UTC, ISO 8601; now by '
                                              'default.'),
        'end_time': dict(_text, description='UTC, ISO 8601; none by '
                                            'default.'),
        'window': {'type': ['integer', 'string'], 'minimum': 1,
                   'maxLength': 20,
                   'description': 'Seconds after a due time within which '
                                  'a run may still start (default %d).' %
                   schedule.DEFAULT_WINDOW},
    },
    'additionalProperties': False,
}

create = common.wrapped('trigger_info', {
    'type': 'object',
    'properties': {
        'name': common.described(common.name, 'Display name.'),
        'type': {'type': 'string', 'enum': list(TYPES),
                 'description': 'Only ``time``.'},
        'properties': properties,
    },
    'required': ['name', 'type', 'properties'],
    'additionalProperties': False,
})

update = common.wrapped('trigger_info', {
    'type': 'object',
    'properties': {
        'name': common.described(common.name, 'Display name.'),
        'properties': common.described(
            properties,
            'The properties to change (the others are kept); an empty '
            'object changes nothing. A new pattern takes effect at the '
            'next due time.'),
    },
    'additionalProperties': False,
})

index_query = common.list_query(SORT_KEYS, {
    'name': common.filter_string('Only triggers of this name.'),
    'type': common.filter_enum(TYPES, 'Only triggers of this type.'),
    'properties': common.filter_string(
        'Only triggers with these properties (a dictionary, JSON or the '
        'Python literal the client sends), compared key by key.'),
})

trigger = {
    'type': 'object',
    'properties': {
        'id': common.uuid,
        'name': {'type': 'string'},
        'type': {'type': 'string', 'enum': list(TYPES)},
        'properties': {'type': 'object'},
        'project_id': {'type': 'string'},
        'next_due_at': dict(common.timestamp, description=(
            'The next due time (UTC), or null when the trigger fires no '
            'more.')),
        'created_at': common.timestamp,
        'updated_at': common.timestamp,
    },
    'required': ['id', 'name', 'type', 'properties', 'project_id',
                 'next_due_at', 'created_at', 'updated_at'],
    'additionalProperties': False,
}

show = common.show('trigger_info', trigger)
index = common.index('triggers', trigger)
