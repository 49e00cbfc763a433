"""/v1/{project_id}/triggers: when scheduled operations run.

Time triggers only, as upstream Karbor: a crontab or iCalendar pattern in
a time zone, a start and an end, a window. The properties are checked
when given (a bad pattern is a 400 that says why); a trigger that a
scheduled operation uses cannot be deleted (409).
"""

from oslo_config import cfg
from oslo_utils import timeutils
import pecan

from karbor.api import contract
from karbor.api.controllers import base
from karbor.api.controllers import rest
from karbor.api.controllers.v1 import scheduling
from karbor.api import paging
from karbor.api.schemas.v1 import triggers as schema
from karbor.api import validation
from karbor.api.views import triggers as views
from karbor.common import exception
from karbor.common import policy
from karbor.db import triggers as triggers_db
from karbor.policies import triggers as trigger_policies
from karbor.services.operationengine import schedule

SORT_KEYS = schema.SORT_KEYS


def get_trigger(ctx, trigger_id, rule=trigger_policies.GET):
    return base.get_visible(ctx, triggers_db.trigger_get, trigger_id,
                            exception.TriggerNotFound(trigger_id=trigger_id),
                            rule)


def checked_properties(properties, now=None):
    """The properties as stored: checked (400 saying why), ``window`` a
    number, ``start_time`` given (now by default, to the second: a
    calendar rule counts from it) and both times in UTC ISO form."""
    now = (now or timeutils.utcnow()).replace(microsecond=0)
    props = dict(properties)
    props.setdefault('start_time', schedule.format_time(now))
    parsed = schedule.Schedule(props)
    parsed.check_interval(cfg.CONF.operationengine.min_interval, now)
    props['window'] = parsed.window
    props['start_time'] = schedule.format_time(parsed.start_time)
    if parsed.end_time:
        props['end_time'] = schedule.format_time(parsed.end_time)
    return props


class TriggersController(rest.RestController):

    @pecan.expose('json')
    @contract.operation('List triggers', query=schema.index_query,
                        response=schema.index)
    def get_all(self, **kwargs):
        ctx = base.context()
        policy.authorize(ctx, trigger_policies.GET_ALL)
        params = paging.parse(kwargs, SORT_KEYS)
        project_id = base.list_scope(kwargs, ctx)
        wanted_props = scheduling.dict_query(kwargs, 'properties')
        wanted = base.filters(kwargs, ('name', 'type'))
        if wanted_props:
            rows = scheduling.dict_filtered_page(
                triggers_db.trigger_get_all, wanted, project_id, params,
                'properties', wanted_props)
        else:
            rows = triggers_db.trigger_get_all(
                filters=wanted, project_id=project_id, **params.db_kwargs())
        body = [views.trigger(r) for r in rows]
        return {'triggers': body,
                'triggers_links': paging.links('triggers', body, params)}

    @pecan.expose('json')
    @contract.operation('Show a trigger', response=schema.show)
    def get_one(self, trigger_id):
        ctx = base.context()
        policy.authorize(ctx, trigger_policies.GET)
        return {'trigger_info': views.trigger(get_trigger(ctx, trigger_id))}

    @pecan.expose('json')
    @contract.operation('Create a trigger', body=schema.create,
                        response=schema.show)
    def post(self):
        ctx = base.context()
        policy.authorize(ctx, trigger_policies.CREATE)
        body = validation.validated_body(schema.create)['trigger_info']
        row = triggers_db.trigger_create({
            'project_id': ctx.project_id,
            'user_id': ctx.user_id,
            'name': body['name'],
            'type': body['type'],
            'properties': checked_properties(body['properties']),
        })
        return {'trigger_info': views.trigger(row)}

    @pecan.expose('json')
    @contract.operation('Update a trigger', body=schema.update,
                        response=schema.show)
    def put(self, trigger_id):
        ctx = base.context()
        policy.authorize(ctx, trigger_policies.UPDATE)
        body = validation.validated_body(schema.update)['trigger_info']
        row = get_trigger(ctx, trigger_id, trigger_policies.UPDATE)
        values = {}
        if 'name' in body:
            values['name'] = body['name']
        if body.get('properties'):
            merged = dict(row.properties)
            merged.update(body['properties'])
            values['properties'] = checked_properties(merged)
        if values:
            row = triggers_db.trigger_update(row.id, values)
        return {'trigger_info': views.trigger(row)}

    @pecan.expose('json')
    @contract.operation('Delete a trigger', status=204, errors=(409,))
    def delete(self, trigger_id):
        ctx = base.context()
        policy.authorize(ctx, trigger_policies.DELETE)
        row = get_trigger(ctx, trigger_id, trigger_policies.DELETE)
        triggers_db.trigger_delete(row.id)
        return base.no_content()
