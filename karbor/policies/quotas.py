"""Policies of /quotas and /quota_classes."""

from karbor.policies import base

GET = 'karbor:quota:get'
GET_DEFAULT = 'karbor:quota:get_default'
UPDATE = 'karbor:quota:update'
CLASS_GET = 'karbor:quota_class:get'
CLASS_UPDATE = 'karbor:quota_class:update'

_P = '/v1/{project_id}/quotas/{quota_project_id}'
_C = '/v1/{project_id}/quota_classes/{quota_class_name}'

rules = [
    base.rule(GET, 'Show the quotas of a project (with their usage: '
              '/detail). A reader of the project, or a cloud '
              'administrator for any project.',
              [('GET', _P), ('GET', _P + '/detail')], base.READER,
              'quota:get'),
    base.rule(GET_DEFAULT, 'Show the default quotas a project gets.',
              [('GET', _P + '/defaults')], base.READER, 'quota:get_default'),
    base.admin(UPDATE, 'Set the quotas of a project.', [('PUT', _P)],
               'quota:update'),
    base.admin(CLASS_GET, 'Show a quota class (``default``: the limits of '
               'every project without its own).', [('GET', _C)],
               'quota_class:get'),
    base.admin(CLASS_UPDATE, 'Set the limits of a quota class.',
               [('PUT', _C)], 'quota_class:update'),
]


def list_rules():
    return rules
