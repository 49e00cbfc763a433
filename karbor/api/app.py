"""The WSGI application of karbor-api: pecan behind its middleware.

From the outside in: CORS (``[cors]``), the proxy headers
(``X-Forwarded-Proto``, ``Forwarded``; ``[oslo_middleware]
enable_proxy_headers_parsing``), the request id, ``GET /healthcheck``
(``[healthcheck]``, no token needed), the fault shape of every error, the
body size limit, path normalisation, authentication, then pecan.
"""

from oslo_config import cfg
from oslo_middleware import cors
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
from oslo_middleware import sizelimit
import pecan

from karbor.api import argspecs
from karbor.api import hooks
from karbor.api.middleware import auth
from karbor.api.middleware import encoding
from karbor.api.middleware import fault
from karbor.api.middleware import identity
from karbor.api.middleware import request


HEALTHCHECK_PATH = '/healthcheck'


class _Mount:
    """``app`` at ``path`` (oslo.middleware's health check answers every
    request it sees), ``rest`` everywhere else."""

    def __init__(self, path, app, rest):
        self.path = path
        self.app = app
        self.rest = rest

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO', '').rstrip('/') == self.path:
            return self.app(environ, start_response)
        return self.rest(environ, start_response)


def setup_app(conf=cfg.CONF):
    argspecs.install()
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
    app = _Mount(HEALTHCHECK_PATH, healthcheck.Healthcheck(None, conf), app)
    app = request_id.RequestId(app)
    app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf)
    app = cors.CORS(app, conf)
    return app
