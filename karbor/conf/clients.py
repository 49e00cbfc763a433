"""Options of the [cinder], [glance] and [nova] groups: how the protection
service reaches those services on the caller's behalf.

They are keystoneauth's own session and adapter options, the names
operators know from Nova's groups of the same names (``endpoint_override``,
``valid_interfaces``, ``region_name``, ``service_type``, ``cafile``,
``insecure``, ``timeout``, ...). The endpoint is ``endpoint_override``
when set (it may hold ``%(project_id)s``), else the caller's service
catalog. The ``[<service>_client]`` groups of earlier releases are still
read, as deprecated names of these options.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

# group: (service type in the catalog, what it is, the group of earlier
# releases)
SERVICES = {
    'cinder': ('block-storage', 'Cinder', 'cinder_client'),
    'glance': ('image', 'Glance', 'glance_client'),
    'nova': ('compute', 'Nova', 'nova_client'),
}

# Seconds to wait for an answer (keystoneauth waits forever by default).
DEFAULT_TIMEOUT = 60
DEFAULT_INTERFACES = ['internal', 'public']

# Option of today: its name in the [<service>_client] group of earlier
# releases.
_SESSION_RENAMES = {'timeout': 'timeout', 'cafile': 'ca_cert',
                    'insecure': 'insecure'}
_ADAPTER_RENAMES = {'endpoint-override': 'endpoint',
                    'service-type': 'service_type',
                    'region-name': 'region_name',
                    'valid-interfaces': 'interface'}


def _deprecated(renames, old_group):
    return {new: [cfg.DeprecatedOpt(old, group=old_group)]
            for new, old in renames.items()}


def _opts(group):
    """The options of ``[group]``, with Karbor's defaults."""
    service_type, _name, old_group = SERVICES[group]
    session = ks_loading.get_session_conf_options(
        deprecated_opts=_deprecated(_SESSION_RENAMES, old_group))
    adapter = ks_loading.get_adapter_conf_options(
        include_deprecated=False,
        deprecated_opts=_deprecated(_ADAPTER_RENAMES, old_group))
    cfg.set_defaults(session, timeout=DEFAULT_TIMEOUT)
    cfg.set_defaults(adapter, service_type=service_type,
                     valid_interfaces=DEFAULT_INTERFACES)
    return session + adapter


def register_opts(conf):
    for group, (_type, name, _old) in SERVICES.items():
        conf.register_group(cfg.OptGroup(
            group, title='%s, reached on the caller\'s behalf' % name))
        conf.register_opts(_opts(group), group=group)


def list_opts():
    return [(group, _opts(group)) for group in sorted(SERVICES)]
