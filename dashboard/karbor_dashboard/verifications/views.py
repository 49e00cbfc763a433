from django.urls import reverse
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from horizon import forms

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common
from karbor_dashboard.verifications import forms as v_forms
from karbor_dashboard.verifications import tables as v_tables
from karbor_dashboard import views as k_views

INDEX = reverse_lazy(v_tables.URL_PREFIX + 'index')


class IndexView(k_views.IndexView):
    """One call: a page of the project's verifications, filtered by the
    API."""
    table_class = v_tables.VerificationsTable
    page_title = _('Verifications')
    all_projects_toggle = True

    def get_data(self):
        search = {}
        info = self.get_server_filter_info(self.request)
        if info.get('value'):
            search[info['field']] = info['value']
        try:
            return self.paged(lambda **page: api.verification_list(
                self.request, search_opts=common.scoped(self.request, search),
                **page))
        except Exception as e:
            common.handle(self.request, _('Unable to list verifications:'),
                          e)
            return []


class CreateView(forms.ModalFormView):
    form_class = v_forms.CreateVerificationForm
    form_id = 'create_verification_form'
    modal_id = 'create_verification_modal'
    # The modal when opened from a button, a whole page when visited.
    template_name = 'karbor_dashboard/form_page.html'
    ajax_template_name = 'horizon/common/_modal_form.html'
    page_title = _('Verify a Checkpoint')
    submit_label = _('Verify')
    submit_url = reverse_lazy(v_tables.URL_PREFIX + 'create')
    success_url = INDEX

    def get_form(self, form_class=None):
        try:
            return super().get_form(form_class)
        except Exception as e:
            common.handle(self.request,
                          _('Unable to prepare the verification form:'), e,
                          redirect=INDEX)

    def get_success_url(self):
        # To the new verification's page, which follows its progress.
        created = getattr(getattr(self, '_form', None), 'verification', None)
        if created is not None:
            return reverse(v_tables.URL_PREFIX + 'detail', args=[created.id])
        return self.success_url

    def form_valid(self, form):
        self._form = form
        return super().form_valid(form)


def progress(verification):
    """Percent and words of the verification's progress."""
    p = getattr(verification, 'progress', None) or {}
    total = p.get('objects_total') or 0
    done = p.get('objects_checked') or 0
    if verification.status != 'verifying':
        percent = 100
    elif total:
        percent = min(99, int(100 * done / total))
    else:
        percent = 0
    text = _('%(done)s of %(total)s objects checked, %(bytes)s bytes '
             'read') % {'done': done, 'total': total or '?',
                        'bytes': p.get('bytes_checked', 0)}
    return {'percent': percent, 'text': text}


class DetailView(k_views.DetailView):
    """The verdict of each resource, and a progress bar; the page reloads
    itself every 2 s while the verification runs."""
    page_title = _('Verification: %(name)s')

    def get_object(self):
        try:
            return api.verification_get(self.request,
                                        self.kwargs['verification_id'])
        except Exception as e:
            common.handle(self.request, _('Unable to show the '
                                          'verification:'), e,
                          redirect=INDEX)

    def refresh_seconds(self, v):
        return 2 if v.status == 'verifying' else 0

    def get_progress(self, v):
        return progress(v)

    def get_sections(self, v):
        checkpoint = reverse('horizon:project:data_protection_checkpoints:'
                             'detail', args=[v.provider_id,
                                             v.checkpoint_id])
        return [(_('Overview'), [
            (_('ID'), v.id),
            (_('Status'), common.status_label(v.status)),
            (_('Reason'), getattr(v, 'status_reason', None) or '-'),
            (_('Level'), common.verification_level(v.parameters)),
            (_('Checkpoint'), format_html('<a href="{}">{}</a>', checkpoint,
                                          v.checkpoint_id)),
            (_('Provider'), v.provider_id),
            (_('Parameters'), common.pre(v.parameters)),
            (_('Coverage'), common.pre(getattr(v, 'coverage', None))),
            (_('Started'), getattr(v, 'started_at', None) or '-'),
            (_('Ended'), getattr(v, 'ended_at', None) or '-')])]

    def resource_names(self, v):
        """{"<type>#<id>": name} from the checkpoint (a second call; the
        names are only missing if it fails)."""
        try:
            checkpoint = api.checkpoint_get(self.request, v.provider_id,
                                            v.checkpoint_id)
        except Exception:
            return {}
        plan = getattr(checkpoint, 'protection_plan', None) or {}
        return {'%s#%s' % (r.get('type'), r.get('id')): r.get('name')
                for r in plan.get('resources') or []}

    def get_table_data(self, v):
        statuses = getattr(v, 'resource_status', None) or {}
        reasons = getattr(v, 'resource_reason', None) or {}
        levels = getattr(v, 'levels', None) or {}
        names = self.resource_names(v)
        rows = [common.Row(key, resource=key, status=status,
                           name=names.get(key, '-'),
                           level=levels.get(key, '-'),
                           reason=reasons.get(key) or '-')
                for key, status in sorted(statuses.items())]
        return {v_tables.ResourceStatusTable: rows}
