"""Sphinx extension: the API reference pages from the OpenAPI document.

At the start of a build, ``api/openapi.json`` (what the code generates;
a test keeps the copy current) becomes ``api-ref/generated/<tag>.inc``,
one page section per resource in the style of os-api-ref (method and
path, status codes, parameter tables, samples), and
``api-ref/generated/parameters.yaml``. The samples are those the test
``karbor.tests.unit.api.test_api_samples`` took from a run of every
operation. Nothing here is written by hand, so nothing drifts.
"""

import json
import os

import yaml

SECTIONS = ('header', 'path', 'query', 'body')
_FLATTEN_DEPTH = 4


def _type(schema):
    kind = schema.get('type')
    if isinstance(kind, list):
        kind = [k for k in kind if k != 'null']
        kind = kind[0] if kind else 'string'
    if kind is None:
        if 'oneOf' in schema:
            return 'object'
        return 'object' if 'properties' in schema else 'string'
    return {'number': 'float'}.get(kind, kind)


def _describe(schema, fallback=''):
    parts = [schema.get('description') or fallback]
    if 'enum' in schema:
        parts.append('One of: %s.' % ', '.join(
            '``%s``' % v for v in schema['enum'] if v is not None))
    if schema.get('format') == 'uuid':
        parts.append('A UUID.')
    if schema.get('format') == 'date':
        parts.append('A date, YYYY-MM-DD.')
    for key, text in (('maxLength', 'At most %d characters.'),
                      ('minLength', 'At least %d characters.'),
                      ('maxItems', 'At most %d items.'),
                      ('minItems', 'At least %d items.'),
                      ('maxProperties', 'At most %d keys.'),
                      ('minimum', 'At least %d.'),
                      ('maximum', 'At most %d.')):
        if key in schema:
            parts.append(text % schema[key])
    if schema.get('type') and isinstance(schema['type'], list) and \
            'null' in schema['type']:
        parts.append('May be null.')
    text = ' '.join(p for p in parts if p).strip()
    return text or 'See the example.'


def _flatten(schema, prefix, required, depth=0):
    """(display name, schema, required) of a body and its fields."""
    if 'oneOf' in schema:
        schema = next((s for s in schema['oneOf'] if 'properties' in s),
                      schema['oneOf'][0])
    if schema.get('type') == 'array' or (
            isinstance(schema.get('type'), list) and
            'array' in schema['type']):
        items = schema.get('items', {})
        if 'properties' in items and depth < _FLATTEN_DEPTH:
            yield from _flatten(items, prefix + '[]', True, depth + 1)
        return
    for name, prop in sorted(schema.get('properties', {}).items()):
        display = '%s.%s' % (prefix, name) if prefix else name
        yield display, prop, name in schema.get('required', ())
        if depth < _FLATTEN_DEPTH:
            if 'properties' in prop or 'oneOf' in prop:
                yield from _flatten(prop, display, required, depth + 1)
            elif 'properties' in prop.get('items', {}):
                yield from _flatten(prop, display, required, depth + 1)


class _Parameters:
    def __init__(self):
        self.entries = {}

    def add(self, key, where, schema, required, fallback=''):
        self.entries[key] = {'in': where, 'required': bool(required),
                             'type': _type(schema),
                             'description': _describe(schema, fallback)}
        return key

    def dump(self, path):
        ordered = sorted(self.entries.items(),
                         key=lambda kv: (SECTIONS.index(kv[1]['in']),
                                         kv[0].lower()))
        with open(path, 'w') as f:
            for key, value in ordered:
                f.write(yaml.safe_dump({key: value}, default_flow_style=False,
                                       sort_keys=False, width=70))


def _key(op_id):
    return op_id.replace(':', '_').replace('/', '_').replace('-', '_')


def _heading(text, char):
    return '%s\n%s\n\n' % (text, char * len(text))


def _param_list(items):
    lines = ['.. rest_parameters:: generated/parameters.yaml', '']
    lines += ['   - %s: %s' % (name, key) for name, key in items]
    return '\n'.join(lines) + '\n\n'


def _sample(samples_dir, op_id, kind):
    name = '%s-%s.json' % (op_id.replace(':', '-').replace('/', '-'), kind)
    if os.path.exists(os.path.join(samples_dir, name)):
        return ('.. literalinclude:: samples/%s\n   :language: javascript'
                '\n\n' % name)
    return ''


def _operation(path, method, op, params, samples_dir):
    key = _key(op['operationId'])
    text = _heading(op['summary'], '-')
    text += '.. rest_method:: %s %s\n\n' % (method.upper(), path)
    if op.get('description'):
        text += op['description'] + '\n\n'
    codes = sorted(op['responses'], key=int)
    text += _heading('Response codes', '~')
    for kind, selected in (('success', [c for c in codes if int(c) < 400]),
                           ('error', [c for c in codes if int(c) >= 400])):
        if selected:
            text += '.. rest_status_code:: %s status.yaml\n\n' % kind
            text += ''.join('   - %s\n' % c for c in selected) + '\n'
    request = []
    for param in op.get('parameters', ()):
        schema = dict(param['schema'])
        if param.get('description'):
            schema['description'] = param['description']
        if param['in'] == 'path':
            pkey = params.add('%s_path' % param['name'], 'path', schema,
                              True)
        else:
            pkey = params.add('%s_%s' % (key, param['name']), 'query',
                              schema, param.get('required'))
        request.append((param['name'], pkey))
    body = op.get('requestBody', {}).get('content', {}).get(
        'application/json', {}).get('schema')
    if body:
        for display, schema, required in _flatten(body, '', body.get(
                'required', ())):
            request.append((display, params.add(
                '%s_request_%s' % (key, display), 'body', schema,
                required)))
    text += _heading('Request', '~')
    if request:
        text += _param_list(request)
    else:
        text += 'No parameters.\n\n'
    sample = _sample(samples_dir, op['operationId'], 'request')
    if sample:
        text += _heading('Request example', '~') + sample
    success = [c for c in codes if int(c) < 400][0]
    answer = op['responses'][success].get('content', {}).get(
        'application/json', {}).get('schema')
    if answer and 'properties' in answer:
        rows = [(display, params.add('%s_response_%s' % (key, display),
                                     'body', schema, required))
                for display, schema, required in _flatten(answer, '', ())]
        text += _heading('Response parameters', '~') + _param_list(rows)
    sample = _sample(samples_dir, op['operationId'], 'response')
    if sample:
        text += _heading('Response example', '~') + sample
    elif not answer:
        text += 'The answer has no body.\n\n'
    return text


def generate(srcdir):
    with open(os.path.join(srcdir, 'api', 'openapi.json')) as f:
        doc = json.load(f)
    apiref = os.path.join(srcdir, 'api-ref')
    out = os.path.join(apiref, 'generated')
    os.makedirs(out, exist_ok=True)
    samples_dir = os.path.join(apiref, 'samples')
    params = _Parameters()
    pages = {}
    for path in sorted(doc['paths']):
        item = doc['paths'][path]
        for method in ('get', 'post', 'put', 'delete'):
            if method in item:
                op = item[method]
                tag = op['tags'][0]
                pages.setdefault(tag, []).append(
                    _operation(path, method, op, params, samples_dir))
    for tag, sections in pages.items():
        with open(os.path.join(out, '%s.inc' % tag), 'w') as f:
            f.write(''.join(sections))
    params.dump(os.path.join(out, 'parameters.yaml'))
    return sorted(pages)


def _builder_inited(app):
    generate(app.srcdir)


def setup(app):
    app.connect('builder-inited', _builder_inited)
    return {'parallel_read_safe': True}
