"""The tasks that call a plugin's hooks for one resource."""

from oslo_log import log as logging
from taskflow import task

from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.services.protection import graph
from karbor.services.protection import provider

LOG = logging.getLogger(__name__)


def merged_parameters(parameters, resource):
    """Type-wide entry, overridden by the entry of this one resource."""
    merged = dict((parameters or {}).get(resource.type) or {})
    merged.update((parameters or {}).get(graph.resource_key(resource)) or {})
    return merged


def describe(resource):
    key = graph.resource_key(resource)
    return '%s (%s)' % (key, resource.name) if resource.name else key


class ResourceHookTask(task.Task):
    """One hook of one resource's operation, or several in order.

    ``recorder`` keeps the per-resource status: ``started`` before the first
    hook, ``succeeded`` after the last, ``failed`` when any hook raises. The
    error raised names the resource, so the operation's reason says which
    one failed and why.
    """

    def __init__(self, operation_type, hook, resource, operation, recorder,
                 first=False, last=False, extra=(), hook_kwargs=None,
                 name=None, after=()):
        hooks = (hook,) if isinstance(hook, str) else tuple(hook)
        hook = hooks[0] if len(hooks) == 1 else 'hooks'
        self.hooks = hooks
        self.resource = resource
        # Symbols of the tasks this one runs after; each task provides its
        # name, so that the graph flow links them (see resource_flow).
        self.after = frozenset(after)
        self.hook_kwargs = hook_kwargs or {}
        self.hook = hook
        self.operation = operation
        self.recorder = recorder
        self.first = first
        self.last = last
        name = name or '%s-%s-%s' % (operation_type, hook,
                                     graph.resource_key(resource))
        super().__init__(
            name=name, provides=name,
            requires=['context', 'checkpoint_id', 'provider_id',
                      'parameters'] + list(extra) + sorted(self.after))

    def execute(self, context, checkpoint_id, provider_id, parameters,
                **extra):
        extra = {k: v for k, v in extra.items() if k not in self.after}
        ctx = karbor_context.RequestContext.from_dict(context)
        checkpoint = provider.get_checkpoint(provider_id, checkpoint_id)
        if self.first:
            self.recorder.started(checkpoint, self.resource)
        hook = None
        try:
            for hook in self.hooks:
                getattr(self.operation, hook)(
                    checkpoint, self.resource, ctx,
                    merged_parameters(parameters, self.resource),
                    **self.hook_kwargs, **extra)
        except Exception as e:
            LOG.exception('%s of %s failed', hook,
                          graph.resource_key(self.resource))
            reason = '%s: %s' % (describe(self.resource), e)
            self.recorder.failed(checkpoint, self.resource, str(e))
            raise exception.ProtectionFailed(reason=reason)
        if self.last:
            self.recorder.succeeded(checkpoint, self.resource)
        return True


def noop(*args, **kwargs):
    pass


class NullRecorder:
    started = succeeded = failed = staticmethod(noop)
