"""Entry points for oslo-config-generator."""

from oslo_config import cfg

from karbor.common import config
from karbor.conf import api
from karbor.conf import default
from karbor.conf import protection


def list_opts():
    return [
        ('DEFAULT', default.opts),
        (api.GROUP, api.opts),
        (protection.GROUP, protection.opts),
    ]


def set_lib_defaults():
    """Show Karbor's own defaults for library options in the sample."""
    config.set_lib_defaults(cfg.CONF)
