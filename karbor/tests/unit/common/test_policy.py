"""karbor.common.policy and the documented defaults of karbor.policies."""

import re
from unittest import mock
import warnings

from oslo_policy import policy as oslo_policy

from karbor.common import context
from karbor.common import exception
from karbor.common import policy
from karbor import policies
from karbor.policies import base as base_policies
from karbor.policies import services as service_policies
from karbor.tests import base
from karbor.tests.unit import helpers

# API rules are 'karbor:<resource>:<action>' (karbor:plan:create, ...) or
# karbor:all_tenants; upstream Karbor's names ('plan:create') are their
# deprecated aliases.
API_RULE_NAME = re.compile(r'^karbor:[a-z][a-z_]*(:[a-z][a-z_]*)?$')
LEGACY_RULE_NAME = re.compile(r'^[a-z][a-z_]*:[a-z][a-z_]*$')


def reader(project='p1'):
    return context.RequestContext(user_id='rita', project_id=project,
                                  roles=['reader'])


def member(project='p1'):
    # Keystone's tokens carry the implied roles too.
    return context.RequestContext(user_id='bob', project_id=project,
                                  roles=['member', 'reader'])


def admin(project='p1'):
    return context.RequestContext(user_id='alice', project_id=project,
                                  roles=['admin', 'member', 'reader'],
                                  is_admin=True)


def project_admin(project='p1'):
    """The admin role on a project that is not the cloud's admin
    project (Keystone's token says is_admin_project=False)."""
    return context.RequestContext(user_id='betty', project_id=project,
                                  roles=['admin', 'member', 'reader'],
                                  is_admin_project=False)


class AuthorizeTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(helpers.ParsedConf())

    def test_member_is_refused_admin_api_rules(self):
        for rule in (service_policies.GET_ALL, service_policies.UPDATE):
            e = self.assertRaises(exception.PolicyNotAuthorized,
                                  policy.authorize, member(), rule)
            self.assertEqual(
                "Policy doesn't allow %s to be performed." % rule, str(e))
            self.assertEqual(403, e.code)
            self.assertFalse(policy.check(member(), rule))

    def test_admin_passes(self):
        for rule in (service_policies.GET_ALL, service_policies.UPDATE):
            policy.authorize(admin(), rule)
            self.assertTrue(policy.check(admin(), rule))

    def test_admin_role_alone_is_enough(self):
        ctx = context.RequestContext(project_id='p1', roles=['Admin'])
        self.assertFalse(ctx.is_admin)
        # oslo.policy's role check is case-insensitive.
        self.assertTrue(policy.check(ctx, service_policies.GET_ALL))

    def test_is_admin_context_passes_without_role(self):
        self.assertTrue(policy.check(context.get_admin_context(),
                                     service_policies.UPDATE))

    def test_personas(self):
        p1, p2 = {'project_id': 'p1'}, {'project_id': 'p2'}
        expected = {
            # persona: (reader of p1, member of p1, reader of p2,
            #           member of p2, cloud administrator)
            'reader': (True, False, False, False, False),
            'member': (True, True, False, False, False),
            'project_admin': (True, True, False, False, False),
            'admin': (True, True, True, True, True),
        }
        for name, ctx in (('reader', reader()), ('member', member()),
                          ('project_admin', project_admin()),
                          ('admin', admin())):
            got = (policy.check(ctx, 'project_reader_or_admin', p1),
                   policy.check(ctx, 'project_member_or_admin', p1),
                   policy.check(ctx, 'project_reader_or_admin', p2),
                   policy.check(ctx, 'project_member_or_admin', p2),
                   policy.check(ctx, base_policies.CONTEXT_IS_ADMIN))
            self.assertEqual(expected[name], got, name)

    def test_check_is_admin_follows_the_rule(self):
        self.assertTrue(policy.check_is_admin(admin()))
        self.assertFalse(policy.check_is_admin(project_admin()))
        self.assertFalse(policy.check_is_admin(member()))
        path = self.state_path + '/policy.yaml'
        with open(path, 'w') as f:
            f.write('"context_is_admin": "role:admin"\n')
        self.conf.config(policy_file=path, group='oslo_policy')
        policy.reset()
        self.assertTrue(policy.check_is_admin(project_admin()))

    def test_a_token_without_project_scope_is_refused(self):
        ctx = context.RequestContext(user_id='sam', roles=['admin'],
                                     system_scope='all')
        e = self.assertRaises(exception.PolicyNotAuthorized,
                              policy.authorize, ctx,
                              service_policies.GET_ALL)
        self.assertIn('not scoped to a project', str(e))

    def test_unregistered_rule(self):
        e = self.assertRaises(exception.KarborException, policy.authorize,
                              admin(), 'nothing:here')
        self.assertNotIsInstance(e, exception.PolicyNotAuthorized)
        self.assertIn('nothing:here', str(e))

    def test_enforcer_is_shared_and_reset(self):
        enforcer = policy.get_enforcer()
        self.assertIs(enforcer, policy.get_enforcer())
        policy.reset()
        self.assertIsNot(enforcer, policy.get_enforcer())

    def test_operator_override(self):
        # A policy.yaml can open karbor:service:get_all to everyone.
        path = self.state_path + '/policy.yaml'
        with open(path, 'w') as f:
            f.write('"karbor:service:get_all": ""\n')
        self.conf.config(policy_file=path, group='oslo_policy')
        policy.reset()
        self.assertTrue(policy.check(member(), service_policies.GET_ALL))
        self.assertFalse(policy.check(member(), service_policies.UPDATE))

    def test_a_changed_policy_file_is_read_within_the_interval(self):
        path = self.state_path + '/policy.yaml'
        with open(path, 'w') as f:
            f.write('"karbor:service:get_all": ""\n')
        self.conf.config(policy_file=path, group='oslo_policy')
        policy.reset()
        self.assertTrue(policy.check(member(), service_policies.GET_ALL))
        with open(path, 'w') as f:
            f.write('"karbor:service:get_all": "!"\n')
        # Within the interval the rules read last still apply...
        self.assertGreater(policy.RELOAD_INTERVAL, 0)
        policy.get_enforcer()._next_look = float('inf')
        self.assertTrue(policy.check(member(), service_policies.GET_ALL))
        # ...and once it has passed, the file is read again.
        policy.get_enforcer()._next_look = 0.0
        self.assertFalse(policy.check(member(), service_policies.GET_ALL))

    def test_a_decision_follows_rules_set_in_the_process(self):
        self.assertFalse(policy.check(member(), service_policies.GET_ALL))
        enforcer = policy.get_enforcer()
        enforcer._next_look = float('inf')
        enforcer.set_rules(oslo_policy.Rules.from_dict(
            {service_policies.GET_ALL: ''}), overwrite=False)
        self.assertTrue(policy.check(member(), service_policies.GET_ALL))
        enforcer.set_rules(oslo_policy.Rules.from_dict(
            {service_policies.GET_ALL: '!'}), overwrite=False)
        self.assertFalse(policy.check(admin(), service_policies.GET_ALL))

    def test_decisions_are_remembered_per_credentials_and_target_mocked(
            self):
        """Counts oslo.policy's evaluations with a mock that wraps them."""
        enforcer = policy.get_enforcer()
        enforcer.load_rules()
        enforcer._next_look = float('inf')
        rule = 'project_reader_or_admin'
        with mock.patch.object(oslo_policy.Enforcer, 'authorize',
                               autospec=True,
                               side_effect=oslo_policy.Enforcer.authorize
                               ) as evaluated:
            for _ in range(3):
                self.assertTrue(policy.check(reader(), rule,
                                             {'project_id': 'p1'}))
            self.assertEqual(1, evaluated.call_count)
            # Another target, another caller: evaluated, and answered as
            # the rule says.
            self.assertFalse(policy.check(reader(), rule,
                                          {'project_id': 'p2'}))
            self.assertFalse(policy.check(reader('p3'), rule,
                                          {'project_id': 'p1'}))
            self.assertTrue(policy.check(admin('p3'), rule,
                                         {'project_id': 'p1'}))
            self.assertEqual(4, evaluated.call_count)
            # The next look at the policy files forgets them.
            enforcer._next_look = 0.0
            self.assertTrue(policy.check(reader(), rule,
                                         {'project_id': 'p1'}))
            self.assertEqual(5, evaluated.call_count)

    def test_override_under_upstream_name(self):
        # An upstream Karbor policy file still says service:update.
        path = self.state_path + '/policy.yaml'
        with open(path, 'w') as f:
            f.write('"service:update": "role:member"\n')
        self.conf.config(policy_file=path, group='oslo_policy')
        policy.reset()
        with warnings.catch_warnings(record=True):
            warnings.simplefilter('always')
            self.assertTrue(policy.check(member(), service_policies.UPDATE))
        self.assertFalse(policy.check(reader(), service_policies.UPDATE))


class DefaultsTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(helpers.ParsedConf())

    def test_every_rule_is_described_and_named(self):
        rules = policies.list_rules()
        names = [r.name for r in rules]
        self.assertEqual(len(names), len(set(names)), 'duplicate rule')
        generic = {r.name for r in base_policies.list_rules()
                   if not isinstance(r, oslo_policy.DocumentedRuleDefault)}
        self.assertEqual({'context_is_admin', 'project_reader',
                          'project_member', 'project_reader_or_admin',
                          'project_member_or_admin'}, generic)
        for rule in rules:
            self.assertIsInstance(rule, oslo_policy.RuleDefault)
            self.assertTrue(rule.description and rule.description.strip(),
                            rule.name)
            if rule.name in generic:
                continue
            self.assertIsInstance(rule, oslo_policy.DocumentedRuleDefault,
                                  rule.name)
            self.assertRegex(rule.name, API_RULE_NAME)
            self.assertEqual(['project'], rule.scope_types, rule.name)
            if rule.deprecated_rule is not None:
                self.assertRegex(rule.deprecated_rule.name, LEGACY_RULE_NAME)
                self.assertEqual(rule.name,
                                 'karbor:' + rule.deprecated_rule.name)
            self.assertTrue(rule.operations, rule.name)
            for op in rule.operations:
                self.assertIn(op['method'],
                              ('GET', 'POST', 'PUT', 'PATCH', 'DELETE'))
                self.assertTrue(op['path'].startswith('/v1/{project_id}/'),
                                rule.name)

    def test_services_rules(self):
        rules = {r.name: r for r in service_policies.list_rules()}
        self.assertEqual({'karbor:service:get_all', 'karbor:service:update'},
                         set(rules))
        for rule in rules.values():
            self.assertEqual(base_policies.ADMIN, rule.check_str)

    def test_personas_of_the_api_rules(self):
        """Reads are for readers, writes for members, the rest for cloud
        administrators."""
        admin_only = {'karbor:all_tenants', 'karbor:service:get_all',
                      'karbor:service:update',
                      'karbor:provider:checkpoint_update',
                      'karbor:verification:reset_state',
                      'karbor:restore:reset_state',
                      'karbor:quota:update', 'karbor:quota_class:get',
                      'karbor:quota_class:update'}
        for rule in policies.list_rules():
            if not isinstance(rule, oslo_policy.DocumentedRuleDefault):
                continue
            methods = {op['method'] for op in rule.operations}
            if rule.name in admin_only:
                expected = base_policies.ADMIN
            elif methods == {'GET'}:
                expected = base_policies.READER
            else:
                expected = base_policies.MEMBER
            self.assertEqual(expected, rule.check_str, rule.name)

    def test_rules_reference_only_defined_rules(self):
        enforcer = policy.get_enforcer()
        enforcer.load_rules()
        self.assertTrue(enforcer.check_rules(raise_on_violation=True))
