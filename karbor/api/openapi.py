"""The OpenAPI 3.1 document of the API, generated from the code.

The paths come from the controllers (pecan's RestController conventions:
``get_all``, ``post`` on the collection, ``get_one``, ``put``, ``delete``
on an item, sub-controllers under an item), the rest from the contract
each handler declares (:mod:`karbor.api.contract`), whose schemas are the
ones the API validates with. ``GET /v1/openapi.json`` serves it; a copy is
checked in as ``doc/source/api/openapi.json``. Regenerate that copy with::

    tox -e openapi
    # or: python -m karbor.api.openapi --output doc/source/api/openapi.json
"""

import argparse
import copy
import json
import sys

from oslo_config import cfg

from karbor.api import contract
from karbor.api.controllers import rest
from karbor.api.schemas.v1 import common
from karbor.api import validation
from karbor.common import constants
from karbor.common import exception

CHECKED_IN = 'doc/source/api/openapi.json'
REGENERATE = 'tox -e openapi (or: python -m karbor.api.openapi --output %s)' \
    % CHECKED_IN

# The statuses every operation under /v1/{project_id} may answer: a
# malformed URL or query (400), no valid token (401), a policy or a
# project that is not the token's (403), something not found (404).
COMMON_ERRORS = (400, 401, 403, 404)
PUBLIC_ERRORS = (400,)
BODY_ERRORS = (413,)

_ERROR_DESCRIPTIONS = {
    400: 'The request is malformed or does not fit its schema; the '
         'message says what to change.',
    401: 'No valid token.',
    403: 'A policy refuses it, or the project in the URL is not the '
         'token\'s.',
    404: 'Something the request names does not exist or is not visible '
         'to the caller.',
    409: 'The object is not in a state that allows it.',
    413: 'The request body is larger than the limit.',
    503: 'A service Karbor needs for it is unavailable.',
}

# Path parameters, by the name the handlers give them.
PATH_PARAMETERS = {
    'project_id': {'type': 'string', 'minLength': 1,
                   'maxLength': common.MAX_ID_LENGTH,
                   'description': 'The project of the token.'},
    'plan_id': common.described(common.uuid, 'Id of a plan.'),
    'provider_id': common.described(common.uuid, 'Id of a provider.'),
    'checkpoint_id': common.described(common.uuid, 'Id of a checkpoint.'),
    'restore_id': common.described(common.uuid, 'Id of a restore.'),
    'verification_id': common.described(common.uuid,
                                        'Id of a verification.'),
    'operation_log_id': common.described(common.uuid,
                                         'Id of an operation log.'),
    'trigger_id': common.described(common.uuid, 'Id of a trigger.'),
    'scheduled_operation_id': common.described(
        common.uuid, 'Id of a scheduled operation.'),
    'quota_project_id': {'type': 'string', 'minLength': 1,
                         'maxLength': 255,
                         'description': 'The project whose quotas these '
                                        'are.'},
    'quota_class_name': {'type': 'string', 'minLength': 1,
                         'maxLength': 255,
                         'description': 'A quota class: ``default`` holds '
                                        'the limits of every project '
                                        'without its own.'},
    'service_id': {'type': 'integer', 'minimum': 1,
                   'maximum': 2 ** 31 - 1,
                   'description': 'Id of a service.'},
    'protectable_type': {'type': 'string', 'minLength': 1,
                         'maxLength': common.MAX_ID_LENGTH,
                         'description': 'A resource type, such as '
                                        'OS::Local::Directory.'},
    'resource_id': {'type': 'string', 'minLength': 1,
                    'maxLength': common.MAX_ID_LENGTH,
                    'description': 'Id of a protectable instance.'},
}

# RestController methods: (name, HTTP method, on an item).
_REST_METHODS = (('get_all', 'get', False), ('post', 'post', False),
                 ('get_one', 'get', True), ('put', 'put', True),
                 ('delete', 'delete', True))


_VERBS = {'get_all': 'list', 'get_one': 'show', 'post': 'create',
          'put': 'update', 'delete': 'delete'}


class ContractMissing(Exception):
    pass


def _handler_args(handler):
    from pecan import util
    return util.getargspec(handler).args[1:]


