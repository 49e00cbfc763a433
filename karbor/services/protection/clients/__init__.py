"""Endpoints of the OpenStack services Karbor talks to for the caller.

The endpoint of a service comes from ``[<service>_client] endpoint`` when
set, else from the service catalog carried by the request context (the
caller's token), filtered by service type, region and interface.
"""

from oslo_config import cfg

from karbor.common import exception


class EndpointNotFound(exception.KarborException):
    msg_fmt = ('No endpoint of %(service)s: set [%(group)s] endpoint, or '
               'use a token whose catalog has a %(service_type)s service')
    code = 503
    fault_name = 'serviceUnavailable'
    safe = True


def endpoint(context, group, conf=cfg.CONF):
    """The URL of the service of ``[group]`` for ``context``."""
    options = conf[group]
    if options.endpoint:
        return options.endpoint.rstrip('/')
    for service in getattr(context, 'service_catalog', None) or []:
        if service.get('type') != options.service_type:
            continue
        for entry in service.get('endpoints', []):
            if options.region_name and entry.get(
                    'region', entry.get('region_id')) != options.region_name:
                continue
            url = entry.get('url') or entry.get(
                '%sURL' % options.interface)
            if entry.get('interface', options.interface) == \
                    options.interface and url:
                return url.rstrip('/')
    raise EndpointNotFound(service=group.split('_')[0].capitalize(),
                           group=group, service_type=options.service_type)
