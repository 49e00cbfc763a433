from django.urls import reverse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from horizon import forms

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common
from karbor_dashboard.restores import forms as r_forms
from karbor_dashboard.restores import tables as r_tables
from karbor_dashboard import views as k_views

INDEX = reverse_lazy(r_tables.URL_PREFIX + 'index')


class IndexView(k_views.IndexView):
    table_class = r_tables.RestoresTable
    page_title = _('Restores')
    all_projects_toggle = True

    def get_data(self):
        try:
            return self.paged(lambda **page: api.restore_list(
                self.request, search_opts=common.scoped(self.request),
                **page))
        except Exception as e:
            common.handle(self.request, _('Unable to list restores:'), e)
            return []


class CreateView(forms.ModalFormView):
    form_class = r_forms.CreateRestoreForm
    form_id = 'create_restore_form'
    modal_id = 'create_restore_modal'
    # The modal when opened from a button, a whole page when visited.
    template_name = 'karbor_dashboard/form_page.html'
    ajax_template_name = 'horizon/common/_modal_form.html'
    page_title = _('Restore a Checkpoint')
    submit_label = _('Restore')
    success_url = INDEX

    def get_initial(self):
        return {'provider_id': self.kwargs['provider_id'],
                'checkpoint_id': self.kwargs['checkpoint_id']}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context['submit_url'] = reverse(
            r_tables.URL_PREFIX + 'create',
            args=[self.kwargs['provider_id'], self.kwargs['checkpoint_id']])
        return context

    def get_form(self, form_class=None):
        try:
            return super().get_form(form_class)
        except Exception as e:
            common.handle(self.request,
                          _('Unable to prepare the restore form:'), e,
                          redirect=INDEX)

    def form_valid(self, form):
        self._form = form
        return super().form_valid(form)

    def get_success_url(self):
        created = getattr(getattr(self, '_form', None), 'restore', None)
        if created is not None:
            return reverse(r_tables.URL_PREFIX + 'detail', args=[created.id])
        return self.success_url


class DetailView(k_views.DetailView):
    page_title = _('Restore: %(name)s')

    def get_object(self):
        try:
            return api.restore_get(self.request, self.kwargs['restore_id'])
        except Exception as e:
            common.handle(self.request, _('Unable to show the restore:'),
                          e, redirect=INDEX)

    def refresh_seconds(self, r):
        return 2 if r.status == 'in_progress' else 0

    def get_sections(self, r):
        return [(_('Overview'), [
            (_('ID'), r.id),
            (_('Status'), common.status_label(r.status)),
            (_('Reason'), getattr(r, 'status_reason', None) or '-'),
            (_('Checkpoint'), r.checkpoint_id),
            (_('Provider'), r.provider_id),
            (_('Target'), getattr(r, 'restore_target', None) or '-'),
            (_('Parameters'), common.pre(getattr(r, 'parameters', None))),
            (_('Progress'), common.pre(getattr(r, 'progress', None))),
            (_('Not restored'), common.pre(getattr(r, 'not_restored',
                                                   None))),
            (_('Created'), getattr(r, 'created_at', '-'))])]

    def get_table_data(self, r):
        statuses = getattr(r, 'resources_status', None) or {}
        reasons = getattr(r, 'resources_reason', None) or {}
        places = getattr(r, 'restored_to', None) or {}
        rows = [common.Row(key, resource=key, status=status,
                           restored_to=places.get(key) or '-',
                           reason=reasons.get(key) or '-')
                for key, status in sorted(statuses.items())]
        return {r_tables.ResourceStatusTable: rows}
