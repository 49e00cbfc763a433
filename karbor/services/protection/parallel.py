"""Bounded parallel work for data streams."""

import collections

from concurrent import futures

from oslo_context import context as oslo_context

from karbor.services.protection import log_context


def ordered_map(func, items, threads):
    """``func`` over ``items`` in a pool of ``threads``, yielding results in
    order, with at most ``threads + 1`` items taken from ``items`` and not
    yet yielded (which bounds memory)."""
    # The workers log with the context of the operation that calls.
    func = log_context.bound(func, oslo_context.get_current())
    with futures.ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix='karbor-data') as pool:
        pending = collections.deque()
        try:
            for item in items:
                pending.append(pool.submit(func, item))
                if len(pending) > threads:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
