"""Hidden directories of restores that never finished, removed.

A restore writes into a hidden directory next to its target and renames
it into place (see :mod:`karbor.services.protection.protection_plugins.
local_data`); a failed restore removes it, but a killed process cannot.
Each such directory is noted in the state directory with the process that
writes it (pid and start time); whoever loads the local directory plugin
next, or starts a restore, removes the directories of processes that are
gone. They are never listed meanwhile.
"""

import json
import os
import shutil
import uuid

from oslo_log import log as logging

from karbor.services.protection import local_tree

LOG = logging.getLogger(__name__)

SUBDIRECTORY = 'local-partials'


def _started(pid):
    """The start time of process ``pid`` (clock ticks since boot), or
    None if there is no such process."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            # The command may hold spaces and parentheses: after the last.
            return int(f.read().rsplit(')', 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


class Journal:

    def __init__(self, state_path):
        self.base = os.path.join(state_path, SUBDIRECTORY)

    def begin(self, path):
        """Note that this process writes partial directory ``path``; the
        token to end it with."""
        token = uuid.uuid4().hex
        pid = os.getpid()
        os.makedirs(self.base, mode=0o700, exist_ok=True)
        with open(os.path.join(self.base, token), 'w') as f:
            json.dump({'path': path, 'pid': pid, 'start': _started(pid)}, f)
        return token

    def end(self, token):
        try:
            os.unlink(os.path.join(self.base, token))
        except OSError:
            pass

    def sweep(self):
        """Remove the partial directories of processes that are gone."""
        try:
            tokens = os.listdir(self.base)
        except OSError:
            return 0
        removed = 0
        for token in tokens:
            record = os.path.join(self.base, token)
            try:
                with open(record) as f:
                    note = json.load(f)
                pid, path = int(note['pid']), note['path']
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if _started(pid) is not None and _started(pid) == note.get(
                    'start'):
                continue  # still being written
            if local_tree.is_partial(os.path.basename(path)):
                shutil.rmtree(path, ignore_errors=True)
                LOG.info('Removed %s, left by a restore that did not end',
                         path)
                removed += 1
            self.end(token)
        return removed
