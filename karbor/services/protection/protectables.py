"""The protectable types this service knows, from the karbor.protectables
entry points, and the dependencies between their instances."""

import threading

from oslo_config import cfg

from karbor.common import exception
from karbor.services.protection import plugins
from karbor.services.protection import provider as provider_module


class ProtectableRegistry:
    def __init__(self, conf, providers):
        """The protectable plugins of the types that at least one of
        ``providers`` protects, and of their parent types (a server whose
        volumes are protected); a type nobody can use is not offered."""
        classes = {cls.get_resource_type(): cls for cls in plugins.all_classes(
            plugins.PROTECTABLE_NAMESPACE).values()}
        offered = {t for p in providers for t in p.plugins if t in classes}
        offered |= {parent for t in offered
                    for parent in classes[t].get_parent_resource_types()
                    if parent in classes}
        self.plugins = {t: classes[t](conf, providers) for t in offered}

    def types(self):
        return sorted(self.plugins)

    def get(self, resource_type):
        try:
            return self.plugins[resource_type]
        except KeyError:
            raise exception.ProtectableTypeNotFound(
                protectable_type=resource_type)

    def dependent_types(self, resource_type):
        self.get(resource_type)
        return sorted(t for t, p in self.plugins.items()
                      if resource_type in p.get_parent_resource_types())

    def list_resources(self, context, resource_type, parameters=None):
        return self.get(resource_type).list_resources(context, parameters)

    def show_resource(self, context, resource_type, resource_id,
                      parameters=None):
        return self.get(resource_type).show_resource(context, resource_id,
                                                     parameters)

    def show_resources(self, context, resource_type, resource_ids,
                       parameters=None):
        return self.get(resource_type).show_resources(context, resource_ids,
                                                      parameters)

    def dependents(self, context, resource):
        found = []
        for plugin in self.plugins.values():
            if resource.type in plugin.get_parent_resource_types():
                found.extend(plugin.get_dependent_resources(context,
                                                            resource))
        return found


_REGISTRY = None
_LOCK = threading.Lock()


def get_registry():
    global _REGISTRY
    with _LOCK:
        if _REGISTRY is None:
            _REGISTRY = ProtectableRegistry(
                cfg.CONF, provider_module.get_registry().list())
        return _REGISTRY


def reset_registry():
    global _REGISTRY
    with _LOCK:
        _REGISTRY = None
