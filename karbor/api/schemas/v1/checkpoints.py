"""Request schemas of /providers/{id}/checkpoints."""

from karbor.api.schemas.v1 import common

_extra_info = {'type': ['object', 'null'],
               'additionalProperties': {'type': ['string', 'number',
                                                 'boolean', 'null']}}

create = common.wrapped('checkpoint', {
    'type': 'object',
    'properties': {
        'plan_id': common.uuid,
        # python-karborclient spells it with a hyphen; the api-ref did not.
        'extra-info': _extra_info,
        'extra_info': _extra_info,
    },
    'required': ['plan_id'],
    'additionalProperties': False,
})

reset_state = common.wrapped('os-resetState', {
    'type': 'object',
    'properties': {'state': {'type': 'string',
                             'enum': ['available', 'error']}},
    'required': ['state'],
    'additionalProperties': False,
})
