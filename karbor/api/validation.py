"""Request bodies and query strings: parse, validate, explain what is wrong."""

import json

import jsonschema
import pecan

from karbor.common import exception


def _meant(error):
    """Of a oneOf/anyOf error, the errors of the branches of the
    instance's own type (a missing field rather than "not valid under any
    of the given schemas"); ``[error]`` when there are none."""
    if error.validator not in ('oneOf', 'anyOf'):
        return [error]
    meant = [e for e in error.context
             if not (e.validator == 'type' and not e.relative_path)]
    return [m for e in meant for m in _meant(e)] or [error]


def _describe(error):
    where = '/'.join(str(p) for p in error.absolute_path)
    if error.validator == 'additionalProperties':
        return error.message.replace('were unexpected', 'are not allowed')\
            .replace('was unexpected', 'is not allowed') + (
            ' in %s' % where if where else '')
    if where:
        return '%s: %s' % (where, error.message)
    return error.message


def validate(schema, document):
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted((m for e in validator.iter_errors(document)
                     for m in _meant(e)),
                    key=lambda e: list(e.absolute_path))
    if errors:
        raise exception.InvalidInput(
            reason='; '.join(_describe(e) for e in errors[:3]))


def load_json_body():
    raw = pecan.request.body
    if not raw:
        raise exception.MalformedRequestBody(
            reason='the request has no body; send a JSON object.')
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise exception.MalformedRequestBody(
            reason='it is not valid JSON (%s).' % e)


def validated_body(schema):
    """The request's JSON body, checked against ``schema``."""
    document = load_json_body()
    validate(schema, document)
    return document


def check_query(kwargs, allowed):
    """Refuse query parameters the handler does not know, or repeated."""
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise exception.InvalidInput(
            reason='unknown query parameter(s): %s; allowed: %s.' % (
                ', '.join(unknown), ', '.join(sorted(allowed)) or 'none'))
    # pecan passes a repeated parameter (?host=a&host=b) as a list.
    repeated = sorted(k for k, v in kwargs.items() if isinstance(v, list))
    if repeated:
        raise exception.InvalidInput(
            reason='query parameter(s) given more than once: %s.' %
            ', '.join(repeated))


def validate_parameters(provider, parameters, kind):
    """Check ``parameters`` ({"<type>" or "<type>#<id>": {...}}) against
    the provider's ``<kind>_schema`` (options, restore, verify)."""
    schemas = provider.extended_info_schema['%s_schema' % kind]
    for key, value in (parameters or {}).items():
        resource_type, _sep, resource_id = key.partition('#')
        if resource_type not in schemas:
            raise exception.InvalidInput(
                reason='parameters key %r: provider %s does not handle '
                       'resource type %s; its types are: %s' % (
                           key, provider.name, resource_type,
                           ', '.join(sorted(schemas)) or 'none'))
        if _sep and not resource_id:
            raise exception.InvalidInput(
                reason='parameters key %r has no resource id after "#"' %
                       key)
        try:
            validate(schemas[resource_type], value)
        except exception.InvalidInput as e:
            raise exception.InvalidInput(
                reason='parameters of %s do not fit the %s schema of %s: %s'
                       % (key, kind, resource_type, e.kwargs.get('reason')))
