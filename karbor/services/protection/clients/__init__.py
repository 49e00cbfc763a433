"""Sessions and endpoints of the OpenStack services Karbor talks to for the
caller (Cinder, Glance, Nova).

The options of ``[cinder]``, ``[glance]`` and ``[nova]`` are keystoneauth's
session and adapter options (:mod:`karbor.conf.clients`): the endpoint is
``endpoint_override`` when set, else the caller's service catalog filtered
by ``service_type``, ``valid_interfaces`` and ``region_name``; TLS and the
timeout come from the same group. The credentials come from
:mod:`karbor.services.protection.clients.auth`.

What a project user reads (an API error, the reason of a resource) names
the service and what went wrong, not where it runs: an endpoint may be
internal to the cloud. The URL and the full error go to the log, with the
request id of the operation.
"""

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import exception
from karbor.conf import clients as clients_conf
from karbor.i18n import _
from karbor.services.protection.clients import auth
from karbor.services.protection.clients import reasons

LOG = logging.getLogger(__name__)


class EndpointNotFound(exception.KarborException):
    msg_fmt = _('No endpoint of %(service)s: set [%(group)s] '
                'endpoint_override, or use a token whose catalog has a '
                '%(service_type)s service')
    code = 503
    fault_name = 'serviceUnavailable'
    safe = True


def service_name(group):
    return clients_conf.SERVICES[group][1]


def connect(context, group, conf=cfg.CONF):
    """A keystoneauth session for the caller of ``context`` to the service
    of ``[group]``, and that service's URL (``%(project_id)s`` filled in);
    :class:`EndpointNotFound` when there is none."""
    auth_plugin = auth.plugin_for(context, conf)
    session = ks_loading.load_session_from_conf_options(conf, group,
                                                        auth=auth_plugin)
    adapter = ks_loading.load_adapter_from_conf_options(
        conf, group, session=session, auth=auth_plugin)
    try:
        url = adapter.get_endpoint()
    except ks_exc.EndpointNotFound:
        url = None
    if not url:
        raise EndpointNotFound(service=service_name(group), group=group,
                               service_type=conf[group].service_type)
    if '%(project_id)s' in url:
        url = url.replace('%(project_id)s', context.project_id or '')
    return session, url.rstrip('/')


def has_endpoint(context, group, conf=cfg.CONF):
    """Whether the service of ``[group]`` has an endpoint for the caller
    (a cloud without it has none of its resources)."""
    try:
        connect(context, group, conf)
    except EndpointNotFound:
        return False
    return True


def unavailable(exception_class, group, url, error):
    """``exception_class(service=..., reason=...)`` for a failure of the
    service at ``url``, whose detail is logged."""
    LOG.warning('%s at %s failed: %s', service_name(group), url, error)
    return exception_class(service=service_name(group),
                           reason=reasons.short(error))
