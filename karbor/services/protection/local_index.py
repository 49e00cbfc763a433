"""Which directory an id names, per project: the index of local directories.

An id is a one-way hash of a host path (see
:mod:`karbor.services.protection.local_roots`), so finding a directory by
its id alone would mean hashing every directory below the roots, a walk
of the whole tree on every request. Instead, every time a project is shown
a directory (listed, shown, put in a plan) the id and the directory's name
relative to the project's root are recorded here; a lookup reads that one
record and then opens the name component by component: O(1) + O(depth).
An id is only known to a client that was shown it, so the record exists
for every id a client can rightly ask about; a record whose directory was
renamed or replaced no longer matches the id and is dropped.

The records are small files in the state directory,
``local-directories/<project>/<id>``, each holding a name, written to a
temporary file and renamed over: several API threads and processes of the
same host record and read them without locks, a reader sees a whole
record or none. Local directories exist only on the host whose processes
list and read them, so a host-local index is as shared as the data it
points into.
"""

import hashlib
import os
import uuid

from oslo_log import log as logging

from karbor.common import exception

LOG = logging.getLogger(__name__)

SUBDIRECTORY = 'local-directories'


def _canonical_id(value):
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


class DirectoryIndex:

    def __init__(self, state_path):
        self.base = os.path.join(state_path, SUBDIRECTORY)

    def _project_dir(self, project_id):
        # Hashed: a project id of noauth can be any string.
        digest = hashlib.sha256(str(project_id).encode('utf-8')).hexdigest()
        return os.path.join(self.base, digest[:32])

    def get(self, project_id, directory_id):
        """The name recorded for ``directory_id``, or None."""
        key = _canonical_id(directory_id)
        if key is None:
            return None
        try:
            with open(os.path.join(self._project_dir(project_id), key),
                      encoding='utf-8') as f:
                return f.read() or None
        except (OSError, UnicodeDecodeError):
            return None

    def record(self, project_id, directory_id, name):
        key = _canonical_id(directory_id)
        if key is None or self.get(project_id, key) == name:
            return
        directory = self._project_dir(project_id)
        tmp = os.path.join(directory, '.tmp-%s' % uuid.uuid4().hex)
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            with open(tmp, 'w', encoding='utf-8') as f:
                f.write(name)
            os.replace(tmp, os.path.join(directory, key))
        except OSError as e:
            # Only a later lookup by id misses it; the listing still works.
            LOG.warning('Could not record local directory %s of project '
                        '%s in %s: %s', key, project_id, directory, e)
            try:
                os.unlink(tmp)
            except OSError:
                pass

    def forget(self, project_id, directory_id):
        key = _canonical_id(directory_id)
        if key is None:
            return
        try:
            os.unlink(os.path.join(self._project_dir(project_id), key))
        except OSError:
            pass

    def resolve(self, roots, project_id, resource_id, hint=None):
        """(host path, name) of directory ``resource_id`` of the project
        with ``roots``; ``hint``: a name (or, from older plans, a host
        path) recorded with the resource. ProtectableResourceNotFound,
        the same for an unknown id as for another project's."""
        if isinstance(hint, str) and os.path.isabs(hint):
            hint = roots.name_of(hint)
        recorded = self.get(project_id, resource_id)
        for name in (hint, recorded):
            if not isinstance(name, str) or not name:
                continue
            path = roots.find(resource_id, name)
            if path is not None:
                if name != recorded:
                    self.record(project_id, resource_id, name)
                return path, name
        if recorded is not None:
            self.forget(project_id, resource_id)
        raise exception.ProtectableResourceNotFound(
            resource_type='OS::Local::Directory', resource_id=resource_id)
