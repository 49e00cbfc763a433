"""Schemas of /quotas and /quota_classes."""

RESOURCES = ('plans', 'checkpoints')

_limit = {'type': 'integer', 'minimum': -1, 'maximum': 2 ** 31 - 1,
          'description': 'How many the project may have; -1: unlimited.'}


def _update(key):
    return {
        'type': 'object',
        'properties': {key: {
            'type': 'object',
            'properties': {r: _limit for r in RESOURCES},
            'minProperties': 1,
            'additionalProperties': False,
        }},
        'required': [key],
        'additionalProperties': False,
    }


update = _update('quota')
class_update = _update('quota_class')

_limits = {r: {'type': 'integer'} for r in RESOURCES}


def _shown(key, values):
    return {
        'type': 'object',
        'properties': {key: {
            'type': 'object',
            'properties': dict({'id': {'type': 'string'}}, **values),
            'required': ['id'] + list(RESOURCES),
            'additionalProperties': False,
        }},
        'required': [key],
        'additionalProperties': False,
    }


show = _shown('quota', _limits)
class_show = _shown('quota_class', _limits)
detail = _shown('quota', {r: {
    'type': 'object',
    'properties': {'limit': {'type': 'integer'},
                   'in_use': {'type': 'integer'},
                   'reserved': {'type': 'integer'}},
    'required': ['limit', 'in_use', 'reserved'],
    'additionalProperties': False,
    'description': 'The limit (-1: unlimited), how many are in use, and '
                   'how many are reserved (always 0: a create counts and '
                   'inserts in one transaction).'} for r in RESOURCES})
