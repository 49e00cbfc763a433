"""Response bodies of /protectables."""


def instance(resource, dependents=()):
    return {
        'id': resource.id,
        'type': resource.type,
        'name': resource.name,
        'extra_info': resource.extra_info,
        'dependent_resources': [
            {'id': d.id, 'type': d.type, 'name': d.name,
             'extra_info': d.extra_info} for d in dependents],
    }
