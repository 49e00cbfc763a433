"""The signatures of the handlers, read once per process.

pecan reads the signature of the controller it routes to several times per
request (``pecan.util.getargspec``: ``inspect.getfullargspec`` through the
closures of decorators, and a new ``namedtuple`` class made at each call).
Profiled, that was about a third of the time of an empty GET list. A
function's signature does not change while the process runs, so
:func:`install` makes pecan's modules use a copy of ``getargspec`` that
remembers the answer per function (bound methods share their function's).
"""

import weakref

from pecan import core
from pecan import decorators
from pecan import rest
from pecan import routing
from pecan import util

_MODULES = (util, core, decorators, rest, routing)

_read = util.getargspec
_known = weakref.WeakKeyDictionary()


def getargspec(method):
    """``pecan.util.getargspec(method)``, read once per function."""
    func = getattr(method, '__func__', method)
    try:
        return _known[func]
    except KeyError:
        spec = _known[func] = _read(method)
        return spec
    except TypeError:
        # Not weakly referenceable: read it every time, as pecan does.
        return _read(method)


def install():
    """Make pecan's modules use :func:`getargspec` (idempotent)."""
    for module in _MODULES:
        if getattr(module, 'getargspec', None) is _read:
            module.getargspec = getargspec
