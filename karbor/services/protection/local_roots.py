"""Directories of this host that an operator allows a project to touch.

**Roots per project.** Each entry of a provider's ``allowed_roots`` is a
directory, or a template containing ``{project_id}`` that names a
different directory for every project (``/srv/karbor/{project_id}``). A
plain directory is shared by every project: fine for one person, never for
a cloud. :class:`Roots` holds the canonical roots of one project.

**Names, not paths.** A project sees and gives its directories by their
path relative to its root (``photos/2019``); host paths never appear in
what it is shown. Names are resolved one component at a time from the
root, without following symbolic links (``O_NOFOLLOW`` on every
component), so a link inside a root cannot lead outside it.

**Ids.** A directory's id is a uuid5 of its canonical host path: stable,
URL-safe, free of ``=``, ``,`` and ``/``, and the same in every process.
"""

import os
import re
import stat
import uuid

from karbor.common import exception

RESOURCE_TYPE = 'OS::Local::Directory'

PROJECT_TEMPLATE = '{project_id}'

# Namespace of the uuid5 ids of local directories.
_NAMESPACE = uuid.UUID('5b0e6f3a-8d44-4c1f-9a7e-2f6b1c9d3e80')

# A project id that can be one component of a path: no '/', no NUL, not
# '.' or '..', not hidden.
_SAFE_PROJECT = re.compile(r'^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}$')

# An absolute path in a message: after a space, quote or bracket, not
# inside a URL ("http://h/p") nor a relative name ("photos/a").
_ABSOLUTE_PATH = re.compile(
    r'''(?<![\w:/.~-])/[^\s'",;)\]]*?(?=:?(?:[\s'",;)\]]|$))''')

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def directory_id(path):
    return str(uuid.uuid5(_NAMESPACE, os.path.realpath(path)))


def is_template(entry):
    return PROJECT_TEMPLATE in entry


def static_part(entry):
    """The directory above the first ``{project_id}`` of a template (the
    entry itself for a plain root): what can exist before any project."""
    if not is_template(entry):
        return entry
    return os.path.dirname(entry.split(PROJECT_TEMPLATE, 1)[0])


def check_name(name, what='directory'):
    """The normal form of a tenant's directory name; InvalidInput if it
    is not a relative path that stays inside its root."""
    if not isinstance(name, str) or '\x00' in name or not name.strip():
        raise exception.InvalidInput(
            reason='%s must be a path relative to your directory root, '
                   'such as photos/2019, not %r' % (what, name))
    norm = os.path.normpath(name)
    if os.path.isabs(name) or norm == '.' or '..' in norm.split(os.sep):
        raise exception.InvalidInput(
            reason='%s %s is not inside your directories: give a path '
                   'relative to your directory root, such as photos/2019' %
                   (what, name))
    return norm


def _walk_down(root, name):
    """The fd of directory ``name`` below ``root``, every component opened
    without following links; OSError if one is missing, a link or not a
    directory."""
    fd = os.open(root, _DIR_FLAGS)
    try:
        for part in name.split(os.sep) if name else ():
            child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


