"""Schemas of the version documents, / and /v1/."""

version = {
    'type': 'object',
    'properties': {
        'id': {'type': 'string'},
        'status': {'type': 'string'},
        'version': {'type': 'string'},
        'min_version': {'type': 'string'},
        'links': {'type': 'array', 'items': {
            'type': 'object',
            'properties': {'rel': {'type': 'string'},
                           'href': {'type': 'string'}},
            'required': ['rel', 'href']}},
    },
    'required': ['id', 'status', 'version', 'min_version', 'links'],
    'additionalProperties': False,
}

versions = {'type': 'object',
            'properties': {'versions': {'type': 'array', 'items': version}},
            'required': ['versions'], 'additionalProperties': False}

v1 = {'type': 'object', 'properties': {'version': version},
      'required': ['version'], 'additionalProperties': False}

openapi = {'type': 'object', 'required': ['openapi', 'info', 'paths'],
           'description': 'This document.'}
