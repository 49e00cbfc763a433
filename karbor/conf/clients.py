"""Options of the [<service>_client] groups: how the protection service
reaches Cinder, Glance and Nova on the caller's behalf."""

from oslo_config import cfg

from karbor.i18n import _

SERVICES = {
    # group: (service type in the catalog, what it is)
    'cinder_client': ('block-storage', 'Cinder'),
    'glance_client': ('image', 'Glance'),
    'nova_client': ('compute', 'Nova'),
}


def _opts(service_type, name):
    return [
        cfg.URIOpt('endpoint',
                   help=_('URL of %s, for clouds without a service catalog '
                          'and for tests; by default the catalog of the '
                          'caller\'s token gives it.') % name),
        cfg.StrOpt('service_type', default=service_type,
                   help=_('Service type of %s in the catalog.') % name),
        cfg.StrOpt('region_name',
                   help=_('Region of the %s endpoint in the catalog.') %
                   name),
        cfg.StrOpt('interface', default='public',
                   choices=[('public', _('The public endpoint.')),
                            ('internal', _('The endpoint inside the '
                                           'cloud.')),
                            ('admin', _('The administrative endpoint.'))],
                   help=_('Interface of the %s endpoint in the catalog.') %
                   name),
        cfg.IntOpt('timeout', default=60, min=1,
                   help=_('Seconds to wait for an answer of %s.') % name),
        cfg.StrOpt('ca_cert',
                   help=_('CA bundle to verify %s with.') % name),
        cfg.BoolOpt('insecure', default=False,
                    help=_('Do not verify the TLS certificate of %s.') %
                    name),
    ]


opts = {group: _opts(*info) for group, info in SERVICES.items()}


def register_opts(conf):
    for group, group_opts in opts.items():
        conf.register_opts(group_opts, group=group)


def list_opts():
    return sorted(opts.items())
