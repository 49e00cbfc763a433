"""What the panels share: who may change things, how an API error reaches
the user, and how values are shown."""

import json

from django.conf import settings
from django.utils.html import format_html
from horizon import exceptions

from karbor_dashboard.api import karbor as api

# Karbor's default policy: a project's readers see, its members and admins
# change. The buttons follow the roles of the token; the API still decides.
DEFAULT_WRITE_ROLES = ('member', 'admin')


def can_write(request):
    roles = getattr(settings, 'KARBOR_WRITE_ROLES', DEFAULT_WRITE_ROLES)
    user = getattr(request, 'user', None)
    held = {r.get('name', '').lower()
            for r in getattr(user, 'roles', None) or ()}
    return any(role.lower() in held for role in roles)


def handle(request, what, error, redirect=None, ignore=False):
    """Show ``what`` went wrong, with the API's reason, as a Horizon
    message (never a stack trace); call it inside ``except``."""
    message = '%s %s' % (what, api.error_text(error))
    exceptions.handle(request, message, redirect=redirect, ignore=ignore)


def short(value, length=8):
    return (value or '')[:length]


def pretty(value):
    """Structured values as indented JSON."""
    if value in (None, '', {}, []):
        return '-'
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2, sort_keys=True)
    return str(value)


def status_label(status):
    css = {'success': 'label-success', 'available': 'label-success',
           'error': 'label-danger', 'fail': 'label-danger',
           'error-deleting': 'label-danger',
           'deleting': 'label-warning'}.get(status, 'label-info')
    return format_html('<span class="label {} karbor-status">{}</span>',
                       css, status or '-')


def verification_level(parameters):
    """The level a verification asked for: one level, or the levels by
    type, or the provider's default."""
    levels = sorted({v.get('level') for v in (parameters or {}).values()
                     if isinstance(v, dict) and v.get('level')})
    return ', '.join(levels) or 'default'


def pre(value):
    """A detail-page value shown as preformatted text."""
    return {'pre': pretty(value)}


def html(value):
    """A detail-page value that is already safe HTML."""
    return {'html': value}


class Row:
    """A table row built by the panels (not an API resource)."""

    def __init__(self, id, **fields):
        self.id = id
        self.__dict__.update(fields)


def all_projects(request):
    """Whether a cloud administrator asked for every project's objects
    (``?all_tenants=1``; the API's ``karbor:all_tenants`` rule decides)."""
    user = getattr(request, 'user', None)
    return bool(user and user.is_superuser and
                request.GET.get('all_tenants') == '1')


def scoped(request, search_opts=None):
    """``search_opts`` with ``all_tenants`` when :func:`all_projects`."""
    opts = dict(search_opts or {})
    if all_projects(request):
        opts['all_tenants'] = '1'
    return opts


class ProjectColumnMixin:
    """A table whose "Project" column shows only when the rows are of
    every project."""

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        if not all_projects(request) and 'project' in self.columns:
            del self.columns['project']
