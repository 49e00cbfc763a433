from django.utils.translation import gettext_lazy as _
from horizon import tables

URL_PREFIX = 'horizon:project:data_protection_providers:'


class ProvidersTable(tables.DataTable):
    name = tables.WrappingColumn('name', verbose_name=_('Name'),
                                 link=URL_PREFIX + 'detail')
    description = tables.Column('description', verbose_name=_('Description'))
    id = tables.Column('id', verbose_name=_('ID'))

    class Meta(object):
        name = 'providers'
        verbose_name = _('Providers')


class SchemaTable(tables.DataTable):
    """The properties of one schema (options, restore or verify) of one
    resource type."""
    resource_type = tables.Column('resource_type',
                                  verbose_name=_('Resource type'))
    schema = tables.Column('schema', verbose_name=_('Schema'))
    prop = tables.Column('prop', verbose_name=_('Parameter'))
    type = tables.Column('type', verbose_name=_('Type'))
    default = tables.Column('default', verbose_name=_('Default'))
    choices = tables.Column('choices', verbose_name=_('Allowed values'))
    description = tables.WrappingColumn('description',
                                        verbose_name=_('Description'))

    class Meta(object):
        name = 'schemas'
        verbose_name = _('Resource types and their parameters')
