"""Protectable Nova servers (type OS::Nova::Server), listed and shown from
Nova with the caller's token when Nova has an endpoint (``[nova]
endpoint_override`` or the caller's catalog); a cloud without Nova has no
servers.

A server is a dependent of its project (OS::Keystone::Project). Its own
dependents are its volumes (the Cinder volume protectable, from the
volumes' attachments) and its image (the Glance image protectable, from
``extra_info['image']``, which this plugin fills with the image id).
"""

from karbor.common import exception
from karbor.services.protection import clients
from karbor.services.protection import graph
from karbor.services.protection import protectable_plugin
from karbor.services.protection.clients import nova

RESOURCE_TYPE = 'OS::Nova::Server'
PROJECT_TYPE = 'OS::Keystone::Project'
VOLUMES_ATTACHED = 'os-extended-volumes:volumes_attached'


def image_id(server):
    image = server.get('image')
    if isinstance(image, dict):
        return image.get('id')
    return image or None  # '' for a server booted from a volume


def to_resource(server):
    extra = {'status': server.get('status')}
    image = image_id(server)
    if image:
        extra['image'] = image
    volumes = [v.get('id') for v in server.get(VOLUMES_ATTACHED) or []
               if isinstance(v, dict) and v.get('id')]
    if volumes:
        extra['volumes'] = volumes
    for name, key in (('availability_zone',
                       'OS-EXT-AZ:availability_zone'),
                      ('flavor', 'flavor')):
        value = server.get(key)
        if isinstance(value, dict):
            value = value.get('original_name') or value.get('id')
        if value:
            extra[name] = value
    return graph.Resource(RESOURCE_TYPE, server['id'],
                          server.get('name') or '',
                          {k: v for k, v in extra.items() if v is not None})


class NovaServerProtectable(protectable_plugin.ProtectablePlugin):
    RESOURCE_TYPE = RESOURCE_TYPE
    PARENT_TYPES = (PROJECT_TYPE,)

    def _client(self, context):
        """The Nova of the caller; None when this cloud has no Nova."""
        try:
            return nova.client(context, self._conf)
        except clients.EndpointNotFound:
            return None

    def list_resources(self, context, parameters=None):
        client = self._client(context)
        if client is None:
            return []
        return [to_resource(s) for s in client.list_servers()
                if s.get('status') not in ('DELETED', 'SOFT_DELETED')]

    def show_resource(self, context, resource_id, parameters=None):
        client = self._client(context)
        if client is None:
            raise exception.ProtectableResourceNotFound(
                resource_type=RESOURCE_TYPE, resource_id=resource_id)
        try:
            server = client.get_server(resource_id)
        except nova.NotFound:
            raise exception.ProtectableResourceNotFound(
                resource_type=RESOURCE_TYPE, resource_id=resource_id)
        if server.get('status') in ('DELETED', 'SOFT_DELETED'):
            raise exception.ProtectableResourceNotFound(
                resource_type=RESOURCE_TYPE, resource_id=resource_id)
        return to_resource(server)

    def get_dependent_resources(self, context, parent_resource):
        if parent_resource.type != PROJECT_TYPE or \
                parent_resource.id != context.project_id:
            return []
        return self.list_resources(context)
