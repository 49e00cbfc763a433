from django import shortcuts
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from horizon import messages
from horizon import tables

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common

URL_PREFIX = 'horizon:project:data_protection_plans:'


class CreatePlan(tables.LinkAction):
    name = 'create'
    verbose_name = _('Create Protection Plan')
    url = URL_PREFIX + 'create'
    classes = ('ajax-modal',)
    icon = 'plus'

    def allowed(self, request, datum=None):
        return common.can_write(request)


class UpdatePlan(tables.LinkAction):
    name = 'update'
    verbose_name = _('Edit Plan')
    url = URL_PREFIX + 'update'
    classes = ('ajax-modal',)
    icon = 'pencil'

    def allowed(self, request, datum=None):
        return common.can_write(request)


class DeletePlans(tables.DeleteAction):
    @staticmethod
    def action_present(count):
        return ngettext_lazy('Delete Plan', 'Delete Plans', count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy('Deleted Plan', 'Deleted Plans', count)

    def allowed(self, request, datum=None):
        return common.can_write(request)

    def delete(self, request, obj_id):
        api.plan_delete(request, obj_id)


class ProtectNow(tables.Action):
    """Create a checkpoint of the plan now."""
    name = 'protect'
    verbose_name = _('Protect Now')
    requires_input = False

    def allowed(self, request, datum=None):
        return common.can_write(request)

    def single(self, table, request, obj_id):
        plan = table.get_object_by_id(obj_id)
        try:
            checkpoint = api.checkpoint_create(request, plan.provider_id,
                                               obj_id)
        except Exception as e:
            common.handle(request, _('Unable to protect plan "%s":') %
                          plan.name, e)
            return None
        messages.success(request, _('Checkpoint %(id)s of plan "%(name)s" '
                                    'is being created.') % {
            'id': checkpoint.id, 'name': plan.name})
        return shortcuts.redirect('%s?provider=%s' % (
            reverse('horizon:project:data_protection_checkpoints:index'),
            plan.provider_id))


def resource_names(plan):
    return ', '.join(r.get('name') or r.get('id')
                     for r in getattr(plan, 'resources', None) or [])


class PlansTable(common.ProjectColumnMixin, tables.DataTable):
    name = tables.WrappingColumn('name', verbose_name=_('Name'),
                                 link=URL_PREFIX + 'detail')
    project = tables.Column('project_id', verbose_name=_('Project'))
    description = tables.Column('description',
                                verbose_name=_('Description'))
    provider = tables.Column('provider_id', verbose_name=_('Provider'),
                             filters=(common.short,))
    resources = tables.WrappingColumn(resource_names,
                                      verbose_name=_('Resources'))
    status = tables.Column('status', verbose_name=_('Status'))

    class Meta(object):
        name = 'plans'
        verbose_name = _('Protection Plans')
        table_actions = (CreatePlan, DeletePlans)
        row_actions = (ProtectNow, UpdatePlan, DeletePlans)
