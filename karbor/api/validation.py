"""Request bodies and query strings: parse, validate, explain what is wrong."""

import json
import math

import jsonschema
from oslo_utils import strutils
import pecan

from karbor.common import exception

# How deeply a request document (body, or a dict in a query string) may
# nest; Karbor's own bodies need five levels, provider parameters a few
# more. Deeper documents would exhaust the recursion of the parser, the
# validator or the encoder.
MAX_DEPTH = 32

# Longest message of one schema error: jsonschema repeats the whole
# offending value, which may be the whole body.
_MAX_ERROR_LENGTH = 300

_JSON_SCALARS = (str, int, float, bool, type(None))


def _where(path):
    return '/'.join(str(p) for p in path) or 'the document'


def check_document(document, what='the request body'):
    """Refuse what the parser let through but no database, encoder or
    client can take: nesting deeper than MAX_DEPTH, strings with a lone
    surrogate (not encodable as UTF-8) or a NUL character (refused by
    PostgreSQL), values that are not JSON (from a Python literal),
    infinite floats. Iterative: a deep document cannot exhaust the stack.
    """
    stack = [(document, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            if len(path) >= MAX_DEPTH:
                raise exception.InvalidInput(
                    reason='%s nests deeper than %d levels at %s' % (
                        what, MAX_DEPTH, _where(path)))
            for key, item in value.items():
                if not isinstance(key, str):
                    raise exception.InvalidInput(
                        reason='%s has a key that is not a string at %s' %
                               (what, _where(path)))
                _check_string(key, path, what)
                stack.append((item, path + (key,)))
        elif isinstance(value, list):
            if len(path) >= MAX_DEPTH:
                raise exception.InvalidInput(
                    reason='%s nests deeper than %d levels at %s' % (
                        what, MAX_DEPTH, _where(path)))
            stack.extend((item, path + (n,)) for n, item in
                         enumerate(value))
        elif isinstance(value, str):
            _check_string(value, path, what)
        elif isinstance(value, float) and not math.isfinite(value):
            raise exception.InvalidInput(
                reason='%s has a number that is not finite at %s' % (
                    what, _where(path)))
        elif not isinstance(value, _JSON_SCALARS):
            raise exception.InvalidInput(
                reason='%s has a value that JSON cannot hold (%s) at %s' % (
                    what, type(value).__name__, _where(path)))
    return document


def _check_string(value, path, what):
    if '\x00' in value:
        raise exception.InvalidInput(
            reason='%s has a NUL character (\\u0000) in a string at %s' % (
                what, _where(path)))
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        raise exception.InvalidInput(
            reason='%s has a lone surrogate (such as \\ud800) in a string '
                   'at %s; strings must be valid Unicode' % (
                       what, _where(path)))


def _refuse_constant(name):
    raise ValueError('%s is not a JSON number' % name)


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError('%s is too large for a number' % text)
    return value


def loads(raw, what='the request body'):
    """Strict JSON: no NaN or Infinity, nothing past check_document.
    MalformedRequestBody for what does not parse."""
    try:
        document = json.loads(raw, parse_constant=_refuse_constant,
                              parse_float=_finite_float)
    except RecursionError:
        raise exception.MalformedRequestBody(
            reason='it nests deeper than %d levels.' % MAX_DEPTH)
    except (ValueError, UnicodeDecodeError) as e:
        raise exception.MalformedRequestBody(
            reason='it is not valid JSON (%s).' % e)
    return check_document(document, what)


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
    message = _LIMITS[error.validator](error) if error.validator in _LIMITS \
        else error.message
    if len(message) > _MAX_ERROR_LENGTH:
        message = '%s... (%s)' % (
            message[:_MAX_ERROR_LENGTH],
            _SHORT.get(error.validator, error.validator))
    if where:
        return '%s: %s' % (where, message)
    return message


# Messages of the limits: what was sent, and the limit.
_LIMITS = {
    'maxItems': lambda e: 'has %d items; at most %d are allowed' % (
        len(e.instance), e.validator_value),
    'maxLength': lambda e: 'has %d characters; at most %d are allowed' % (
        len(e.instance), e.validator_value),
    'maxProperties': lambda e: 'has %d keys; at most %d are allowed' % (
        len(e.instance), e.validator_value),
}

_FORMATS = {'date': 'a date YYYY-MM-DD',
            'uuid': 'a uuid (such as 7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69)',
            'date-time': 'a date and time (ISO 8601)'}


def _format_message(error):
    wanted = _FORMATS.get(error.validator_value, error.validator_value)
    return '%.100r is not %s' % (error.instance, wanted)


def _pattern_message(error):
    described = error.schema.get('description')
    if described:
        return '%.100r does not fit: %s' % (error.instance, described)
    return error.message


_LIMITS['format'] = _format_message
_LIMITS['pattern'] = _pattern_message

# What a truncated message was about.
_SHORT = {'type': 'wrong type', 'maxItems': 'too many items',
          'maxLength': 'too long', 'maxProperties': 'too many keys',
          'enum': 'not an allowed value', 'pattern': 'does not match',
          'format': 'wrong format'}


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
    return loads(raw)


def validated_body(schema):
    """The request's JSON body, checked against ``schema`` (once per
    request and schema)."""
    environ = pecan.request.environ
    declared = environ.get(DECLARED_BODY, schema)
    if declared is not schema:
        raise exception.KarborException(
            'The handler of %s %s reads its body with another schema than '
            'the one its contract declares' % (
                pecan.request.method, pecan.request.path))
    checked = environ.get(_VALIDATED_BODY)
    if checked is not None and checked[0] is schema:
        return checked[1]
    document = load_json_body()
    validate(schema, document)
    environ[_VALIDATED_BODY] = (schema, document)
    return document


_VALIDATED_BODY = 'karbor.validated_body'
# The body schema of the operation's contract (karbor.api.contract).
DECLARED_BODY = 'karbor.declared_body'


def _read_query_value(name, value, schema):
    """A query value as the type its schema says (integer, boolean)."""
    kind = schema.get('type')
    if kind == 'integer':
        try:
            return int(value)
        except ValueError:
            raise exception.InvalidInput(
                reason='%s must be an integer, not %.100r' % (name, value))
    if kind == 'boolean':
        try:
            return strutils.bool_from_string(value, strict=True)
        except ValueError:
            raise exception.InvalidInput(
                reason='%s must be 1, 0, true or false, not %.100r' % (
                    name, value))
    return value


def validate_query(schema, kwargs):
    """Check the query parameters ``kwargs`` (text, as pecan passes them)
    against ``schema``; ``kwargs`` is left as it is."""
    properties = schema.get('properties', {})
    check_query(kwargs, properties)
    document = {name: _read_query_value(name, value, properties[name])
                for name, value in kwargs.items()}
    validate(schema, document)


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
