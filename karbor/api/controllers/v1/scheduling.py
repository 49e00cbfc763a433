"""Helpers shared by the /triggers and /scheduled_operations controllers."""

from karbor.api.controllers import base
from karbor.common import exception


def matches(stored, wanted):
    """Whether the dict ``stored`` holds every key of ``wanted`` with the
    same value (compared as text: the client sends text)."""
    return all(k in stored and str(stored[k]) == str(v)
               for k, v in wanted.items())


def dict_filtered_page(get_all, filters, project_id, params, column,
                       wanted):
    """A page of ``get_all`` rows whose dict ``column`` matches
    ``wanted``. A database cannot compare inside a JSON text column on
    every backend, so the filtered rows of the scope are read in order and
    paged here; a project holds few triggers and scheduled operations."""
    rows = get_all(filters=filters, project_id=project_id,
                   sort_keys=params.sort_keys, sort_dirs=params.sort_dirs)
    if params.marker is not None:
        # The marker must be an item of this scope, as for any list.
        get_all(filters={'id': params.marker}, project_id=project_id,
                marker=params.marker, limit=1)
    rows = [r for r in rows if matches(getattr(r, column) or {}, wanted)]
    if params.marker is not None:
        ids = [r.id for r in rows]
        if params.marker in ids:
            rows = rows[ids.index(params.marker) + 1:]
        else:
            raise exception.MarkerNotFound(marker=params.marker)
    return rows[:params.limit] if params.limit else rows


def dict_query(kwargs, name):
    return base.literal_dict(kwargs.pop(name, None), name)
