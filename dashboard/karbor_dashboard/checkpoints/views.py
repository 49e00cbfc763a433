from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import forms
from horizon import tables

from karbor_dashboard.api import karbor as api
from karbor_dashboard.checkpoints import forms as cp_forms
from karbor_dashboard.checkpoints import tables as cp_tables
from karbor_dashboard import common
from karbor_dashboard import views as k_views


class ProviderMixin:
    """The provider of the page: ``?provider=<id>``, else the first."""

    def providers(self):
        if not hasattr(self, '_providers'):
            try:
                self._providers = api.provider_list(self.request)
            except Exception as e:
                self._providers = []
                common.handle(self.request, _('Unable to list providers:'),
                              e)
        return self._providers

    def provider(self):
        providers = self.providers()
        wanted = self.request.GET.get('provider')
        for p in providers:
            if p.id == wanted:
                return p
        return providers[0] if providers else None


class IndexView(ProviderMixin, k_views.IndexView):
    """A provider's checkpoints and the latest verification of each: three
    calls whatever the number of rows (providers, checkpoints, one page of
    the provider's verifications)."""
    table_class = cp_tables.CheckpointsTable
    page_title = _('Checkpoints')
    all_projects_toggle = True

    def get_table(self):
        if not hasattr(self, 'table'):
            provider = self.provider()
            info = getattr(provider, 'extended_info_schema', None) or {}
            self.table = self.table_class(
                self.request, provider_id=provider and provider.id,
                verify_schemas=info.get('verify_schema') or {},
                **self.kwargs)
        return self.table

    def get_data(self):
        provider = self.provider()
        if provider is None:
            return []
        try:
            checkpoints = api.checkpoint_list(
                self.request, provider.id,
                search_opts=common.scoped(self.request))
        except Exception as e:
            common.handle(self.request, _('Unable to list checkpoints:'), e)
            return []
        try:
            verifications = api.verification_list(
                self.request, search_opts=common.scoped(
                    self.request, {'provider_id': provider.id}))
        except Exception as e:
            verifications = []
            common.handle(self.request, _('Unable to list verifications:'),
                          e)
        latest = {}
        for v in verifications:  # newest first
            latest.setdefault(v.checkpoint_id, v)
        for cp in checkpoints:
            cp.latest_verification = latest.get(cp.id)
        return checkpoints

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        provider = self.provider()
        context['provider_choices'] = self.providers()
        context['provider_id'] = provider and provider.id
        return context


def graph_lines(packed):
    """The resource graph (Karbor's packed form: ``[{short id: [type, id,
    name, extra]}, [[parent, [children]]]]``) as indented lines,
    dependents under their parent."""
    try:
        resources, edges = packed
        children = {parent: kids for parent, kids in edges}
    except (TypeError, ValueError):
        return [str(packed)] if packed else []
    roots = [s for s in resources
             if not any(s in kids for kids in children.values())]
    lines = []

    def walk(sid, depth):
        rtype, rid, name = (list(resources[sid]) + [None] * 3)[:3]
        lines.append('%s%s  %s  (%s)' % ('    ' * depth, rtype, name, rid))
        for kid in children.get(sid, ()):
            if depth < 20:
                walk(kid, depth + 1)

    for sid in sorted(roots):
        walk(sid, 0)
    return lines


class ResourcesTable(tables.DataTable):
    type = tables.Column('type', verbose_name=_('Type'))
    name = tables.Column('name', verbose_name=_('Name'))
    resource_id = tables.Column('resource_id', verbose_name=_('ID'))

    class Meta(object):
        name = 'resources'
        verbose_name = _('Protected resources')


class DetailView(k_views.DetailView):
    page_title = _('Checkpoint: %(name)s')

    def get_object(self):
        try:
            return api.checkpoint_get(self.request,
                                      self.kwargs['provider_id'],
                                      self.kwargs['checkpoint_id'])
        except Exception as e:
            common.handle(self.request, _('Unable to show the checkpoint:'),
                          e, redirect='%s?provider=%s' % (
                              reverse(cp_tables.URL_PREFIX + 'index'),
                              self.kwargs['provider_id']))

    def refresh_seconds(self, checkpoint):
        return 3 if checkpoint.status == 'protecting' else 0

    def get_sections(self, cp):
        plan = cp_tables.plan_of(cp)
        rows = [(_('ID'), cp.id),
                (_('Status'), common.status_label(cp.status)),
                (_('Reason'), getattr(cp, 'status_reason', None) or '-'),
                (_('Plan'), '%s (%s)' % (plan.get('name'), plan.get('id'))),
                (_('Provider'), self.kwargs['provider_id']),
                (_('Created'), getattr(cp, 'created_at', '-')),
                (_('Progress'), common.pre(getattr(cp, 'progress', None))),
                (_('Not copied'), common.pre(getattr(cp, 'not_copied',
                                                     None))),
                (_('Resource graph'), common.pre(
                    '\n'.join(graph_lines(api.resource_graph(cp))) or '-'))]
        return [(_('Overview'), rows)]

    def get_table_data(self, cp):
        rows = [common.Row('%s#%s' % (r.get('type'), r.get('id')),
                           type=r.get('type'), name=r.get('name'),
                           resource_id=r.get('id'))
                for r in cp_tables.plan_of(cp).get('resources') or []]
        return {ResourcesTable: rows}


class CreateView(forms.ModalFormView):
    form_class = cp_forms.CreateCheckpointForm
    form_id = 'create_checkpoint_form'
    modal_id = 'create_checkpoint_modal'
    template_name = 'karbor_dashboard/form_page.html'
    ajax_template_name = 'horizon/common/_modal_form.html'
    page_title = _('Create Checkpoint')
    submit_label = _('Protect Now')

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context['submit_url'] = self.request.get_full_path()
        return context

    def get_form(self, form_class=None):
        try:
            return super().get_form(form_class)
        except Exception as e:
            common.handle(self.request, _('Unable to list plans:'), e,
                          redirect=reverse(cp_tables.URL_PREFIX + 'index'))

    def form_valid(self, form):
        self._form = form
        return super().form_valid(form)

    def get_success_url(self):
        provider = getattr(getattr(self, '_form', None), 'provider_id', '')
        return '%s?provider=%s' % (reverse(cp_tables.URL_PREFIX + 'index'),
                                   provider or self.request.GET.get(
                                       'provider', ''))
