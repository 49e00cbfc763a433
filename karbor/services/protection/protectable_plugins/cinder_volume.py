"""Protectable Cinder volumes (type OS::Cinder::Volume), listed and shown
from Cinder with the caller's token.

A volume depends on its project (``OS::Keystone::Project``: every volume of
the project) and on the servers it is attached to (``OS::Nova::Server``).
"""

from karbor.common import exception
from karbor.services.protection import graph
from karbor.services.protection import clients
from karbor.services.protection import protectable_plugin
from karbor.services.protection.clients import cinder

RESOURCE_TYPE = 'OS::Cinder::Volume'
SERVER_TYPE = 'OS::Nova::Server'
PROJECT_TYPE = 'OS::Keystone::Project'


def to_resource(volume):
    extra = {'size': volume.size, 'status': volume.status}
    for name in ('availability_zone', 'volume_type', 'bootable'):
        value = getattr(volume, name, None)
        if value is not None:
            extra[name] = value
    return graph.Resource(RESOURCE_TYPE, volume.id,
                          getattr(volume, 'name', None) or '', extra)


def attached_servers(volume):
    return {a.get('server_id') for a in getattr(volume, 'attachments', None)
            or [] if isinstance(a, dict)}


class CinderVolumeProtectable(protectable_plugin.ProtectablePlugin):
    RESOURCE_TYPE = RESOURCE_TYPE
    PARENT_TYPES = (SERVER_TYPE, PROJECT_TYPE)

    def _client(self, context):
        return cinder.client(context)

    def _volumes(self, context):
        return self._client(context).volumes.list(detailed=True)

    def list_resources(self, context, parameters=None):
        return [to_resource(v) for v in self._volumes(context)
                if v.status not in ('deleting', 'error_deleting')]

    def show_resource(self, context, resource_id, parameters=None):
        try:
            volume = self._client(context).volumes.get(resource_id)
        except cinder.NotFound:
            raise exception.ProtectableResourceNotFound(
                resource_type=RESOURCE_TYPE, resource_id=resource_id)
        return to_resource(volume)

    def get_dependent_resources(self, context, parent_resource):
        if not clients.has_endpoint(context, cinder.GROUP):
            # No Cinder in this cloud (nothing configured, nothing in the
            # caller's catalog): no volume depends on anything.
            return []
        if parent_resource.type == PROJECT_TYPE:
            if parent_resource.id != context.project_id:
                return []
            return self.list_resources(context)
        if parent_resource.type == SERVER_TYPE:
            return [to_resource(v) for v in self._volumes(context)
                    if parent_resource.id in attached_servers(v)]
        return []
