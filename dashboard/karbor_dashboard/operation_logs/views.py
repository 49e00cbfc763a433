from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common
from karbor_dashboard.operation_logs import tables as o_tables
from karbor_dashboard import views as k_views

INDEX = reverse_lazy(o_tables.URL_PREFIX + 'index')
FIELDS = ('id', 'operation_type', 'status', 'error_info', 'provider_id',
          'plan_id', 'checkpoint_id', 'restore_id', 'verification_id',
          'scheduled_operation_id', 'started_at', 'ended_at', 'created_at')


class IndexView(k_views.IndexView):
    table_class = o_tables.OperationLogsTable
    page_title = _('Operation Logs')
    all_projects_toggle = True

    def get_data(self):
        search = {}
        info = self.get_server_filter_info(self.request)
        if info.get('value'):
            search[info['field']] = info['value']
        try:
            return self.paged(lambda **page: api.operation_log_list(
                self.request, search_opts=common.scoped(self.request, search),
                **page))
        except Exception as e:
            common.handle(self.request, _('Unable to list operation logs:'),
                          e)
            return []


class DetailView(k_views.DetailView):
    page_title = _('Operation Log: %(name)s')

    def get_object(self):
        try:
            return api.operation_log_get(self.request,
                                         self.kwargs['operation_log_id'])
        except Exception as e:
            common.handle(self.request,
                          _('Unable to show the operation log:'), e,
                          redirect=INDEX)

    def get_sections(self, log):
        rows = [(name.replace('_', ' ').capitalize(),
                 getattr(log, name, None) or '-') for name in FIELDS]
        rows.append((_('Extra info'), common.pre(getattr(log, 'extra_info',
                                                         None))))
        return [(_('Overview'), rows)]
