"""Every call the panels make to Karbor, through python-karborclient 2.1.0,
with the logged-in user's token and the ``data-protect`` endpoint of the
token's catalog (in the region the user chose in Horizon).

Each page makes one or two calls: lists ask for one page (``limit``) and
never fetch per row.
"""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from horizon import exceptions as base_exc
from karborclient.common.apiclient import exceptions as client_exc
from karborclient import client as karbor_client
from openstack_dashboard.api import base

SERVICE_TYPE = 'data-protect'
# Rows asked for when the caller does not say (lists of one page).
PAGE_SIZE = 100


def client(request):
    endpoint = base.url_for(request, SERVICE_TYPE)
    return karbor_client.Client(
        '1', endpoint, token=request.user.token.id,
        insecure=getattr(settings, 'OPENSTACK_SSL_NO_VERIFY', False),
        cacert=getattr(settings, 'OPENSTACK_SSL_CACERT', None),
        timeout=getattr(settings, 'KARBOR_API_TIMEOUT', 30))


def error_text(error):
    """What went wrong, in the API's own words, and what to do."""
    if isinstance(error, (client_exc.ConnectionRefused,
                          client_exc.EndpointException)):
        return _('Karbor does not answer at the data-protect endpoint of '
                 'the catalog: karbor-api is down or the endpoint is '
                 'wrong; ask the cloud operator.')
    if isinstance(error, base_exc.ServiceCatalogException):
        return _('There is no data-protect service in the catalog of this '
                 'region; choose another region or ask the cloud operator.')
    message = getattr(error, 'message', None) or str(error)
    status = getattr(error, 'http_status', None)
    if not isinstance(error, client_exc.HttpError) or not status:
        return message
    text = '%s (HTTP %s)' % (message, status)
    if status == 403:
        text += ' ' + _('Your role in this project does not allow it; ask '
                        'a member or an administrator of the project.')
    elif status == 409:
        text += ' ' + _('Wait until it is no longer busy, then retry.')
    return text


def _page(limit, marker, sort):
    # The client accepts the sort keys id, status, name and created_at
    # only; None keeps the API's order (newest first).
    return {'limit': limit or PAGE_SIZE, 'marker': marker, 'sort': sort}


# Providers

def provider_list(request):
    return client(request).providers.list()


def provider_get(request, provider_id):
    return client(request).providers.get(provider_id)


# Protectables

def protectable_types(request):
    """The names of the protectable resource types."""
    return [p.protectable_type
            for p in client(request).protectables.list()]


def protectable_instances(request, resource_type):
    return client(request).protectables.list_instances(resource_type)


# Plans

def plan_list(request, search_opts=None, limit=None, marker=None):
    return client(request).plans.list(
        search_opts=search_opts, **_page(limit, marker, 'created_at:desc'))


def plan_get(request, plan_id):
    return client(request).plans.get(plan_id)


def plan_create(request, name, provider_id, resources, parameters,
                description=None):
    return client(request).plans.create(name, provider_id, resources,
                                        parameters, description=description)


def plan_update(request, plan_id, values):
    return client(request).plans.update(plan_id, values)


def plan_delete(request, plan_id):
    return client(request).plans.delete(plan_id)


# Checkpoints

def checkpoint_list(request, provider_id, search_opts=None, limit=None,
                    marker=None):
    return client(request).checkpoints.list(
        provider_id=provider_id, search_opts=search_opts,
        **_page(limit, marker, 'created_at:desc'))


def checkpoint_get(request, provider_id, checkpoint_id):
    return client(request).checkpoints.get(provider_id, checkpoint_id)


def checkpoint_create(request, provider_id, plan_id):
    return client(request).checkpoints.create(provider_id, plan_id)


def checkpoint_delete(request, provider_id, checkpoint_id):
    return client(request).checkpoints.delete(provider_id, checkpoint_id)


def resource_graph(checkpoint):
    """The checkpoint's resource graph as a list of nodes (the API sends it
    as a JSON string)."""
    graph = getattr(checkpoint, 'resource_graph', None)
    if isinstance(graph, str):
        try:
            graph = json.loads(graph)
        except ValueError:
            return []
    return graph or []


# Verifications

def verification_list(request, search_opts=None, limit=None, marker=None):
    return client(request).verifications.list(
        search_opts=search_opts, **_page(limit, marker, 'created_at:desc'))


def verification_get(request, verification_id):
    return client(request).verifications.get(verification_id)


def verification_create(request, provider_id, checkpoint_id, parameters):
    return client(request).verifications.create(provider_id, checkpoint_id,
                                                parameters)


# Restores

def restore_list(request, search_opts=None, limit=None, marker=None):
    return client(request).restores.list(
        search_opts=search_opts, **_page(limit, marker, 'created_at:desc'))


def restore_get(request, restore_id):
    return client(request).restores.get(restore_id)


def restore_create(request, provider_id, checkpoint_id, restore_target,
                   parameters):
    return client(request).restores.create(provider_id, checkpoint_id,
                                           restore_target, parameters, None)


# Operation logs

def operation_log_list(request, search_opts=None, limit=None, marker=None):
    return client(request).operation_logs.list(
        search_opts=search_opts, **_page(limit, marker, None))


def operation_log_get(request, operation_log_id):
    return client(request).operation_logs.get(operation_log_id)


# Services (admin)

def service_list(request):
    return client(request).services.list()
