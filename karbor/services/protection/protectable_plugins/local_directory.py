"""Protectable local directories: the sub-directories of the caller's
project roots, on every provider that protects them.

A directory is shown by its name relative to the project's root, in
``name`` and in ``extra_info.path``; the ``path`` parameter of a listing is
such a name too. Every directory shown is recorded in the index, so that a
later lookup by id is O(1) (see
:mod:`karbor.services.protection.local_index`).
"""

from karbor.services.protection import graph
from karbor.services.protection import local_index
from karbor.services.protection import local_roots
from karbor.services.protection import protectable_plugin


def project_roots(providers, project_id):
    """The roots of ``project_id`` on every provider with the plugin."""
    roots = local_roots.Roots([])
    for provider in providers:
        plugin = provider.plugins.get(local_roots.RESOURCE_TYPE)
        if plugin is not None:
            roots = roots + plugin.project_roots(project_id)
    return roots


def to_resource(path, name):
    return graph.Resource(local_roots.RESOURCE_TYPE,
                          local_roots.directory_id(path), name,
                          {'path': name})


class LocalDirectoryProtectable(protectable_plugin.ProtectablePlugin):
    RESOURCE_TYPE = local_roots.RESOURCE_TYPE
    PARENT_TYPES = ()

    def __init__(self, conf, providers=None):
        super().__init__(conf, providers)
        self.index = local_index.DirectoryIndex(conf.state_path)

    def _roots(self, context):
        return project_roots(self._providers, context.project_id)

    def list_resources(self, context, parameters=None):
        parent = (parameters or {}).get('path')
        found = []
        for name, path in self._roots(context).list(parent):
            resource = to_resource(path, name)
            self.index.record(context.project_id, resource.id, name)
            found.append(resource)
        return found

    def show_resource(self, context, resource_id, parameters=None):
        path, name = self.index.resolve(self._roots(context),
                                        context.project_id, resource_id)
        return to_resource(path, name)

    def show_resources(self, context, resource_ids, parameters=None):
        roots = self._roots(context)
        return {rid: to_resource(*self.index.resolve(
            roots, context.project_id, rid)) for rid in resource_ids}
