from django.urls import reverse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import forms

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common
from karbor_dashboard.plans import forms as plan_forms
from karbor_dashboard.plans import tables as plan_tables
from karbor_dashboard import views as k_views

INDEX = reverse_lazy(plan_tables.URL_PREFIX + 'index')


class IndexView(k_views.IndexView):
    table_class = plan_tables.PlansTable
    page_title = _('Protection Plans')
    all_projects_toggle = True

    def get_data(self):
        try:
            return self.paged(lambda **page: api.plan_list(
                self.request, search_opts=common.scoped(self.request),
                **page))
        except Exception as e:
            common.handle(self.request, _('Unable to list plans:'), e)
            return []


class CreateView(forms.ModalFormView):
    form_class = plan_forms.CreatePlanForm
    form_id = 'create_plan_form'
    modal_id = 'create_plan_modal'
    # The modal when opened from a button, a whole page when visited.
    template_name = 'karbor_dashboard/form_page.html'
    ajax_template_name = 'horizon/common/_modal_form.html'
    page_title = _('Create Protection Plan')
    submit_label = _('Create Plan')
    submit_url = reverse_lazy(plan_tables.URL_PREFIX + 'create')
    success_url = INDEX

    def get_form(self, form_class=None):
        try:
            return super().get_form(form_class)
        except Exception as e:
            common.handle(self.request,
                          _('Unable to prepare the plan form:'), e,
                          redirect=INDEX)


class UpdateView(forms.ModalFormView):
    form_class = plan_forms.UpdatePlanForm
    form_id = 'update_plan_form'
    modal_id = 'update_plan_modal'
    template_name = 'karbor_dashboard/form_page.html'
    ajax_template_name = 'horizon/common/_modal_form.html'
    page_title = _('Edit Protection Plan')
    submit_label = _('Save')
    success_url = INDEX

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context['submit_url'] = reverse(plan_tables.URL_PREFIX + 'update',
                                        args=[self.kwargs['plan_id']])
        return context

    def get_initial(self):
        try:
            plan = api.plan_get(self.request, self.kwargs['plan_id'])
        except Exception as e:
            common.handle(self.request, _('Unable to show the plan:'), e,
                          redirect=INDEX)
        return {'plan_id': plan.id, 'name': plan.name,
                'description': getattr(plan, 'description', None) or ''}


class DetailView(k_views.DetailView):
    page_title = _('Protection Plan: %(name)s')

    def get_object(self):
        try:
            return api.plan_get(self.request, self.kwargs['plan_id'])
        except Exception as e:
            common.handle(self.request, _('Unable to show the plan:'), e,
                          redirect=INDEX)

    def get_sections(self, plan):
        return [(_('Overview'), [
            (_('Name'), plan.name), (_('ID'), plan.id),
            (_('Description'), getattr(plan, 'description', None) or '-'),
            (_('Status'), getattr(plan, 'status', '-')),
            (_('Provider'), plan.provider_id),
            (_('Resources'), common.pre(getattr(plan, 'resources', None))),
            (_('Parameters'), common.pre(getattr(plan, 'parameters',
                                                 None)))])]
