"""The WSGI application of karbor-api: pecan behind its middleware.

From the outside in: CORS (``[cors]``), the proxy headers
(``X-Forwarded-Proto``, ``Forwarded``; ``[oslo_middleware]
enable_proxy_headers_parsing``; only when enabled), the request id,
``GET /healthcheck`` (``[healthcheck]``, no token needed), the fault
shape of every error, the body size limit, path normalisation,
authentication, then pecan. Around it all, with ``[api] server_timing``,
the Server-Timing header of each answer.
"""

from oslo_config import cfg
from oslo_middleware import cors
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import sizelimit
import pecan

from karbor.api import argspecs
from karbor.api import hooks
from karbor.api.middleware import auth
from karbor.api.middleware import encoding
from karbor.api.middleware import fault
from karbor.api.middleware import identity
from karbor.api.middleware import request
from karbor.api.middleware import request_id
from karbor.api.middleware import timing


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


class _Preflight:
    """CORS without an allowed origin: oslo.middleware's CORS changes
    nothing but the answer to OPTIONS (a preflight's 200), so only OPTIONS
    goes through it; every other request skips its webob layer (profiled:
    a tenth of an empty list's time)."""

    def __init__(self, cors_app, app):
        self.cors_app = cors_app
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get('REQUEST_METHOD') == 'OPTIONS':
            return self.cors_app(environ, start_response)
        return self.app(environ, start_response)


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
    conf.register_opts(http_proxy_to_wsgi.OPTS, group='oslo_middleware')
    if conf.oslo_middleware.enable_proxy_headers_parsing:
        app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf)
    with_cors = cors.CORS(app, conf)
    app = with_cors if with_cors.allowed_origins else _Preflight(with_cors,
                                                                 app)
    if conf.api.server_timing:
        app = timing.ServerTiming(app)
    return app
