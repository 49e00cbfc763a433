"""Schema pieces shared by several resources, and the API's limits.

These schemas validate what the API receives and describe what it answers;
``karbor.api.openapi`` turns the same objects into the OpenAPI document,
so the descriptions here are the API reference.
"""

# The limits of the API, stated in the OpenAPI document. A request beyond
# one is refused with a 400 that names it (413 for the body size, which is
# [oslo_middleware] max_request_body_size).
MAX_PLAN_RESOURCES = 5000
MAX_NAME_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 255
MAX_ID_LENGTH = 255
# Keys of a parameters object: one per resource type, or per resource.
MAX_PARAMETER_KEYS = MAX_PLAN_RESOURCES
# Keys of the options of one type or resource, and of any other object
# given by the caller (extra_info).
MAX_OBJECT_KEYS = 100
MAX_VALUE_LENGTH = 4096
# The dict of a query string (protectables' ``parameters``).
MAX_QUERY_DICT_LENGTH = 4096


def described(schema, description):
    return dict(schema, description=description)


uuid = {'type': 'string', 'format': 'uuid'}

name = {'type': 'string', 'minLength': 1, 'maxLength': MAX_NAME_LENGTH}

description = {'type': ['string', 'null'],
               'maxLength': MAX_DESCRIPTION_LENGTH}

# An object given by the caller and kept as it is.
free_object = {'type': 'object', 'maxProperties': MAX_OBJECT_KEYS}

# Parameters keyed by resource type or "<type>#<id>", each an object.
parameters = {
    'type': 'object',
    'description': (
        'Keyed by resource type (``OS::Cinder::Volume``) or by one '
        'resource (``OS::Cinder::Volume#<id>``, which overrides the '
        'type). Each value must fit the schema the provider publishes '
        'for that type in its ``extended_info_schema``.'),
    'maxProperties': MAX_PARAMETER_KEYS,
    'propertyNames': {'type': 'string', 'minLength': 1,
                      'maxLength': MAX_ID_LENGTH,
                      'pattern': '^[^#]+(#[^#]+)?$'},
    'additionalProperties': free_object,
}

resource = {
    'type': 'object',
    'properties': {
        'id': {'type': 'string', 'minLength': 1,
               'maxLength': MAX_ID_LENGTH,
               'description': 'Id of the resource, as its protectable '
                              'lists it.'},
        'type': {'type': 'string', 'minLength': 1,
                 'maxLength': MAX_ID_LENGTH,
                 'description': 'Resource type, such as '
                                '``OS::Local::Directory``.'},
        'name': {'type': 'string', 'maxLength': MAX_NAME_LENGTH,
                 'description': 'Display name; the protectable\'s name '
                                'when absent.'},
        'extra_info': {'type': ['object', 'null'],
                       'maxProperties': MAX_OBJECT_KEYS,
                       'description': 'Ignored: the server records what '
                                      'the protectable reports.'},
    },
    'required': ['id', 'type'],
    'additionalProperties': False,
}


def wrapped(key, inner):
    """``{key: inner}`` and nothing else."""
    return {'type': 'object', 'properties': {key: inner},
            'required': [key], 'additionalProperties': False}


# Responses

# Not RFC 3339's date-time: upstream Karbor gave no zone designator.
timestamp = {'type': ['string', 'null'],
             'pattern': r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$',
             'description': 'UTC, ISO 8601, without a zone designator.'}

# A resource as a plan, a checkpoint or a protectable answers it.
resource_out = {
    'type': 'object',
    'properties': {
        'id': {'type': 'string'},
        'type': {'type': 'string'},
        'name': {'type': 'string'},
        'extra_info': {'type': ['object', 'null']},
    },
    'required': ['id', 'type', 'name'],
}

links = {
    'type': 'array',
    'description': 'A ``next`` link when the page is full.',
    'items': {
        'type': 'object',
        'properties': {'rel': {'type': 'string', 'enum': ['next']},
                       'href': {'type': 'string'}},
        'required': ['rel', 'href'],
        'additionalProperties': False,
    },
}

# Per-resource status and reason maps, keyed "<type>#<id>".
resource_map = {'type': 'object',
                'additionalProperties': {'type': 'string'}}


def show(key, item):
    """The answer ``{key: item}``."""
    return wrapped(key, item)


def index(plural, item):
    """The answer of a list: ``{plural: [item], plural_links: [...]}``."""
    return {'type': 'object',
            'properties': {plural: {'type': 'array', 'items': item},
                           plural + '_links': links},
            'required': [plural, plural + '_links'],
            'additionalProperties': False}


# Query strings. Values arrive as text: karbor.api.validation reads
# integers and booleans before it checks them.

def sort_pattern(keys):
    key = '(%s)' % '|'.join(keys)
    item = '%s(:(asc|desc))?' % key
    return '^%s(,%s)*$' % (item, item)


def list_query(sort_keys, filters, all_tenants=True):
    """The query of a list: paging, sorting, ``all_tenants`` and
    ``project_id`` for administrators, and the equality ``filters``."""
    properties = {
        'marker': described(uuid, 'Id of the last item of the previous '
                                  'page.'),
        'limit': {'type': 'integer', 'minimum': 1,
                  'description': 'Items per page; at most '
                                 '``[api] max_limit`` (1000).'},
        'sort': {'type': 'string', 'maxLength': MAX_NAME_LENGTH,
                 'pattern': sort_pattern(sort_keys),
                 'description': 'key:dir[,key:dir] with keys %s and dir '
                                'asc or desc.' % ', '.join(sort_keys)},
        'sort_key': {'type': 'string', 'enum': list(sort_keys),
                     'description': 'Older form of ``sort``.'},
        'sort_dir': {'type': 'string', 'enum': ['asc', 'desc'],
                     'description': 'Older form of ``sort``.'},
    }
    if all_tenants:
        properties.update({
            'all_tenants': {'type': 'boolean',
                            'description': 'Administrators: list every '
                                           'project (1, true).'},
            'project_id': {'type': 'string', 'minLength': 1,
                           'maxLength': MAX_ID_LENGTH,
                           'description': 'Administrators: list this '
                                          'project.'},
        })
    properties.update(filters)
    return {'type': 'object', 'properties': properties,
            'additionalProperties': False}


def filter_string(description):
    return {'type': 'string', 'maxLength': MAX_NAME_LENGTH,
            'description': description}


def filter_enum(values, description):
    return {'type': 'string', 'enum': list(values),
            'description': description}


def filter_uuid(description):
    return described(uuid, description)


# Files and bytes done of total of a protect or restore, while it runs and
# after.
progress = {'type': 'object',
            'description': 'Files and bytes done of the total (files_done, '
                           'files_total, bytes_done, bytes_total), while '
                           'it runs and after.'}

# What a protect or restore could not copy as it was.
not_copied = {
    'type': 'object',
    'properties': {
        'count': {'type': 'integer', 'minimum': 0},
        'first': {'type': 'array', 'items': {'type': 'string'},
                  'description': 'The first paths, each with why.'},
    },
    'required': ['count', 'first'],
    'description': 'How many paths were not copied as they were (special '
                   'files, what changed type meanwhile, setuid bits), and '
                   'the first of them.'}
