"""Schemas of /os-services."""

from karbor.api.schemas.v1 import common
from karbor.common import constants

update = {
    'type': 'object',
    'properties': {
        'status': {'type': 'string', 'enum': [
            constants.SERVICE_STATUS_ENABLED,
            constants.SERVICE_STATUS_DISABLED],
            'description': 'enabled or disabled.'},
        'disabled_reason': {'type': ['string', 'null'],
                            'maxLength': common.MAX_NAME_LENGTH,
                            'description': 'Why it is disabled; kept only '
                                           'with status disabled.'},
    },
    'required': ['status'],
    'additionalProperties': False,
}

index_query = {
    'type': 'object',
    'properties': {
        'host': common.filter_string('Only services of this host.'),
        'binary': common.filter_string('Only services of this binary, '
                                       'such as karbor-protection.'),
    },
    'additionalProperties': False,
}

service = {
    'type': 'object',
    'properties': {
        'id': {'type': 'integer'},
        'binary': {'type': 'string'},
        'host': {'type': 'string'},
        'status': {'type': 'string', 'enum': [
            constants.SERVICE_STATUS_ENABLED,
            constants.SERVICE_STATUS_DISABLED]},
        'state': {'type': 'string', 'enum': [
            constants.SERVICE_STATE_UP, constants.SERVICE_STATE_DOWN],
            'description': 'down when its last heartbeat is older than '
                           '``service_down_time``.'},
        'updated_at': common.timestamp,
        'disabled_reason': {'type': ['string', 'null']},
    },
    'required': ['id', 'binary', 'host', 'status', 'state', 'updated_at',
                 'disabled_reason'],
    'additionalProperties': False,
}

show = common.show('service', service)
index = {'type': 'object',
         'properties': {'services': {'type': 'array', 'items': service}},
         'required': ['services'], 'additionalProperties': False}
