"""The protectable project (type OS::Keystone::Project): the caller's own
project, from the request context, and nothing else.

Volumes, images and servers name it as their parent and list their own
instances as its dependents.
"""

from karbor.common import exception
from karbor.services.protection import graph
from karbor.services.protection import protectable_plugin

RESOURCE_TYPE = 'OS::Keystone::Project'


def to_resource(context):
    project_id = context.project_id
    name = getattr(context, 'project_name', None) or project_id
    return graph.Resource(RESOURCE_TYPE, project_id, name, {})


class KeystoneProjectProtectable(protectable_plugin.ProtectablePlugin):
    RESOURCE_TYPE = RESOURCE_TYPE
    PARENT_TYPES = ()

    def list_resources(self, context, parameters=None):
        if not context.project_id:
            return []
        return [to_resource(context)]

    def show_resource(self, context, resource_id, parameters=None):
        if not context.project_id or resource_id != context.project_id:
            raise exception.ProtectableResourceNotFound(
                resource_type=RESOURCE_TYPE, resource_id=resource_id)
        return to_resource(context)
