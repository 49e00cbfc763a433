"""Entry points for oslo-config-generator."""

from oslo_config import cfg

from karbor.common import config
from karbor.conf import api
from karbor.conf import clients
from karbor.conf import default
from karbor.conf import embedded
from karbor.conf import operationengine
from karbor.conf import protection
from karbor.conf import providers
from karbor.conf import quota
from karbor.conf import service_user
from karbor.conf import task_flow


def list_opts():
    return [
        ('DEFAULT', default.opts + embedded.opts),
        (api.GROUP, api.opts),
        (protection.GROUP, protection.opts),
        (operationengine.GROUP, operationengine.opts),
        (quota.GROUP, quota.opts),
        (providers.GROUP, providers.opts),
        (service_user.GROUP, service_user.list_opts()),
        (task_flow.GROUP, task_flow.opts),
    ] + clients.list_opts()


def set_lib_defaults():
    """Show Karbor's own defaults for library options in the sample."""
    config.set_lib_defaults(cfg.CONF)


def list_provider_opts():
    """Options of provider files (providers.d/*.conf)."""
    from karbor.services.protection.bank_plugins import file_system
    from karbor.services.protection.bank_plugins import s3
    from karbor.services.protection.bank_plugins import swift
    from karbor.services.protection.protection_plugins import cinder_volume
    from karbor.services.protection.protection_plugins import glance_image
    from karbor.services.protection.protection_plugins import local_directory
    from karbor.services.protection import provider
    return (provider.list_opts() + file_system.list_opts() +
            swift.list_opts() + s3.list_opts() +
            local_directory.list_opts() + cinder_volume.list_opts() +
            glance_image.list_opts())
