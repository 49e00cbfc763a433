"""What a scheduled operation does: its ``operation_definition`` checked
and normalised.

python-karborclient's ``scheduledoperation-create`` sends every value as
text (``max_backups=2``) and the OSC plugin sends the whole definition as
one ``k=v,k=v`` string; both are read here into typed values.

* ``protect``: ``plan_id``, ``provider_id``.
* ``retention_protect``: the same plus ``max_backups`` (keep the newest
  N available checkpoints of the plan) and/or ``retention_duration``
  (days: delete available checkpoints older than that), applied after
  each successful protect.
* ``verify``: ``plan_id``, ``provider_id``, ``level`` (``quick`` or
  ``deep``; the provider's default when absent) and either nothing more
  (verify the newest available checkpoint of the plan) or
  ``not_verified_within_days`` N (verify every available checkpoint of
  the plan whose last successful verification is older than N days, or
  that was never verified).
"""

from karbor.common import constants
from karbor.common import exception

PROTECT = 'protect'
RETENTION_PROTECT = 'retention_protect'
VERIFY = 'verify'
TYPES = (PROTECT, RETENTION_PROTECT, VERIFY)
LEVELS = (constants.VERIFY_LEVEL_QUICK, constants.VERIFY_LEVEL_DEEP)

_KEYS = {
    PROTECT: ('plan_id', 'provider_id'),
    RETENTION_PROTECT: ('plan_id', 'provider_id', 'max_backups',
                        'retention_duration'),
    VERIFY: ('plan_id', 'provider_id', 'level', 'not_verified_within_days'),
}
_INTEGERS = ('max_backups', 'retention_duration', 'not_verified_within_days')


def _invalid(reason):
    return exception.InvalidInput(reason='operation_definition: ' + reason)


def from_text(text):
    """``{k: v}`` of the ``k=v,k=v`` form."""
    found = {}
    for item in text.split(','):
        if not item.strip():
            continue
        key, sep, value = item.partition('=')
        if not sep or not key.strip():
            raise _invalid('%.100r is not of the form key=value,key=value'
                           % (text,))
        found[key.strip()] = value.strip()
    return found


def _integer(key, value, minimum):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or number < minimum:
        raise _invalid('%s must be a whole number of at least %d, not '
                       '%.100r' % (key, minimum, value))
    return number


def normalise(operation_type, definition):
    """The checked definition of an operation of ``operation_type``, with
    typed values; InvalidInput (400) saying what is wrong."""
    if operation_type not in TYPES:
        raise exception.InvalidInput(
            reason='operation_type must be one of %s, not %.100r' % (
                ', '.join(TYPES), operation_type))
    if isinstance(definition, str):
        definition = from_text(definition)
    if not isinstance(definition, dict):
        raise _invalid('must be an object such as {"plan_id": ..., '
                       '"provider_id": ...}')
    allowed = _KEYS[operation_type]
    unknown = sorted(set(definition) - set(allowed))
    if unknown:
        raise _invalid('%s %s not allowed for %s; its keys are %s' % (
            ', '.join(unknown), 'is' if len(unknown) == 1 else 'are',
            operation_type, ', '.join(allowed)))
    result = {}
    for key in ('plan_id', 'provider_id'):
        value = definition.get(key)
        if not isinstance(value, str) or not value:
            raise _invalid('%s is required' % key)
        result[key] = value
    if operation_type == RETENTION_PROTECT:
        present = [k for k in ('max_backups', 'retention_duration')
                   if definition.get(k) not in (None, '', -1, '-1')]
        if not present:
            raise _invalid('retention_protect needs max_backups (the '
                           'checkpoints to keep) and/or retention_duration '
                           '(days to keep them)')
        for key in present:
            result[key] = _integer(key, definition[key], 1)
    if operation_type == VERIFY:
        level = definition.get('level')
        if level not in (None, ''):
            if level not in LEVELS:
                raise _invalid('level must be %s, not %.100r' % (
                    ' or '.join(LEVELS), level))
            result['level'] = level
        days = definition.get('not_verified_within_days')
        if days not in (None, ''):
            result['not_verified_within_days'] = _integer(
                'not_verified_within_days', days, 1)
    return result


def verify_parameters(plan, level):
    """The verification parameters of a scheduled verify: ``level`` for
    every resource type of the plan, or none (the provider's default)."""
    if not level:
        return {}
    return {t: {'level': level}
            for t in sorted({r['type'] for r in plan.resources})}
