from django.utils.translation import gettext_lazy as _
from horizon import tables

from karbor_dashboard import common

URL_PREFIX = 'horizon:project:data_protection_operation_logs:'


class OperationLogFilter(tables.FilterAction):
    """Filtered by the API."""
    filter_type = 'server'
    filter_choices = (
        ('status', _('Status ='), True),
        ('operation_type', _('Operation ='), True,
         _('protect, restore, delete or verify')),
        ('checkpoint_id', _('Checkpoint ID ='), True),
        ('plan_id', _('Plan ID ='), True))


class OperationLogsTable(common.ProjectColumnMixin, tables.DataTable):
    id = tables.Column('id', verbose_name=_('ID'),
                       link=URL_PREFIX + 'detail')
    project = tables.Column('project_id', verbose_name=_('Project'))
    operation_type = tables.Column('operation_type',
                                   verbose_name=_('Operation'))
    status = tables.Column('status', verbose_name=_('Status'),
                           filters=(common.status_label,))
    checkpoint = tables.Column('checkpoint_id', verbose_name=_('Checkpoint'))
    started = tables.Column('started_at', verbose_name=_('Started'))
    ended = tables.Column('ended_at', verbose_name=_('Ended'))
    error = tables.WrappingColumn('error_info', verbose_name=_('Error'))

    class Meta(object):
        name = 'operation_logs'
        verbose_name = _('Operation Logs')
        table_actions = (OperationLogFilter,)
