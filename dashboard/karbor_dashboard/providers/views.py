from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common
from karbor_dashboard.providers import tables as p_tables
from karbor_dashboard import views as k_views

BANK_TYPES = {'file_system': _('File system'), 'swift': _('Swift'),
              's3': _('S3')}

SCHEMAS = (('options_schema', _('protect options')),
           ('restore_schema', _('restore parameters')),
           ('verify_schema', _('verify parameters')))


def schema_rows(provider):
    """One row per parameter of each schema of each resource type."""
    rows = []
    info = getattr(provider, 'extended_info_schema', None) or {}
    for key, label in SCHEMAS:
        for rtype, schema in sorted((info.get(key) or {}).items()):
            props = (schema or {}).get('properties') or {}
            if not props:
                rows.append(common.Row(
                    '%s/%s' % (key, rtype), resource_type=rtype,
                    schema=label, prop='-', type='-', default='-',
                    choices='-', description=_('no parameters')))
            required = set((schema or {}).get('required') or ())
            for name, prop in sorted(props.items()):
                rows.append(common.Row(
                    '%s/%s/%s' % (key, rtype, name), resource_type=rtype,
                    schema=label,
                    prop=name + (' *' if name in required else ''),
                    type=prop.get('type', '-'),
                    default=common.pretty(prop.get('default')),
                    choices=', '.join(str(c) for c in prop.get('enum', ()))
                    or '-',
                    description=prop.get('description')
                    or prop.get('title') or ''))
    return rows


class IndexView(k_views.IndexView):
    table_class = p_tables.ProvidersTable
    page_title = _('Providers')

    def get_data(self):
        try:
            return api.provider_list(self.request)
        except Exception as e:
            common.handle(self.request, _('Unable to list providers:'), e)
            return []


class DetailView(k_views.DetailView):
    page_title = _('Provider: %(name)s')

    def get_object(self):
        try:
            return api.provider_get(self.request, self.kwargs['provider_id'])
        except Exception as e:
            common.handle(self.request, _('Unable to show the provider:'), e,
                          redirect=reverse_lazy(
                              p_tables.URL_PREFIX + 'index'))

    def get_sections(self, provider):
        info = getattr(provider, 'extended_info_schema', None) or {}
        types = sorted(set().union(*[set(info.get(k) or ())
                                     for k, _l in SCHEMAS]))
        rows = [(_('Name'), provider.name), (_('ID'), provider.id),
                (_('Description'), provider.description or '-'),
                (_('Resource types'), ', '.join(types) or '-')]
        bank = getattr(provider, 'bank', None)
        if isinstance(bank, dict) and bank.get('type'):
            # The kind of bank; the API shows no location or credentials.
            rows.append((_('Bank'), BANK_TYPES.get(bank['type'],
                                                   bank['type'])))
        elif bank:
            rows.append((_('Bank'), common.pre(bank)))
        return [(_('Overview'), rows)]

    def get_table_data(self, provider):
        return {p_tables.SchemaTable: schema_rows(provider)}
