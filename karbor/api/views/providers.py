"""Response bodies of /providers."""


def provider(p):
    return {'id': p.id, 'name': p.name, 'description': p.description,
            'extended_info_schema': p.extended_info_schema,
            'bank': {'type': p.bank_type}}
