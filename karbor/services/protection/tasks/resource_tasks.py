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
    """One hook of one resource's operation.

    ``recorder`` keeps the per-resource status: ``started`` before the first
    hook, ``succeeded`` after the last, ``failed`` when any hook raises. The
    error raised names the resource, so the operation's reason says which
    one failed and why.
    """

    def __init__(self, operation_type, hook, resource, operation, recorder,
                 first=False, last=False, extra=(), hook_kwargs=None):
        self.resource = resource
        self.hook_kwargs = hook_kwargs or {}
        self.hook = hook
        self.operation = operation
        self.recorder = recorder
        self.first = first
        self.last = last
        super().__init__(
            name='%s-%s-%s' % (operation_type, hook,
                               graph.resource_key(resource)),
            requires=['context', 'checkpoint_id', 'provider_id',
                      'parameters'] + list(extra))

    def execute(self, context, checkpoint_id, provider_id, parameters,
                **extra):
        ctx = karbor_context.RequestContext.from_dict(context)
        checkpoint = provider.get_checkpoint(provider_id, checkpoint_id)
        if self.first:
            self.recorder.started(checkpoint, self.resource)
        try:
            getattr(self.operation, self.hook)(
                checkpoint, self.resource, ctx,
                merged_parameters(parameters, self.resource),
                **self.hook_kwargs, **extra)
        except Exception as e:
            LOG.exception('%s of %s failed', self.hook,
                          graph.resource_key(self.resource))
            reason = '%s: %s' % (describe(self.resource), e)
            self.recorder.failed(checkpoint, self.resource, str(e))
            raise exception.ProtectionFailed(reason=reason)
        if self.last:
            self.recorder.succeeded(checkpoint, self.resource)


def noop(*args, **kwargs):
    pass


class NullRecorder:
    started = succeeded = failed = staticmethod(noop)
