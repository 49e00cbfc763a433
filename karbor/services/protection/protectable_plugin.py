"""What a protectable plugin provides: the instances of one resource type
that a project can protect, and what each depends on."""


class ProtectablePlugin:
    """Base of protectable plugins."""

    RESOURCE_TYPE = None
    PARENT_TYPES = ()

    def __init__(self, conf, providers=None):
        self._conf = conf
        self._providers = providers or []

    @classmethod
    def get_resource_type(cls):
        return cls.RESOURCE_TYPE

    @classmethod
    def get_parent_resource_types(cls):
        return list(cls.PARENT_TYPES)

    def list_resources(self, context, parameters=None):
        """-> list of graph.Resource"""
        raise NotImplementedError()

    def show_resource(self, context, resource_id, parameters=None):
        """-> graph.Resource; ProtectableResourceNotFound if absent."""
        raise NotImplementedError()

    def show_resources(self, context, resource_ids, parameters=None):
        """{id: graph.Resource} of several resources; the first one that
        is missing raises ProtectableResourceNotFound. Plugins that can
        look many up at once override this."""
        return {rid: self.show_resource(context, rid, parameters)
                for rid in resource_ids}

    def get_dependent_resources(self, context, parent_resource):
        """Resources of this type that ``parent_resource`` depends on."""
        return []
