"""karbor.common.policy and the documented defaults of karbor.policies."""

import re

from oslo_policy import policy as oslo_policy

from karbor.common import context
from karbor.common import exception
from karbor.common import policy
from karbor import policies
from karbor.policies import base as base_policies
from karbor.policies import services as service_policies
from karbor.tests import base
from karbor.tests.unit import helpers

# API rules are '<resource>:<action>' (service:get_all, plan:create, ...).
API_RULE_NAME = re.compile(r'^[a-z][a-z_]*:[a-z][a-z_]*$')


def member(project='p1'):
    return context.RequestContext(user_id='bob', project_id=project,
                                  roles=['member'])


def admin(project='p1'):
    return context.RequestContext(user_id='alice', project_id=project,
                                  roles=['admin'], is_admin=True)


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

    def test_admin_or_owner(self):
        rule = 'admin_or_owner'
        self.assertTrue(policy.check(member('p1'), rule))
        self.assertTrue(policy.check(member('p1'), rule,
                                     {'project_id': 'p1'}))
        self.assertFalse(policy.check(member('p1'), rule,
                                      {'project_id': 'p2'}))
        self.assertTrue(policy.check(admin('p1'), rule,
                                     {'project_id': 'p2'}))

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
        # A policy.yaml can open service:get_all to everyone.
        path = self.state_path + '/policy.yaml'
        with open(path, 'w') as f:
            f.write('"service:get_all": ""\n')
        self.conf.config(policy_file=path, group='oslo_policy')
        policy.reset()
        self.assertTrue(policy.check(member(), service_policies.GET_ALL))
        self.assertFalse(policy.check(member(), service_policies.UPDATE))


class DefaultsTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(helpers.ParsedConf())

    def test_every_rule_is_described_and_named(self):
        rules = policies.list_rules()
        names = [r.name for r in rules]
        self.assertEqual(len(names), len(set(names)), 'duplicate rule')
        base_names = {r.name for r in base_policies.list_rules()}
        self.assertEqual({'context_is_admin', 'admin_or_owner', 'admin_api'},
                         base_names)
        for rule in rules:
            self.assertIsInstance(rule, oslo_policy.RuleDefault)
            self.assertTrue(rule.description and rule.description.strip(),
                            rule.name)
            if rule.name in base_names:
                continue
            self.assertIsInstance(rule, oslo_policy.DocumentedRuleDefault,
                                  rule.name)
            self.assertRegex(rule.name, API_RULE_NAME)
            self.assertTrue(rule.operations, rule.name)
            for op in rule.operations:
                self.assertIn(op['method'],
                              ('GET', 'POST', 'PUT', 'PATCH', 'DELETE'))
                self.assertTrue(op['path'].startswith('/v1/{project_id}/'),
                                rule.name)

    def test_services_rules(self):
        rules = {r.name: r for r in service_policies.list_rules()}
        self.assertEqual({'service:get_all', 'service:update'}, set(rules))
        for rule in rules.values():
            self.assertEqual(base_policies.RULE_ADMIN_API, rule.check_str)

    def test_rules_reference_only_defined_rules(self):
        enforcer = policy.get_enforcer()
        enforcer.load_rules()
        self.assertTrue(enforcer.check_rules(raise_on_violation=True))
