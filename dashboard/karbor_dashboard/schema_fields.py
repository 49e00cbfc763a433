"""Form fields built from a provider's JSON schemas (options_schema for
plans, restore_schema for restores, verify_schema for verifications)."""

import re

from django import forms


def field_name(prefix, resource_type, prop):
    return '%s__%s__%s' % (prefix, re.sub(r'\W+', '_', resource_type), prop)


def _field(resource_type, prop, spec, required):
    label = '%s: %s' % (resource_type, spec.get('title') or prop)
    help_text = spec.get('description', '')
    default = spec.get('default')
    if spec.get('enum'):
        choices = [('', '-')] if not required else []
        choices += [(str(v), str(v)) for v in spec['enum']]
        return forms.ChoiceField(label=label, choices=choices,
                                 required=required, help_text=help_text,
                                 initial=default)
    kind = spec.get('type')
    if kind == 'boolean':
        return forms.BooleanField(label=label, required=False,
                                  help_text=help_text,
                                  initial=bool(default))
    if kind == 'integer':
        return forms.IntegerField(label=label, required=required,
                                  help_text=help_text, initial=default,
                                  min_value=spec.get('minimum'),
                                  max_value=spec.get('maximum'))
    return forms.CharField(label=label, required=required,
                           help_text=help_text, initial=default,
                           max_length=spec.get('maxLength'))


def add_fields(form, prefix, schemas, resource_types=None):
    """Add a field per property of ``schemas`` ({resource type: schema}),
    for ``resource_types`` only if given; remember them on the form."""
    found = getattr(form, 'schema_fields', {})
    for rtype, schema in sorted((schemas or {}).items()):
        if resource_types is not None and rtype not in resource_types:
            continue
        required = set((schema or {}).get('required') or ())
        for prop, spec in sorted(((schema or {}).get('properties')
                                  or {}).items()):
            name = field_name(prefix, rtype, prop)
            form.fields[name] = _field(rtype, prop, spec or {},
                                       prop in required)
            found[name] = (rtype, prop, spec or {})
    form.schema_fields = found


def values(form, data, resource_types):
    """{resource type: {property: value}} of the fields the user filled
    (a value equal to the schema's default is left to the provider)."""
    params = {}
    for name, (rtype, prop, spec) in form.schema_fields.items():
        if rtype not in resource_types:
            continue
        value = data.get(name)
        if value in (None, ''):
            continue
        if spec.get('type') == 'boolean' and value == bool(
                spec.get('default')):
            continue
        if spec.get('enum') and spec.get('type') == 'integer':
            value = int(value)
        params.setdefault(rtype, {})[prop] = value
    return params
