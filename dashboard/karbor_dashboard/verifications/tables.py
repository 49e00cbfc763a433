from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import tables

from karbor_dashboard import common

URL_PREFIX = 'horizon:project:data_protection_verifications:'
STATUSES = ('verifying', 'success', 'error')


class CreateVerification(tables.LinkAction):
    name = 'create'
    verbose_name = _('Verify a Checkpoint')
    url = URL_PREFIX + 'create'
    classes = ('ajax-modal',)
    icon = 'plus'

    def allowed(self, request, datum=None):
        return common.can_write(request)


class StatusFilter(tables.FilterAction):
    """Filtered by the API (``?status=``), not in the page."""
    filter_type = 'server'
    filter_choices = (('status', _('Status ='), True,
                       _('verifying, success or error')),)


def checkpoint_link(verification):
    return reverse('horizon:project:data_protection_checkpoints:detail',
                   args=[verification.provider_id,
                         verification.checkpoint_id])


def level(verification):
    return common.verification_level(getattr(verification, 'parameters',
                                             None))


class VerificationsTable(common.ProjectColumnMixin, tables.DataTable):
    id = tables.Column('id', verbose_name=_('ID'),
                       link=URL_PREFIX + 'detail')
    project = tables.Column('project_id', verbose_name=_('Project'))
    status = tables.Column('status', verbose_name=_('Status'),
                           filters=(common.status_label,))
    level = tables.Column(level, verbose_name=_('Level'))
    checkpoint = tables.Column('checkpoint_id', verbose_name=_('Checkpoint'),
                               link=checkpoint_link)
    provider = tables.Column('provider_id', verbose_name=_('Provider'),
                             filters=(common.short,))
    started = tables.Column('started_at', verbose_name=_('Started'))
    ended = tables.Column('ended_at', verbose_name=_('Ended'))

    class Meta(object):
        name = 'verifications'
        verbose_name = _('Verifications')
        table_actions = (StatusFilter, CreateVerification)


class ResourceStatusTable(tables.DataTable):
    """One row per resource of a verification: its verdict and why."""
    name = tables.Column('name', verbose_name=_('Name'))
    resource = tables.Column('resource', verbose_name=_('Resource'))
    level = tables.Column('level', verbose_name=_('Level'))
    status = tables.Column('status', verbose_name=_('Status'),
                           filters=(common.status_label,))
    reason = tables.WrappingColumn('reason', verbose_name=_('Reason'))

    class Meta(object):
        name = 'resource_status'
        verbose_name = _('Resources')
