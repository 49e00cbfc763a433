"""Directories of this host that an operator allows Karbor to touch.

A tenant names directories only by id (a UUID derived from the canonical
path), never by a path that Karbor would follow blindly: every path is made
canonical (symlinks resolved) and must lie inside an allowed root.
"""

import collections
import os
import uuid

from karbor.common import exception

RESOURCE_TYPE = 'OS::Local::Directory'

# Namespace of the uuid5 ids of local directories.
_NAMESPACE = uuid.UUID('5b0e6f3a-8d44-4c1f-9a7e-2f6b1c9d3e80')

# How far below a root show-by-id looks, and how many directories at most.
SEARCH_DEPTH = 16
SEARCH_LIMIT = 20000


def directory_id(path):
    return str(uuid.uuid5(_NAMESPACE, os.path.realpath(path)))


def canonical_roots(roots):
    return [os.path.realpath(r) for r in roots if r]


def is_inside(path, roots):
    """Whether canonical ``path`` is one of ``roots`` or below one."""
    for root in roots:
        try:
            if os.path.commonpath([path, root]) == root:
                return True
        except ValueError:
            continue
    return False


def check_inside(path, roots, what='directory'):
    """The canonical form of ``path``; InvalidInput if outside the roots."""
    if not isinstance(path, str) or '\x00' in path:
        # It comes from a request; realpath() would raise (a 500).
        raise exception.InvalidInput(
            reason='%s must be a path: a string without NUL characters, '
                   'not %r' % (what, path))
    real = os.path.realpath(path)
    if not roots:
        raise exception.InvalidInput(
            reason='no directory is allowed: the provider has no '
                   'allowed_roots')
    if not is_inside(real, roots):
        raise exception.InvalidInput(
            reason='%s %s is outside the allowed roots (%s); only '
                   'directories under them can be used' % (
                       what, path, ', '.join(roots)))
    return real


def _subdirectories(path):
    try:
        entries = list(os.scandir(path))
    except OSError:
        return []
    return sorted(e.path for e in entries
                  if e.is_dir(follow_symlinks=False))


def list_directories(roots, parent=None):
    """Direct sub-directories of ``parent`` (inside the roots), or of every
    root."""
    if parent is not None:
        return _subdirectories(check_inside(parent, roots))
    found = []
    for root in roots:
        found.extend(_subdirectories(root))
    return found


def find_directories(resource_ids, roots):
    """{id: path} of the directories among ``resource_ids`` found by one
    walk of the roots (breadth first, bounded)."""
    wanted = set(resource_ids)
    found = {}
    queue = collections.deque((root, 0) for root in roots)
    seen = 0
    while queue and seen < SEARCH_LIMIT and len(found) < len(wanted):
        path, depth = queue.popleft()
        seen += 1
        directory = directory_id(path)
        if directory in wanted and directory not in found:
            found[directory] = path
        if depth < SEARCH_DEPTH:
            queue.extend((sub, depth + 1) for sub in _subdirectories(path))
    return found


def find_directory(resource_id, roots):
    """The path of the directory whose id is ``resource_id``, or None."""
    return find_directories([resource_id], roots).get(resource_id)


def resolve(resource_id, roots, hint=None):
    """The canonical path of directory ``resource_id``.

    ``hint`` (a path recorded earlier) is used only when its id matches and
    it is still inside the roots.
    """
    if hint:
        real = os.path.realpath(hint)
        if (directory_id(real) == resource_id and is_inside(real, roots) and
                os.path.isdir(real)):
            return real
    path = find_directory(resource_id, roots)
    if path is None:
        raise exception.ProtectableResourceNotFound(
            resource_type=RESOURCE_TYPE, resource_id=resource_id)
    return path
