from django.utils.translation import gettext_lazy as _
from horizon import tables


class ServicesTable(tables.DataTable):
    binary = tables.Column('binary', verbose_name=_('Service'))
    host = tables.Column('host', verbose_name=_('Host'))
    status = tables.Column('status', verbose_name=_('Status'))
    state = tables.Column('state', verbose_name=_('State'))
    updated = tables.Column('updated_at', verbose_name=_('Last heartbeat'))
    reason = tables.Column('disabled_reason',
                           verbose_name=_('Disabled because'))

    class Meta(object):
        name = 'services'
        verbose_name = _('Protection Services')
