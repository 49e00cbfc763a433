"""Protectable local directories: the sub-directories of the allowed roots
of every provider that protects them."""

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
