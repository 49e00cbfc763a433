"""pecan's RestController, with a wrong method answered as one.

pecan routes ``PUT /plans`` and ``DELETE /plans`` to ``put()`` and
``delete()`` without the id they need, and ``POST /providers/checkpoints``
(no provider id) to ``post()`` without the provider's; the call then fails
with a TypeError, a 500. pecan checks the arguments of GET only. Here every
method is checked: an item method called on its collection is 405, with
the methods of the collection in ``Allow``; a path that lacks the id of a
parent is 404.
"""

from pecan import abort
from pecan import expose
from pecan import rest
from pecan import util
import webob.exc

_COLLECTION = (('GET', 'get_all'), ('POST', 'post'))
_ITEM = (('GET', 'get_one'), ('PUT', 'put'), ('DELETE', 'delete'))


class RestController(rest.RestController):

    @expose()
    def _route(self, args, request=None):
        try:
            return super()._route(args, request)
        except webob.exc.HTTPMethodNotAllowed as e:
            # pecan lists every method of the controller, those of its
            # items with those of its collection. The innermost controller
            # says which path was meant; the outer ones keep its answer.
            if getattr(e, 'karbor_allow', None) is None:
                e.karbor_allow = self._allowed(args) or e.allow
            e.allow = e.karbor_allow
            raise

    def _allowed(self, args):
        """The methods of the collection (``args`` empty) or of an item
        (one id); None for a longer path."""
        if len(args) > 1:
            return None
        methods = _ITEM if args else _COLLECTION
        return sorted(m for m, name in methods if self._find_controller(name))

    def _handle_post(self, method, remainder, request=None):
        found = super()._handle_post(method, remainder, request)
        self._check_arguments(found, request, item=method != 'post')
        return found

    def _handle_delete(self, method, remainder, request=None):
        found = super()._handle_delete(method, remainder, request)
        self._check_arguments(found, request, item=True)
        return found

    def _check_arguments(self, found, request, item):
        """``found`` is (handler, remainder). A handler of this controller
        takes one path argument per parent id plus, for an item method,
        the item's id: no fewer, no more."""
        handler, remainder = found
        if getattr(handler, '__self__', None) is not self:
            return  # routed to another controller, which checks its own
        if request is None:
            from pecan import request
        needed = len(util.getargspec(handler).args) - 1  # self
        given = len(request.pecan.get('routing_args', [])) + len(remainder)
        missing = needed - given
        if missing == 0:
            return
        if (item and missing == 1) or (not item and missing == -1):
            # An item method on the collection, or POST on an item.
            abort(405)
        abort(404)
