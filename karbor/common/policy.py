"""oslo.policy enforcement with the defaults declared in karbor.policies."""

import time

from oslo_config import cfg
from oslo_policy import policy

from karbor.common import exception
from karbor import policies
from karbor.policies import base as base_policies

_ENFORCER = None

# Seconds between two looks at the policy files for a change.
RELOAD_INTERVAL = 1.0


class Enforcer(policy.Enforcer):
    """oslo.policy's enforcer, looking at the policy files for a change at
    most once every RELOAD_INTERVAL seconds rather than at every check:
    without a policy file (policy in code, the default) it searched every
    configuration directory for one, and ``policy.d``, at each of the
    checks of every request; profiled, a tenth of an empty list's time."""

    _next_look = 0.0

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if force_reload or not self.rules or now >= self._next_look:
            super().load_rules(force_reload)
            self._next_look = now + RELOAD_INTERVAL


def get_enforcer():
    """The process-wide enforcer (also the oslo.policy.enforcer entry)."""
    global _ENFORCER
    if _ENFORCER is None:
        _ENFORCER = Enforcer(cfg.CONF)
        _ENFORCER.register_defaults(policies.list_rules())
    return _ENFORCER


def reset():
    global _ENFORCER
    if _ENFORCER is not None:
        _ENFORCER.clear()
    _ENFORCER = None


def authorize(context, rule, target=None):
    """Raise PolicyNotAuthorized unless ``context`` may do ``rule``.

    ``target`` defaults to the caller's own project, which is what a
    create or a list acts on.
    """
    if target is None:
        target = {'project_id': context.project_id,
                  'user_id': context.user_id}
    try:
        return get_enforcer().authorize(
            rule, target, context, do_raise=True,
            exc=exception.PolicyNotAuthorized, action=rule)
    except policy.InvalidScope:
        raise exception.PolicyNotAuthorized(
            action='%s with a token that is not scoped to a project' % rule)
    except policy.PolicyNotRegistered:
        raise exception.KarborException(
            'Policy %s is not registered' % rule)


def check_is_admin(context):
    """Whether the caller is a cloud administrator: the
    ``context_is_admin`` rule, on the caller's own credentials."""
    creds = context.to_policy_values()
    return get_enforcer().authorize(base_policies.CONTEXT_IS_ADMIN, creds,
                                    context)


def check(context, rule, target=None):
    """Like authorize, but answer True or False."""
    try:
        authorize(context, rule, target)
    except exception.PolicyNotAuthorized:
        return False
    return True
