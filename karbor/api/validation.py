"""Request bodies and query strings: parse, validate, explain what is wrong."""

import json

import jsonschema
import pecan

from karbor.common import exception


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
    errors = sorted(validator.iter_errors(document),
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
    """Refuse query parameters the handler does not know."""
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise exception.InvalidInput(
            reason='unknown query parameter(s): %s; allowed: %s.' % (
                ', '.join(unknown), ', '.join(sorted(allowed)) or 'none'))
