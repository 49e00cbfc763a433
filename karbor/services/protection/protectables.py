"""The protectable types this service knows, from the karbor.protectables
entry points, and the dependencies between their instances."""

import threading

from oslo_config import cfg

from karbor.common import exception
from karbor.services.protection import plugins
from karbor.services.protection import provider as provider_module


class ProtectableRegistry:
    def __init__(self, conf, providers):
        self.plugins = {}
        for cls in plugins.all_classes(plugins.PROTECTABLE_NAMESPACE).values():
            self.plugins[cls.get_resource_type()] = cls(conf, providers)

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
