"""Pecan hooks: the request context, and the one place errors are rendered."""

from oslo_log import log as logging
from pecan import hooks
import webob.exc

from karbor.api.middleware import fault
from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.common import policy

LOG = logging.getLogger(__name__)


class ContextHook(hooks.PecanHook):
    """Build the RequestContext from the identity headers of the request."""

    def on_route(self, state):
        environ = state.request.environ
        ctx = None
        if environ.get('HTTP_X_IDENTITY_STATUS') == 'Confirmed':
            ctx = karbor_context.RequestContext.from_environ(environ)
            ctx.is_admin = policy.check_is_admin(ctx)
        state.request.context = ctx


class FaultHook(hooks.PecanHook):
    """Turn any exception of a handler into a JSON fault response."""

    def on_error(self, state, e):
        if isinstance(e, exception.KarborException):
            if e.code >= 500:
                LOG.error('%s %s failed: %s', state.request.method,
                          state.request.path, e)
            message = e.message if e.safe else (
                'The server met an unexpected error; it is logged with the '
                'request id of this response.')
            return fault.fault_response(e.code, message)
        if isinstance(e, webob.exc.HTTPException):
            # Routing errors of pecan (404, 405); the fault middleware
            # gives them the fault shape.
            return None
        LOG.exception('Unexpected error in %s %s', state.request.method,
                      state.request.path)
        return fault.fault_response(
            500, 'The server met an unexpected error; it is logged with the '
                 'request id of this response.')
