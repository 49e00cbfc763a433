"""Protectable local directories: the sub-directories of the allowed roots
of every provider that protects them."""

from karbor.common import exception
from karbor.services.protection import graph
from karbor.services.protection import local_roots
from karbor.services.protection import protectable_plugin


def allowed_roots(providers):
    roots = []
    for provider in providers:
        plugin = provider.plugins.get(local_roots.RESOURCE_TYPE)
        if plugin is not None:
            roots.extend(r for r in plugin.allowed_roots if r not in roots)
    return roots


def to_resource(path):
    return graph.Resource(local_roots.RESOURCE_TYPE,
                          local_roots.directory_id(path), path,
                          {'path': path})


class LocalDirectoryProtectable(protectable_plugin.ProtectablePlugin):
    RESOURCE_TYPE = local_roots.RESOURCE_TYPE
    PARENT_TYPES = ()

    @property
    def roots(self):
        return allowed_roots(self._providers)

    def list_resources(self, context, parameters=None):
        parent = (parameters or {}).get('path')
        return [to_resource(p)
                for p in local_roots.list_directories(self.roots, parent)]

    def show_resource(self, context, resource_id, parameters=None):
        return to_resource(local_roots.resolve(resource_id, self.roots))

    def show_resources(self, context, resource_ids, parameters=None):
        found = local_roots.find_directories(resource_ids, self.roots)
        for resource_id in resource_ids:
            if resource_id not in found:
                raise exception.ProtectableResourceNotFound(
                    resource_type=self.RESOURCE_TYPE,
                    resource_id=resource_id)
        return {rid: to_resource(path) for rid, path in found.items()}
