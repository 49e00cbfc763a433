"""Policies of /os-services."""

from oslo_policy import policy

from karbor.policies import base

GET_ALL = 'service:get_all'
UPDATE = 'service:update'

rules = [
    policy.DocumentedRuleDefault(
        name=GET_ALL, check_str=base.RULE_ADMIN_API,
        description='List the Karbor services and their state, or show '
                    'one.',
        operations=[{'method': 'GET',
                     'path': '/v1/{project_id}/os-services'},
                    {'method': 'GET',
                     'path': '/v1/{project_id}/os-services/{service_id}'}]),
    policy.DocumentedRuleDefault(
        name=UPDATE, check_str=base.RULE_ADMIN_API,
        description='Enable or disable a Karbor service.',
        operations=[{'method': 'PUT',
                     'path': '/v1/{project_id}/os-services/{service_id}'}]),
]


def list_rules():
    return rules
