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


# Decisions remembered between two looks at the policy files; past this
# many different (rule, target, credentials), they are forgotten at once.
MAX_DECISIONS = 4096


def _frozen(mapping):
    """A hashable copy of a flat mapping of credentials or target values
    (lists become tuples; a value that cannot be hashed makes the key
    fail at lookup, with TypeError). In the mapping's order: the same
    values in another order only make another key."""
    return tuple((key, tuple(value) if isinstance(value, list) else value)
                 for key, value in mapping.items())


class _Refused(Exception):
    """oslo.policy's refusal inside :meth:`Enforcer.decide`."""

    def __init__(self, *args, **kwargs):
        super().__init__()


class Enforcer(policy.Enforcer):
    """oslo.policy's enforcer, looking at the policy files for a change at
    most once every RELOAD_INTERVAL seconds rather than at every check:
    without a policy file (policy in code, the default) it searched every
    configuration directory for one, and ``policy.d``, at each of the
    checks of every request; profiled, a tenth of an empty list's time.

    It also remembers its decisions (:meth:`decide`): a rule is a pure
    function of the target and the caller's credentials, and evaluating
    one made oslo.policy inspect the signature of every check of the rule
    (``inspect.getfullargspec``), each time: profiled, a sixth of an
    empty list's time. What it remembers is forgotten whenever the rules
    change (``set_rules``, ``clear``, a reload) and at every look at the
    policy files, so that a changed file or a remote (``http:``) check
    is followed within RELOAD_INTERVAL, as before.
    """

    _next_look = 0.0

    def __init__(self, *args, **kwargs):
        self._decisions = {}
        super().__init__(*args, **kwargs)

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if force_reload or not self.rules or now >= self._next_look:
            # A new dict, not clear(): a decision being made with the
            # rules before this look lands in the old one.
            self._decisions = {}
            super().load_rules(force_reload)
            self._next_look = now + RELOAD_INTERVAL

    def set_rules(self, *args, **kwargs):
        self._decisions = {}
        super().set_rules(*args, **kwargs)
        self._decisions = {}

    def clear(self):
        self._decisions = {}
        super().clear()
        self._decisions = {}

    def _evaluate(self, rule, target, creds):
        # do_raise: a token of the wrong scope raises InvalidScope (only
        # then does oslo.policy tell it apart from a refusal).
        try:
            return bool(self.authorize(rule, target, creds, do_raise=True,
                                       exc=_Refused))
        except _Refused:
            return False

    def decide(self, rule, target, creds):
        """``authorize(rule, target, creds)`` (True or False; oslo.policy's
        errors, such as InvalidScope or PolicyNotRegistered, raised), the
        answer remembered for the same rule, target and credentials."""
        self.load_rules()
        decisions = self._decisions
        values = creds.to_policy_values() if hasattr(
            creds, 'to_policy_values') else creds
        key = (rule, _frozen(target), _frozen(values))
        try:
            return decisions[key]
        except KeyError:
            pass
        except TypeError:
            return self._evaluate(rule, target, creds)
        allowed = self._evaluate(rule, target, creds)
        if len(decisions) >= MAX_DECISIONS:
            decisions = self._decisions = {}
        decisions[key] = allowed
        return allowed


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
        allowed = get_enforcer().decide(rule, target, context)
    except policy.InvalidScope:
        raise exception.PolicyNotAuthorized(
            action='%s with a token that is not scoped to a project' % rule)
    except policy.PolicyNotRegistered:
        raise exception.KarborException(
            'Policy %s is not registered' % rule)
    if not allowed:
        raise exception.PolicyNotAuthorized(action=rule)
    return True


def check_is_admin(context):
    """Whether the caller is a cloud administrator: the
    ``context_is_admin`` rule, on the caller's own credentials."""
    creds = context.to_policy_values()
    return get_enforcer().decide(base_policies.CONTEXT_IS_ADMIN, creds,
                                 context)


def check(context, rule, target=None):
    """Like authorize, but answer True or False."""
    try:
        authorize(context, rule, target)
    except exception.PolicyNotAuthorized:
        return False
    return True
