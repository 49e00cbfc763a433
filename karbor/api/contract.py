"""The contract of an API operation, declared on its handler.

``@contract.operation(...)`` says what a handler takes (query string,
body) and answers (status, body, errors). The same declaration validates
each request before the handler runs, validates the answer when
``[api] response_validation`` asks for it (the tests do), and is what
``karbor.api.openapi`` publishes: one source of truth. Put it under
``@pecan.expose``::

    @pecan.expose('json')
    @contract.operation('Create a plan', body=schema.create,
                        response=schema.show, errors=(404,))
    def post(self):
"""

import collections
import functools

from oslo_config import cfg
from oslo_log import log as logging
import pecan

from karbor.api import validation
from karbor.common import exception

LOG = logging.getLogger(__name__)

Contract = collections.namedtuple('Contract', [
    'summary', 'description', 'status', 'query', 'body', 'response',
    'errors'])


class ResponseMismatch(exception.KarborException):
    msg_fmt = 'The answer of %(operation)s does not fit its schema: ' \
              '%(reason)s'


def operation(summary, status=200, query=None, body=None, response=None,
              errors=(), description=None):
    """Declare (and enforce) a handler's contract.

    ``query``: schema of the query string (its values arrive as text;
    integers and booleans are read first); None: the handler takes none.
    ``body``: schema of the JSON body. ``response``: schema of the body of
    a ``status`` answer; None for an empty one. ``errors``: the statuses
    of the faults this operation may answer, beyond those of every
    operation.
    """
    declared = Contract(summary, description, status, query, body,
                        response, tuple(errors))

    def decorator(handler):
        # No "self" here: pecan then reads the arguments of ``handler``
        # (pecan.util.getargspec looks into the closure), as it must to
        # route and to pass the query string.
        @functools.wraps(handler)
        def checked(*args, **kwargs):
            if query is not None:
                validation.validate_query(query, kwargs)
            # The handler reads its body with validation.validated_body
            # after its policy check (a caller without the right learns
            # nothing from a 400), with the declared schema only.
            pecan.request.environ[validation.DECLARED_BODY] = body
            result = handler(*args, **kwargs)
            if response is not None and isinstance(result, dict):
                _check_response(summary, response, result)
            return result

        checked.karbor_contract = declared
        return checked

    return decorator


def _check_response(summary, schema, result):
    mode = cfg.CONF.api.response_validation
    if mode == 'ignore':
        return
    try:
        validation.validate(schema, result)
    except exception.InvalidInput as e:
        error = ResponseMismatch(operation=summary,
                                 reason=e.kwargs.get('reason'))
        if mode == 'error':
            raise error
        LOG.warning('%s %s: %s', pecan.request.method, pecan.request.path,
                    error)


def of(handler):
    """The contract of a handler, or None."""
    return getattr(handler, 'karbor_contract', None)
