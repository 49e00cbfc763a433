"""Helpers shared by the v1 controllers."""

import ast

from oslo_utils import uuidutils
import pecan

from karbor.api import paging
from karbor.api import validation
from karbor.common import exception
from karbor.common import policy
from karbor.policies import base as base_policies


def context():
    return pecan.request.context


def accepted():
    """Mark the response 202: the work goes on in the protection service."""
    pecan.response.status = 202


def accepted_empty():
    """An empty 202 (no body), returned from the handler."""
    pecan.response.status = 202
    pecan.response.content_type = None
    return pecan.response


def no_content():
    """An empty 204; return it from the handler (rendering ``None`` would
    send a body, ``null``, which a 204 must not have)."""
    pecan.response.status = 204
    return pecan.response


def check_id(value, not_found):
    """Ids are UUIDs; anything else cannot name an object."""
    if not uuidutils.is_uuid_like(value):
        raise not_found
    return value


def get_visible(ctx, get, object_id, not_found, rule, plain=False):
    """The object ``get(object_id)`` if ``rule`` allows the caller on its
    project; ``not_found`` otherwise, exactly as for a missing one.
    ``plain``: ``get(object_id, plain=True)``, a read-only row for a
    view (see karbor.db.api.get_one)."""
    check_id(object_id, not_found)
    row = get(object_id, plain=True) if plain else get(object_id)
    if not policy.check(ctx, rule, {'project_id': row.project_id}):
        raise not_found
    return row


def reset_state(kind, object_id, get, not_found, rule, body_schema, reset):
    """PUT ``{"os-resetState": {"state": ...}}`` on a ``kind`` (verification,
    restore): an administrator ends one left running or corrects an ended
    one, with ``reset(id, was, state, reason)``, a compare-and-set on the
    status the administrator saw (409 if it changed meanwhile)."""
    ctx = context()
    policy.authorize(ctx, rule)
    body = validation.validated_body(body_schema)
    row = get_visible(ctx, get, object_id, not_found, rule)
    state = body['os-resetState']['state']
    reason = 'state reset to %s by %s (it was %s)' % (
        state, ctx.user_id, row.status)
    if reset(row.id, row.status, state, reason) is None:
        raise exception.InvalidState(
            reason='%s %s changed while its state was being reset (it was '
                   '%s); show it and try again' % (kind, row.id, row.status))
    return accepted_empty()


def check_own(ctx, row, kind, action):
    """``row`` (one the caller may see) belongs to the caller's project.

    Protect, verify and restore run in the caller's project, on objects of
    that project. Only whoever may see another project's objects (a cloud
    administrator) gets here with one, and is told which token to use;
    everyone else was already answered 404 by :func:`get_visible`.
    """
    if row.project_id != ctx.project_id:
        raise exception.OtherProjectsObject(
            kind=kind, object_id=row.id, owner=row.project_id,
            action=action)
    return row


def list_scope(kwargs, ctx):
    """The project a list is limited to, or None for every project.

    ``all_tenants`` (whom the ``karbor:all_tenants`` rule allows) lists
    every project, or the one named by ``project_id``; otherwise the
    caller's own project. Naming another project without ``all_tenants``
    needs the same rule.
    """
    everyone = paging.all_tenants(kwargs, ctx)
    project_id = kwargs.pop('project_id', None) or None
    if everyone:
        return project_id
    if project_id and project_id != ctx.project_id:
        policy.authorize(ctx, base_policies.ALL_TENANTS)
        return project_id
    return ctx.project_id


def filters(kwargs, allowed):
    """Pop the equality filters among ``allowed``; refuse unknown keys."""
    validation.check_query(kwargs, allowed)
    return {k: v for k, v in kwargs.items() if v not in (None, '')}


def literal_dict(value, name):
    """A dict given in a query string as a Python literal (``{'k': 'v'}``,
    the form python-karborclient sends) or as JSON, holding only what JSON
    can hold."""
    if value in (None, ''):
        return {}
    what = 'query parameter %s' % name
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        try:
            parsed = validation.loads(value, what)
        except exception.MalformedRequestBody:
            raise exception.InvalidInput(
                reason='%s must be a dictionary such as {"key": "value"}, '
                       'not %.100r' % (name, value))
    if not isinstance(parsed, dict):
        raise exception.InvalidInput(
            reason='%s must be a dictionary, not %.100r' % (name, value))
    return validation.check_document(parsed, what)
