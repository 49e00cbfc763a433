from django.utils.translation import gettext_lazy as _

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common
from karbor_dashboard.services import tables as s_tables
from karbor_dashboard import views as k_views


class IndexView(k_views.IndexView):
    table_class = s_tables.ServicesTable
    page_title = _('Protection Services')

    def get_data(self):
        try:
            return api.service_list(self.request)
        except Exception as e:
            common.handle(self.request,
                          _('Unable to list the protection services:'), e)
            return []
