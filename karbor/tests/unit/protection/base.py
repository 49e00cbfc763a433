"""Shared set-up of the protection service's unit tests."""

import os
import stat

import fixtures

from karbor.services.protection import protectables
from karbor.services.protection import provider as provider_module
from karbor.tests import base


class Registries(fixtures.Fixture):
    """Fresh provider and protectable registries, before and after."""

    def _setUp(self):
        provider_module.reset_registry()
        protectables.reset_registry()
        self.addCleanup(provider_module.reset_registry)
        self.addCleanup(protectables.reset_registry)


class ProtectionTestCase(base.TestCase):
    """A test with its own registries and a temp directory ``self.tmp``."""

    def setUp(self):
        super().setUp()
        self.useFixture(Registries())
        self.tmp = os.path.realpath(self.useFixture(fixtures.TempDir()).path)

    def enable_local_provider(self, *roots):
        """The built-in local provider over ``roots`` (created if absent)."""
        for root in roots:
            os.makedirs(root, exist_ok=True)
        self.conf.config(enable_local_provider=True,
                         local_provider_roots=list(roots),
                         config_dir=os.path.join(self.tmp, 'no-providers'),
                         group='providers')


def write(path, data=b'', mode=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    if mode is not None:
        os.chmod(path, mode)


def snapshot(root):
    """Everything a restore must reproduce: per relative path, the kind,
    the permission bits, the bytes of files and the mtime of files."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode):
                found[rel] = ('dir', stat.S_IMODE(st.st_mode))
            elif stat.S_ISREG(st.st_mode):
                with open(path, 'rb') as f:
                    found[rel] = ('file', stat.S_IMODE(st.st_mode), f.read(),
                                  st.st_mtime)
            else:
                found[rel] = ('other',)
    return found
