"""List parameters shared by every collection: marker, limit, sort,
all_tenants; and the ``<plural>_links`` of a full page."""

import urllib.parse

from oslo_config import cfg
from oslo_utils import strutils
from oslo_utils import uuidutils
import pecan

from karbor.common import exception
from karbor.common import policy
from karbor.policies import base as base_policies

PAGING_PARAMS = ('marker', 'limit', 'sort', 'sort_key', 'sort_dir')


class ListParams:
    def __init__(self, marker, limit, sort_keys, sort_dirs):
        self.marker = marker
        self.limit = limit
        self.sort_keys = sort_keys
        self.sort_dirs = sort_dirs

    def db_kwargs(self):
        return {'marker': self.marker, 'limit': self.limit,
                'sort_keys': self.sort_keys, 'sort_dirs': self.sort_dirs}


def _limit(value):
    max_limit = cfg.CONF.api.max_limit
    if value is None or value == '':
        return max_limit
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise exception.InvalidInput(
            reason='limit must be a positive integer, not %r' % value)
    if limit <= 0:
        raise exception.InvalidInput(
            reason='limit must be a positive integer, not %r' % value)
    return min(limit, max_limit)


def _direction(value):
    value = (value or 'desc').lower()
    if value not in ('asc', 'desc'):
        raise exception.InvalidInput(
            reason='sort direction must be asc or desc, not %r' % value)
    return value


def parse(kwargs, sort_keys_allowed):
    """Pop the paging parameters from ``kwargs``; return ListParams."""
    marker = kwargs.pop('marker', None) or None
    if marker is not None and not uuidutils.is_uuid_like(marker):
        raise exception.InvalidInput(
            reason='marker must be the id of an item of the list, not %r' %
                   marker)
    limit = _limit(kwargs.pop('limit', None))
    sort = kwargs.pop('sort', None)
    sort_key = kwargs.pop('sort_key', None)
    sort_dir = kwargs.pop('sort_dir', None)
    if sort and (sort_key or sort_dir):
        raise exception.InvalidInput(
            reason='use either sort=key:dir or sort_key/sort_dir, not both')
    keys, dirs = [], []
    if sort:
        for item in sort.split(','):
            key, _sep, direction = item.strip().partition(':')
            keys.append(key.strip())
            dirs.append(_direction(direction.strip() or None))
    elif sort_key:
        keys = [k.strip() for k in sort_key.split(',')]
        dirs = [_direction(sort_dir)] * len(keys)
    for key in keys:
        if key not in sort_keys_allowed:
            raise exception.InvalidInput(
                reason='cannot sort by %r; sort keys: %s' % (
                    key, ', '.join(sort_keys_allowed)))
    if not keys:
        keys, dirs = ['created_at'], ['desc']
    return ListParams(marker, limit, keys, dirs)


def all_tenants(kwargs, context):
    """Pop ``all_tenants``; True only for a caller who asks and whom the
    ``karbor:all_tenants`` rule allows."""
    value = kwargs.pop('all_tenants', None)
    if value is None:
        return False
    try:
        wanted = strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise exception.InvalidInput(
            reason='all_tenants must be 1, 0, true or false, not %r' % value)
    if wanted:
        policy.authorize(context, base_policies.ALL_TENANTS)
    return wanted


def links(collection, items, params):
    """``[{"rel": "next", "href": ...}]`` when the page is full."""
    if not items or len(items) < params.limit:
        return []
    query = dict(pecan.request.GET)
    query['marker'] = items[-1]['id']
    query['limit'] = str(params.limit)
    base = (cfg.CONF.api.public_endpoint or pecan.request.host_url).rstrip('/')
    href = '%s%s?%s' % (base, pecan.request.path,
                        urllib.parse.urlencode(sorted(query.items())))
    return [{'rel': 'next', 'href': href}]
