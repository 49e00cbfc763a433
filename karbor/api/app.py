"""The WSGI application of karbor-api: pecan behind its middleware."""

from oslo_config import cfg
from oslo_middleware import request_id
from oslo_middleware import sizelimit
import pecan

from karbor.api import hooks
from karbor.api.middleware import auth
from karbor.api.middleware import encoding
from karbor.api.middleware import fault
from karbor.api.middleware import identity
from karbor.api.middleware import request


def setup_app(conf=cfg.CONF):
    app = pecan.make_app(
        'karbor.api.controllers.root.RootController',
        hooks=[hooks.ContextHook(), hooks.FaultHook()],
        debug=False,
        force_canonical=False,
        guess_content_type_from_ext=False,
        request_cls=request.Request,
    )
    app = identity.IdentityLimits(app)
    app = auth.wrap(app, conf)
    app = fault.PathNormalizer(app)
    app = sizelimit.RequestBodySizeLimiter(app, conf)
    app = encoding.Utf8Url(app)
    app = fault.FaultWrapper(app)
    app = request_id.RequestId(app)
    return app
