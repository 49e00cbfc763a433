"""The personas of Karbor's default policy, and the rules every resource's
policies are written in terms of.

Three project-scoped personas, as in today's OpenStack services, from the
roles of the caller's token on the project of the object:

* **reader** lists and shows everything of its project;
* **member** (Keystone's ``member`` implies ``reader``) also creates,
  updates and deletes plans, checkpoints, verifications and restores;
* the **cloud administrator** (``context_is_admin``) acts on every
  project's objects, lists across projects (``all_tenants``), resets
  states and manages the services.

Who is a cloud administrator is a rule, not a role name in code: by
default the ``admin`` role on the cloud's admin project (Keystone's
``[resource] admin_project_name``; Keystone marks tokens of that project
``is_admin_project``), so that the administrator of one project is not an
administrator of the cloud. A Keystone without an admin project marks
every token ``is_admin_project``; there, any ``admin`` role holder is a
cloud administrator.
"""

from oslo_policy import policy

CONTEXT_IS_ADMIN = 'context_is_admin'
ALL_TENANTS = 'karbor:all_tenants'

ADMIN = 'rule:context_is_admin'
READER = 'rule:project_reader_or_admin'
MEMBER = 'rule:project_member_or_admin'

# The single default of upstream Karbor's rules, under their old names.
_LEGACY_OWNER = 'is_admin:True or role:admin or project_id:%(project_id)s'
_LEGACY_ADMIN = 'is_admin:True or role:admin'
_DEPRECATION = ('Karbor\'s policies are now named karbor:<resource>:<action> '
                'and default to the reader, member and admin personas.')
_SINCE = '2026.1'

rules = [
    policy.RuleDefault(
        CONTEXT_IS_ADMIN, 'role:admin and is_admin_project:True',
        description='Who is a cloud administrator of Karbor: may act on the '
                    'objects of every project, list across projects, reset '
                    'states and manage services. By default the admin role '
                    'on the cloud\'s admin project.'),
    policy.RuleDefault(
        'project_reader', 'role:reader and project_id:%(project_id)s',
        description='A reader (or member) of the project that owns the '
                    'object.'),
    policy.RuleDefault(
        'project_member', 'role:member and project_id:%(project_id)s',
        description='A member of the project that owns the object.'),
    policy.RuleDefault(
        'project_reader_or_admin', 'rule:project_reader or ' + ADMIN,
        description='A reader of the project that owns the object, or a '
                    'cloud administrator.'),
    policy.RuleDefault(
        'project_member_or_admin', 'rule:project_member or ' + ADMIN,
        description='A member of the project that owns the object, or a '
                    'cloud administrator.'),
    policy.DocumentedRuleDefault(
        name=ALL_TENANTS, check_str=ADMIN,
        description='List the objects of every project (all_tenants=1), or '
                    'of another project (all_tenants=1&project_id=...).',
        operations=[{'method': 'GET',
                     'path': '/v1/{project_id}/%s?all_tenants=1' % path}
                    for path in ('plans', 'providers/{provider_id}/'
                                 'checkpoints', 'restores', 'verifications',
                                 'operation_logs', 'triggers',
                                 'scheduled_operations')],
        scope_types=['project']),
]


def list_rules():
    return rules


def rule(name, description, operations, check_str, legacy_name=None):
    """A documented default for API operations ``[(method, path), ...]``;
    ``legacy_name``: the name upstream Karbor gave it, still honoured in
    a policy file."""
    deprecated = None
    if legacy_name:
        deprecated = policy.DeprecatedRule(
            name=legacy_name,
            check_str=_LEGACY_ADMIN if check_str == ADMIN else _LEGACY_OWNER,
            deprecated_reason=_DEPRECATION, deprecated_since=_SINCE)
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{'method': m, 'path': p} for m, p in operations],
        deprecated_rule=deprecated, scope_types=['project'])


def reader(name, description, method, path, legacy_name=None):
    return rule(name, description, [(method, path)], READER, legacy_name)


def member(name, description, method, path, legacy_name=None):
    return rule(name, description, [(method, path)], MEMBER, legacy_name)


def admin(name, description, operations, legacy_name=None):
    return rule(name, description, operations, ADMIN, legacy_name)
