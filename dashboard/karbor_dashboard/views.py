"""Base views of the panels."""

from django.views import generic
from horizon import tables
from horizon.utils import functions

from karbor_dashboard import common


class DetailView(generic.TemplateView):
    """A detail page: sections of label/value rows, an optional progress
    bar, and tables. Subclasses fetch the object in ``get_object`` (an API
    error ends in a message and a redirect)."""

    template_name = 'karbor_dashboard/detail.html'
    page_title = ''
    table_classes = ()

    def get_object(self):
        raise NotImplementedError

    def get_sections(self, obj):
        return []

    def get_table_data(self, obj):
        """{table class: rows}."""
        return {}

    def get_progress(self, obj):
        return None

    def refresh_seconds(self, obj):
        return 0

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.get_object()
        context['object'] = obj
        context['page_title'] = self.page_title % {
            'name': getattr(obj, 'name', None) or obj.id}
        context['sections'] = [
            {'title': title, 'rows': rows}
            for title, rows in self.get_sections(obj)]
        context['progress'] = self.get_progress(obj)
        context['refresh_seconds'] = self.refresh_seconds(obj)
        context['tables'] = [
            table_class(self.request, data=rows, **self.kwargs)
            for table_class, rows in self.get_table_data(obj).items()]
        return context


class IndexView(tables.DataTableView):
    """A list page. ``paged(fetch)`` asks the API for one page after the
    marker of the "Next" link (``fetch(limit=, marker=)``), one row more
    than it shows, to know whether there is a next page."""
    template_name = 'karbor_dashboard/index.html'

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context['can_see_all_projects'] = (
            user.is_superuser and self.all_projects_toggle)
        context['all_projects'] = common.all_projects(self.request)
        return context

    # Whether the page offers cloud administrators every project's rows.
    all_projects_toggle = False

    def has_more_data(self, table):
        return getattr(self, '_more', False)

    def paged(self, fetch):
        # The user's "Items Per Page" (Horizon's API_RESULT_PAGE_SIZE).
        size = int(functions.get_page_size(self.request))
        table = self.get_table()
        marker = self.request.GET.get(table._meta.pagination_param)
        rows = fetch(limit=size + 1, marker=marker)
        self._more = len(rows) > size
        return rows[:size]
