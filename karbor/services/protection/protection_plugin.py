"""What a protection plugin provides, per resource type.

A plugin hands out one :class:`Operation` per resource and operation kind
(protect, restore, delete, and optionally verify). The flow calls the four
hooks of every operation along the resource graph:

* ``on_prepare_begin``: parents before children;
* ``on_prepare_finish``: children before parents;
* ``on_main``: after the resource's own prepare, in parallel with others;
* ``on_complete``: children before parents.

Every hook receives ``checkpoint`` (a
:class:`karbor.services.protection.checkpoint.Checkpoint`), ``resource``,
``context``, ``parameters`` (the merged type and resource entries) and, as
keyword arguments, what the operation adds (``restore``, ``new_resources``
for a restore). A hook that raises fails the resource with its message.

A hook that starts work which another service finishes (a Cinder backup)
does not wait for it: it gives a job to the process's waiter
(:mod:`karbor.services.protection.waiter`) and returns the future it gets.
The resource then succeeds or fails when that work ends, and the flow
completes only after all such work; hooks of parents do not wait for it,
so only work that no parent needs may be left running this way.
"""

EMPTY_SCHEMA = {'type': 'object', 'properties': {},
                'additionalProperties': False}

# What every resource type accepts in a verification's parameters: the
# depth of the framework's bank checks.
VERIFY_SCHEMA = {
    'type': 'object',
    'properties': {
        'level': {
            'type': 'string', 'enum': ['quick', 'deep'],
            'description': 'quick (the default): metadata, presence and '
                           'size of every data object, and its ETag '
                           'against the recorded MD5 where the bank reports '
                           'one. deep: also read every object and recompute '
                           'its SHA-256.'},
    },
    'additionalProperties': False,
}


class Operation:
    """Hooks default to doing nothing; ``plugin`` is the plugin that
    handed the operation out."""

    def __init__(self, plugin=None):
        self.plugin = plugin

    def on_prepare_begin(self, checkpoint, resource, context, parameters,
                         **kwargs):
        pass

    def on_prepare_finish(self, checkpoint, resource, context, parameters,
                          **kwargs):
        pass

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        pass

    def on_complete(self, checkpoint, resource, context, parameters,
                    **kwargs):
        pass


HOOKS = ('on_prepare_begin', 'on_prepare_finish', 'on_main', 'on_complete')


class ProtectionPlugin:
    """Base of protection plugins; ``conf`` is the provider's ConfigOpts."""

    SUPPORTED_RESOURCE_TYPES = ()
    # Whether the plugin calls OpenStack services (Cinder, Glance, Nova)
    # for the caller, and so needs the caller's credentials for as long as
    # an operation runs (see karbor.services.protection.clients.trusts).
    ACTS_FOR_CALLER = False
    # The Operation classes the get_*_operation methods make, with the
    # plugin; a plugin that needs more than that overrides those methods.
    PROTECT = RESTORE = DELETE = VERIFY = None

    def __init__(self, conf, state_path=None):
        self._conf = conf
        self._state_path = state_path

    @classmethod
    def get_supported_resources_types(cls):
        return list(cls.SUPPORTED_RESOURCE_TYPES)

    @classmethod
    def get_options_schema(cls, resource_type):
        return EMPTY_SCHEMA

    @classmethod
    def get_restore_schema(cls, resource_type):
        return EMPTY_SCHEMA

    @classmethod
    def get_verify_schema(cls, resource_type):
        return VERIFY_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return EMPTY_SCHEMA

    def _operation(self, operation_class):
        if operation_class is None:
            raise NotImplementedError()
        return operation_class(self)

    def get_protect_operation(self, resource):
        return self._operation(self.PROTECT)

    def get_restore_operation(self, resource):
        return self._operation(self.RESTORE)

    def get_delete_operation(self, resource):
        return self._operation(self.DELETE)

    def get_verify_operation(self, resource):
        """Backend checks of a verification, or None: the framework's bank
        checks still run for the resource."""
        return self.VERIFY(self) if self.VERIFY else None