class Roots:
    """The canonical roots of one project and its directories in them."""

    def __init__(self, paths):
        self.paths = []
        for path in paths:
            if path not in self.paths:
                self.paths.append(path)

    @classmethod
    def for_project(cls, entries, project_id, create=False):
        """The roots ``entries`` name for ``project_id``; templates are
        left out for a project id that cannot name a directory. With
        ``create``, a template's directory is made (mode 0700) if absent.
        """
        paths = []
        for entry in entries:
            if not entry:
                continue
            if is_template(entry):
                if not isinstance(project_id, str) or \
                        not _SAFE_PROJECT.match(project_id):
                    continue
                entry = entry.replace(PROJECT_TEMPLATE, project_id)
                if create:
                    os.makedirs(entry, mode=0o700, exist_ok=True)
            paths.append(os.path.realpath(entry))
        return cls(paths)

    def __bool__(self):
        return bool(self.paths)

    def __add__(self, other):
        return Roots(self.paths + other.paths)

    def name_of(self, path):
        """The name of host path ``path`` (made canonical) if it lies below
        a root, else None."""
        real = os.path.realpath(path)
        for root in self.paths:
            if real != root and os.path.commonpath([real, root]) == root:
                return os.path.relpath(real, root)
        return None

    def _lexical_name(self, path):
        """The name of ``path`` below a root, links not resolved (the
        walk from the root refuses them), or None."""
        path = os.path.normpath(path)
        for root in self.paths:
            if path != root and os.path.commonpath([path, root]) == root:
                return os.path.relpath(path, root)
        return None

    def lookup(self, name):
        """[host path] of directory ``name`` in each root that has it,
        found in O(depth) without following links."""
        name = check_name(name)
        found = []
        for root in self.paths:
            try:
                os.close(_walk_down(root, name))
            except OSError:
                continue
            found.append(os.path.join(root, name))
        return found

    def find(self, resource_id, name):
        """The host path of the directory called ``name`` whose id is
        ``resource_id``, or None."""
        try:
            candidates = self.lookup(name)
        except exception.InvalidInput:
            return None
        for path in candidates:
            if directory_id(path) == resource_id:
                return path
        return None

    def list(self, parent=None):
        """[(name, host path)] of the sub-directories of ``parent`` (a
        name), or of the roots; symbolic links are not directories here."""
        parent = check_name(parent, 'path') if parent else ''
        found = []
        for root in self.paths:
            try:
                fd = _walk_down(root, parent)
            except OSError:
                continue
            try:
                entries = sorted(
                    e.name for e in os.scandir(fd)
                    if e.is_dir(follow_symlinks=False))
            except OSError:
                entries = []
            finally:
                os.close(fd)
            for entry in entries:
                name = os.path.join(parent, entry) if parent else entry
                found.append((name, os.path.join(root, name)))
        if parent and not found and not self.lookup(parent):
            raise exception.InvalidInput(
                reason='path %s is not one of your directories; list them '
                       'without parameters to see the names' % parent)
        return found

    def target(self, target):
        """(host path, name) of restore target ``target``: a name, or, for
        single-user setups, an absolute path below a root. Its parent must
        be an existing directory (no link on the way); the target itself
        must not exist or be an empty directory."""
        name = target
        if isinstance(target, str) and os.path.isabs(target):
            name = self._lexical_name(target) or self.name_of(target)
            if name is None:
                raise exception.InvalidInput(
                    reason='restore target %s is not inside your '
                           'directories: give a path relative to your '
                           'directory root, such as photos-restored' %
                           target)
        name = check_name(name, 'restore target')
        parent, leaf = os.path.split(name)
        for root in self.paths:
            try:
                fd = _walk_down(root, parent)
            except OSError:
                continue
            try:
                _check_target_leaf(fd, leaf, name)
            finally:
                os.close(fd)
            return os.path.join(root, name), name
        if not self.paths:
            raise exception.InvalidInput(
                reason='your project has no directory root on this provider')
        raise exception.InvalidInput(
            reason='the parent of restore target %s is not one of your '
                   'directories; create it first or restore elsewhere' %
                   name)

    def scrub(self, text):
        """``text`` with every root shown as the names a tenant knows and
        any other absolute host path hidden."""
        text = str(text)
        for root in sorted(self.paths, key=len, reverse=True):
            text = text.replace(root + os.sep, '').replace(root, '.')
        return _ABSOLUTE_PATH.sub('<host path>', text)


def _check_target_leaf(parent_fd, leaf, name):
    try:
        st = os.stat(leaf, dir_fd=parent_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(st.st_mode):
        raise exception.InvalidInput(
            reason='restore target %s exists and is not a directory' % name)
    fd = os.open(leaf, _DIR_FLAGS, dir_fd=parent_fd)
    try:
        empty = not os.listdir(fd)
    finally:
        os.close(fd)
    if not empty:
        raise exception.InvalidInput(
            reason='restore target %s exists and is not empty; Karbor '
                   'never overwrites files' % name)
