"""Rules every resource's policies are written in terms of."""

from oslo_policy import policy

RULE_ADMIN_OR_OWNER = 'rule:admin_or_owner'
RULE_ADMIN_API = 'rule:admin_api'

rules = [
    policy.RuleDefault(
        'context_is_admin', 'role:admin',
        description='Decides who is an administrator of Karbor.'),
    policy.RuleDefault(
        'admin_or_owner',
        'is_admin:True or rule:context_is_admin or '
        'project_id:%(project_id)s',
        description='An administrator, or a member of the project that '
                    'owns the object.'),
    policy.RuleDefault(
        'admin_api', 'is_admin:True or rule:context_is_admin',
        description='Administrators only.'),
]


def list_rules():
    return rules


def rule(name, description, method, path, check_str=RULE_ADMIN_OR_OWNER):
    """A documented default for one API operation."""
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': method, 'path': path}])
