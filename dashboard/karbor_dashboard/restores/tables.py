from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import tables

from karbor_dashboard import common

URL_PREFIX = 'horizon:project:data_protection_restores:'


def checkpoint_link(restore):
    return reverse('horizon:project:data_protection_checkpoints:detail',
                   args=[restore.provider_id, restore.checkpoint_id])


class RestoresTable(common.ProjectColumnMixin, tables.DataTable):
    id = tables.Column('id', verbose_name=_('ID'),
                       link=URL_PREFIX + 'detail')
    project = tables.Column('project_id', verbose_name=_('Project'))
    status = tables.Column('status', verbose_name=_('Status'),
                           filters=(common.status_label,))
    checkpoint = tables.Column('checkpoint_id', verbose_name=_('Checkpoint'),
                               link=checkpoint_link)
    target = tables.Column('restore_target', verbose_name=_('Target'))
    created = tables.Column('created_at', verbose_name=_('Created'))

    class Meta(object):
        name = 'restores'
        verbose_name = _('Restores')


class ResourceStatusTable(tables.DataTable):
    resource = tables.Column('resource', verbose_name=_('Resource'))
    status = tables.Column('status', verbose_name=_('Status'),
                           filters=(common.status_label,))
    restored_to = tables.Column('restored_to', verbose_name=_('Restored to'))
    reason = tables.WrappingColumn('reason', verbose_name=_('Reason'))

    class Meta(object):
        name = 'restore_resources'
        verbose_name = _('Resources')
