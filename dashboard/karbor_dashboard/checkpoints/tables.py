from django import shortcuts
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import messages
from horizon import tables

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common

URL_PREFIX = 'horizon:project:data_protection_checkpoints:'


def plan_of(checkpoint):
    return getattr(checkpoint, 'protection_plan', None) or {}


def resource_types(checkpoint):
    return sorted({r.get('type') for r in plan_of(checkpoint).get(
        'resources') or [] if r.get('type')})


class DeleteCheckpoints(tables.DeleteAction):
    @staticmethod
    def action_present(count):
        return ngettext_lazy('Delete Checkpoint', 'Delete Checkpoints',
                             count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy('Deleted Checkpoint', 'Deleted Checkpoints',
                             count)

    def allowed(self, request, datum=None):
        return common.can_write(request) and (
            datum is None or datum.status in ('available', 'error',
                                              'error-deleting'))

    def delete(self, request, obj_id):
        api.checkpoint_delete(request, self.table.provider_id, obj_id)


class CreateCheckpoint(tables.LinkAction):
    name = 'create'
    verbose_name = _('Create Checkpoint')
    classes = ('ajax-modal',)
    icon = 'plus'

    def allowed(self, request, datum=None):
        return common.can_write(request)

    def get_link_url(self, datum=None):
        return '%s?provider=%s' % (reverse(URL_PREFIX + 'create'),
                                   self.table.provider_id)


class _Verify(tables.Action):
    """Start a verification of the checkpoint at ``level`` for each of its
    resource types whose verify_schema knows levels."""
    requires_input = False
    level = None

    def allowed(self, request, datum=None):
        return common.can_write(request) and (
            datum is None or datum.status == 'available')

    def single(self, table, request, obj_id):
        checkpoint = table.get_object_by_id(obj_id)
        schemas = table.verify_schemas
        parameters = {
            rtype: {'level': self.level} for rtype in
            resource_types(checkpoint)
            if 'level' in ((schemas.get(rtype) or {}).get('properties')
                           or {})}
        try:
            verification = api.verification_create(
                request, table.provider_id, obj_id, parameters)
        except Exception as e:
            common.handle(request, _('Unable to verify checkpoint %s:') %
                          obj_id, e)
            return None
        messages.success(request, _('Verification %(id)s (%(level)s) of '
                                    'checkpoint %(cp)s started.') % {
            'id': verification.id, 'level': self.level, 'cp': obj_id})
        return shortcuts.redirect(reverse(
            'horizon:project:data_protection_verifications:detail',
            args=[verification.id]))


class VerifyQuick(_Verify):
    name = 'verify_quick'
    verbose_name = _('Verify (quick)')
    level = 'quick'


class VerifyDeep(_Verify):
    name = 'verify_deep'
    verbose_name = _('Verify (deep)')
    level = 'deep'


class Restore(tables.LinkAction):
    name = 'restore'
    verbose_name = _('Restore')
    classes = ('ajax-modal',)

    def allowed(self, request, datum=None):
        return common.can_write(request) and (
            datum is None or datum.status == 'available')

    def get_link_url(self, datum):
        return reverse('horizon:project:data_protection_restores:create',
                       args=[self.table.provider_id, datum.id])


def detail_link(checkpoint):
    return reverse(URL_PREFIX + 'detail',
                   args=[checkpoint.provider_id, checkpoint.id])


def plan_name(checkpoint):
    return plan_of(checkpoint).get('name') or '-'


def latest_verification(checkpoint):
    v = getattr(checkpoint, 'latest_verification', None)
    if not v:
        return '-'
    return '%s (%s)' % (v.status, common.verification_level(v.parameters))


class CheckpointsTable(common.ProjectColumnMixin, tables.DataTable):
    id = tables.Column('id', verbose_name=_('ID'), link=detail_link)
    project = tables.Column('project_id', verbose_name=_('Project'))
    plan = tables.Column(plan_name, verbose_name=_('Plan'))
    status = tables.Column('status', verbose_name=_('Status'),
                           filters=(common.status_label,))
    created = tables.Column('created_at', verbose_name=_('Created'))
    verification = tables.Column(latest_verification,
                                 verbose_name=_('Latest verification'))

    def __init__(self, request, data=None, needs_form_wrapper=None,
                 provider_id=None, verify_schemas=None, **kwargs):
        super().__init__(request, data, needs_form_wrapper, **kwargs)
        self.provider_id = provider_id
        self.verify_schemas = verify_schemas or {}

    def get_object_display(self, datum):
        return datum.id

    class Meta(object):
        name = 'checkpoints'
        verbose_name = _('Checkpoints')
        table_actions = (CreateCheckpoint, DeleteCheckpoints)
        row_actions = (VerifyQuick, VerifyDeep, Restore, DeleteCheckpoints)
