"""Karbor's configuration options, one module per group.

Importing this package registers nothing; a process calls
:func:`register_opts` once, before it parses its arguments.
"""

from oslo_config import cfg

from karbor.conf import api
from karbor.conf import clients
from karbor.conf import default
from karbor.conf import operationengine
from karbor.conf import protection
from karbor.conf import providers
from karbor.conf import quota
from karbor.conf import service_user
from karbor.conf import task_flow

CONF = cfg.CONF


def register_opts(conf=CONF, api_cli=False):
    """Register every group; ``api_cli`` adds --api-host-ip/--api-port."""
    default.register_opts(conf)
    api.register_opts(conf, cli=api_cli)
    protection.register_opts(conf)
    operationengine.register_opts(conf)
    providers.register_opts(conf)
    clients.register_opts(conf)
    service_user.register_opts(conf)
    task_flow.register_opts(conf)
    quota.register_opts(conf)
