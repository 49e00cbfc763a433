"""Which data objects a ``sample`` verification re-reads.

The objects of a resource are put in a fixed order that looks random
(sorted by the SHA-256 of the checkpoint id and the key: the same every
time, spread over the whole tree). A sampled run re-reads ``percent`` of
them, ``ceil(N * percent / 100)`` objects, in the window that starts
where the last sampled run of the same checkpoint and resource stopped.
Successive runs therefore cover every object within ``ceil(100 /
percent)`` runs (``ceil(N / n)`` exactly), whatever their results, and the
coverage of a run counts the objects of its window and of the windows of
the runs before it, newest first, until every object is counted.

The windows of earlier runs are read from the ``progress`` of the
checkpoint's verifications in the database (``coverage`` per resource),
so nothing is written to the bank.
"""

import hashlib
import math

from karbor.common import constants
from karbor.db import verifications as verifications_db

DEFAULT_PERCENT = 10


def order(checkpoint_id, objects):
    """``objects`` in the fixed sampling order of the checkpoint."""
    return sorted(objects, key=lambda o: hashlib.sha256(
        ('%s/%s' % (checkpoint_id, o['key'])).encode()).hexdigest())


def earlier_windows(checkpoint_id, resource_key, verification_id):
    """(start, count, of) of the sampled runs of ``resource_key`` before
    ``verification_id``, oldest first."""
    rows = verifications_db.verification_get_all(
        filters={'checkpoint_id': checkpoint_id},
        sort_keys=['created_at', 'id'], sort_dirs=['asc', 'asc'])
    windows = []
    for row in rows:
        if row.id == verification_id:
            break
        coverage = ((row.progress or {}).get('coverage') or {}).get(
            resource_key)
        if isinstance(coverage, dict) and 'start' in coverage:
            windows.append((coverage['start'], coverage['objects_read'],
                            coverage['objects_total']))
    return windows


def plan(checkpoint_id, objects, percent, windows):
    """(objects to read, coverage record without the byte counts)."""
    total = len(objects)
    count = min(total, max(1, math.ceil(total * percent / 100.0))) \
        if total else 0
    # Only the runs over the same objects count; an older checkpoint
    # format would be another story.
    same = [w for w in windows if w[2] == total]
    start = (same[-1][0] + same[-1][1]) % total if same and total else 0
    # This run's window, then the earlier ones, newest first, until
    # every object is covered.
    covered = _window(start, count, total)
    for w_start, w_count, _ in reversed(same):
        if len(covered) == total:
            break
        covered |= _window(w_start, w_count, total)
    ordered = order(checkpoint_id, objects)
    chosen = [ordered[(start + i) % total] for i in range(count)]
    runs = math.ceil(total / count) if count else 0
    return chosen, {
        'level': constants.VERIFY_LEVEL_SAMPLE,
        'percent': percent,
        'start': start,
        'objects_read': count,
        'objects_total': total,
        'objects_covered': len(covered),
        'coverage_percent': round(100.0 * len(covered) / total, 1)
        if total else 100.0,
        'runs_for_full_coverage': runs,
    }


def _window(start, count, total):
    return {(start + i) % total for i in range(count)} if total else set()
