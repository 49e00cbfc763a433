"""Every log line of an operation carries its request id and user.

oslo.log takes the context of a line from oslo.context's thread-local
store. The steps of a flow run on the threads of a shared pool, which
last served other operations; :class:`ContextExecutor` gives each step of
one flow the context of its operation and takes it away afterwards, so
that no line carries another request's id.
"""

from concurrent import futures

from oslo_context import context as oslo_context


def bound(func, context):
    """``func`` run with ``context`` in the thread-local store."""
    if context is None:
        return func

    def run(*args, **kwargs):
        previous = oslo_context.get_current()
        context.update_store()
        try:
            return func(*args, **kwargs)
        finally:
            if previous is None:
                # oslo.context has no public way to empty its store.
                oslo_context._request_store.context = None
            else:
                previous.update_store()
    return run


class ContextExecutor(futures.Executor):
    """Submits to a shared ``pool``; every call runs with ``context``.
    Shutting it down leaves the pool alone."""

    def __init__(self, pool, context):
        self.pool = pool
        self.context = context

    def submit(self, fn, /, *args, **kwargs):
        return self.pool.submit(bound(fn, self.context), *args, **kwargs)

    def shutdown(self, wait=True, **kwargs):
        pass