def _rest_operations(controller, path, parents, tag):
    """(path, method, handler, path params, tag) of a RestController and
    its sub-controllers."""
    item_name = None
    for name, method, on_item in _REST_METHODS:
        handler = getattr(controller, name, None)
        if handler is None or not getattr(handler, 'exposed', False):
            continue
        args = _handler_args(handler)
        expected = len(parents) + (1 if on_item else 0)
        if len(args) != expected:
            raise ContractMissing(
                '%s.%s takes %s; a RestController %s takes the ids of its '
                'parents (%s)%s' % (
                    type(controller).__name__, name, args, name,
                    ', '.join(parents) or 'none',
                    ' and its item\'s' if on_item else ''))
        if on_item:
            item_name = item_name or args[-1]
        params = list(parents) + ([args[-1]] if on_item else [])
        yield (path + ('/{%s}' % args[-1] if on_item else ''), method,
               handler, params, tag)
    for attr, child in _children(controller):
        if item_name is None:
            raise ContractMissing('%s has a sub-controller %s but no '
                                  'get_one naming its items' % (
                                      type(controller).__name__, attr))
        yield from _rest_operations(
            child, '%s/{%s}/%s' % (path, item_name, attr),
            list(parents) + [item_name], tag + '/' + attr)


def _children(controller):
    for attr in sorted(vars(type(controller))):
        value = getattr(controller, attr)
        if not attr.startswith('_') and isinstance(value,
                                                   rest.RestController):
            yield attr, value


def operations():
    """Every operation of the API: (path, method, handler, path params,
    tag, public)."""
    from karbor.api.controllers import root
    from karbor.api.controllers import v1
    versions = root.RootController()
    v1_root = v1.Controller()
    yield '/', 'get', versions.index_get, [], 'versions', True
    yield '/v1/', 'get', v1_root.index_get, [], 'version', True
    yield ('/v1/openapi.json', 'get', v1_root.openapi_document, [],
           'openapi', True)
    project = v1.ProjectController()
    for attr, child in _children(project):
        for path, method, handler, params, tag in _rest_operations(
                child, '/v1/{project_id}/' + attr, [], attr):
            yield path, method, handler, ['project_id'] + params, tag, False


def _parameter(name, where, schema, required):
    schema = copy.deepcopy(schema)
    description = schema.pop('description', None)
    param = {'name': name, 'in': where, 'required': required,
             'schema': schema}
    if description:
        param['description'] = description
    return param


def _json(schema):
    return {'application/json': {'schema': schema}}


def fault_schema(code):
    name = exception.fault_name_for(code)
    return common.wrapped(name, {
        'type': 'object',
        'properties': {'code': {'type': 'integer', 'enum': [code]},
                       'message': {'type': 'string', 'minLength': 1}},
        'required': ['code', 'message'],
        'additionalProperties': False,
    })


def _operation(path, method, handler, params, tag, public, conf):
    declared = contract.of(handler)
    if declared is None:
        raise ContractMissing(
            '%s %s (%s) declares no contract; decorate it with '
            '@contract.operation' % (method.upper(), path,
                                     handler.__qualname__))
    verb = _VERBS.get(handler.__name__, 'show')
    op = {'operationId': '%s:%s' % (tag, verb),
          'summary': declared.summary,
          'tags': ['versions' if public else tag.split('/')[0]]}
    if declared.description:
        op['description'] = declared.description
    parameters = []
    for name in params:
        if name not in PATH_PARAMETERS:
            raise ContractMissing('path parameter %s of %s %s has no '
                                  'schema in karbor.api.openapi.'
                                  'PATH_PARAMETERS' % (name, method, path))
        parameters.append(_parameter(name, 'path', PATH_PARAMETERS[name],
                                     True))
    if declared.query:
        required = declared.query.get('required', ())
        for name, schema in declared.query.get('properties', {}).items():
            parameters.append(_parameter(name, 'query', schema,
                                         name in required))
    if parameters:
        op['parameters'] = parameters
    errors = set(PUBLIC_ERRORS if public else COMMON_ERRORS)
    errors.update(declared.errors)
    if declared.body:
        errors.update(BODY_ERRORS)
        op['requestBody'] = {
            'required': True,
            'description': 'JSON of at most %d bytes, nested at most %d '
                           'levels.' % (
                               conf.oslo_middleware.max_request_body_size,
                               validation.MAX_DEPTH),
            'content': _json(declared.body)}
    success = {'description': declared.summary}
    if declared.response:
        success['content'] = _json(declared.response)
    responses = {str(declared.status): success}
    for code in sorted(errors):
        responses[str(code)] = {'$ref': '#/components/responses/%d' % code}
    op['responses'] = responses
    if public:
        op['security'] = []
    return op, errors


