"""Formatting shared by the response builders."""


def iso(value):
    return value.isoformat() if value else None


def progress_parts(progress):
    """(counters, not copied, places) of the ``progress`` of a protect or
    restore: each shown once, under its own name."""
    counters = dict(progress or {})
    not_copied = counters.pop('not_copied', None) or {'count': 0,
                                                      'first': []}
    places = counters.pop('targets', None) or {}
    return counters, not_copied, places
