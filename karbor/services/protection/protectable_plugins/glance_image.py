"""Protectable Glance images (type OS::Glance::Image): the images the
caller sees in Glance, listed and shown with the caller's token.

An image is a dependent of its project (OS::Keystone::Project) and of a
server booted from it (OS::Nova::Server, when the server resource carries
its image id in ``extra_info['image']``).
"""

from karbor.common import exception
from karbor.services.protection import clients
from karbor.services.protection.clients import glance
from karbor.services.protection import graph
from karbor.services.protection import protectable_plugin

RESOURCE_TYPE = 'OS::Glance::Image'
SERVER_TYPE = 'OS::Nova::Server'
PROJECT_TYPE = 'OS::Keystone::Project'

# What extra_info tells about an image (no secrets, no locations).
_EXTRA_FIELDS = ('status', 'size', 'disk_format', 'container_format',
                 'visibility', 'owner')


def to_resource(image):
    return graph.Resource(
        RESOURCE_TYPE, image['id'], image.get('name') or '',
        {k: image.get(k) for k in _EXTRA_FIELDS if image.get(k) is not None})


class GlanceImageProtectable(protectable_plugin.ProtectablePlugin):
    RESOURCE_TYPE = RESOURCE_TYPE
    PARENT_TYPES = (SERVER_TYPE, PROJECT_TYPE)

    def _client(self, context):
        return glance.create(context, self._conf)

    def list_resources(self, context, parameters=None):
        client = self._client(context)
        filters = {}
        for name in ('owner', 'visibility', 'status', 'name'):
            if (parameters or {}).get(name):
                filters[name] = parameters[name]
        with client.reachable():
            images = list(client.images.list(filters=filters))
        return [to_resource(i) for i in images
                if i.get('status') != 'deleted']

    def show_resource(self, context, resource_id, parameters=None):
        client = self._client(context)
        return self._show(client, resource_id)

    def show_resources(self, context, resource_ids, parameters=None):
        client = self._client(context)
        return {rid: self._show(client, rid) for rid in resource_ids}

    def _show(self, client, resource_id):
        try:
            with client.reachable():
                image = client.images.get(resource_id)
        except glance.GlanceUnavailable:
            raise
        except Exception as e:
            if glance.is_not_found(e):
                raise exception.ProtectableResourceNotFound(
                    resource_type=RESOURCE_TYPE, resource_id=resource_id)
            raise
        if image.get('status') in ('deleted', 'pending_delete', 'killed'):
            raise exception.ProtectableResourceNotFound(
                resource_type=RESOURCE_TYPE, resource_id=resource_id)
        return to_resource(image)

    def get_dependent_resources(self, context, parent_resource):
        if not clients.has_endpoint(context, glance.GROUP):
            # No Glance in this cloud: no image depends on anything.
            return []
        if parent_resource.type == SERVER_TYPE:
            image_id = (parent_resource.extra_info or {}).get('image')
            if isinstance(image_id, dict):
                image_id = image_id.get('id')
            if not image_id:
                return []
            try:
                return [self.show_resource(context, image_id)]
            except exception.ProtectableResourceNotFound:
                return []  # booted from an image deleted since
        if parent_resource.type == PROJECT_TYPE:
            return self.list_resources(
                context, {'owner': parent_resource.id})
        return []