def _limits(conf):
    return {
        'max_request_body_size': conf.oslo_middleware.max_request_body_size,
        'max_plan_resources': common.MAX_PLAN_RESOURCES,
        'max_name_length': common.MAX_NAME_LENGTH,
        'max_description_length': common.MAX_DESCRIPTION_LENGTH,
        'max_id_length': common.MAX_ID_LENGTH,
        'max_parameter_keys': common.MAX_PARAMETER_KEYS,
        'max_object_keys': common.MAX_OBJECT_KEYS,
        'max_value_length': common.MAX_VALUE_LENGTH,
        'max_json_depth': validation.MAX_DEPTH,
        'max_page_size': conf.api.max_limit,
    }


_DESCRIPTION = """\
Data protection as a service: plans of resources, checkpoints of them in a
provider's bank, restores, and verifications that prove a checkpoint's
copies are present and intact.

Every path but the version documents and this document is under
``/v1/{project_id}`` and needs a token of that project in ``X-Auth-Token``.
Every error is JSON in the OpenStack fault shape,
``{"<faultName>": {"code": <status>, "message": "..."}}``.

Limits (also in ``x-karbor-limits``): request bodies of at most
%(max_request_body_size)d bytes (413 beyond), JSON nested at most
%(max_json_depth)d levels; plans of at most %(max_plan_resources)d
resources; names of at most %(max_name_length)d characters; parameters of
at most %(max_parameter_keys)d keys, each an object of at most
%(max_object_keys)d keys; pages of at most %(max_page_size)d items.
A request beyond a limit is refused with a 400 that names it.
"""


def document(conf=cfg.CONF):
    """The OpenAPI document of this API under ``conf``."""
    paths = {}
    errors = set()
    for path, method, handler, params, tag, public in operations():
        op, used = _operation(path, method, handler, params, tag, public,
                              conf)
        errors |= used
        paths.setdefault(path, {})[method] = op
    limits = _limits(conf)
    return {
        'openapi': '3.1.0',
        'info': {
            'title': 'Karbor API',
            'version': constants.API_VERSION,
            'description': _DESCRIPTION % limits,
            'license': {'name': 'Apache-2.0',
                        'identifier': 'Apache-2.0'},
        },
        'x-karbor-limits': limits,
        'security': [{'token': []}],
        'paths': paths,
        'components': {
            'securitySchemes': {'token': {
                'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token',
                'description': 'A Keystone token; with auth_strategy '
                               'noauth, "user:project" or '
                               '"user:project:role,role".'}},
            'responses': {
                str(code): {
                    'description': '%s: %s' % (
                        exception.fault_name_for(code),
                        _ERROR_DESCRIPTIONS.get(code, 'An error.')),
                    'content': _json({'$ref': '#/components/schemas/%s' %
                                      exception.fault_name_for(code)})}
                for code in sorted(errors)},
            'schemas': {exception.fault_name_for(code): fault_schema(code)
                        for code in sorted(errors)},
        },
    }


def dumps(doc):
    return json.dumps(doc, indent=2, sort_keys=True) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m karbor.api.openapi',
        description='Print the OpenAPI document of the Karbor API, with '
                    'the default configuration.')
    parser.add_argument('--output', help='write it to this file')
    args = parser.parse_args(argv)
    from karbor.common import config
    conf = cfg.ConfigOpts()
    config.register_all(conf)
    conf([], project='karbor', default_config_files=[])
    text = dumps(document(conf))
    if args.output:
        with open(args.output, 'w') as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
