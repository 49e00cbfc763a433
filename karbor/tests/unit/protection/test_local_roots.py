"""karbor.services.protection.local_roots: which directories may be used."""

import os
import uuid

from karbor.common import exception
from karbor.services.protection import local_roots
from karbor.tests.unit.protection import base


class LocalRootsTest(base.ProtectionTestCase):

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, 'root')
        for sub in ('a', 'a/deep', 'a/deep/deeper', 'b'):
            os.makedirs(os.path.join(self.root, sub))
        base.write(os.path.join(self.root, 'file'), b'x')
        os.symlink('/etc', os.path.join(self.root, 'etc-link'))
        os.symlink(os.path.join(self.root, 'b'),
                   os.path.join(self.root, 'b-link'))
        self.roots = local_roots.canonical_roots([self.root])

    def test_id_is_a_stable_uuid5_of_the_canonical_path(self):
        path = os.path.join(self.root, 'a')
        ident = local_roots.directory_id(path)
        self.assertEqual(5, uuid.UUID(ident).version)
        self.assertEqual(ident, local_roots.directory_id(path))
        self.assertEqual(ident, local_roots.directory_id(path + '/'))
        self.assertEqual(ident, local_roots.directory_id(
            os.path.join(self.root, 'b', '..', 'a')))
        self.assertNotEqual(ident, local_roots.directory_id(
            os.path.join(self.root, 'b')))
        # A symlink has the id of its target.
        self.assertEqual(
            local_roots.directory_id(os.path.join(self.root, 'b')),
            local_roots.directory_id(os.path.join(self.root, 'b-link')))
        # The id does not depend on the process: a fixed namespace.
        self.assertEqual(
            str(uuid.uuid5(uuid.UUID('5b0e6f3a-8d44-4c1f-9a7e-2f6b1c9d3e80'),
                           '/srv/data')),
            local_roots.directory_id('/srv/data'))

    def test_check_inside_accepts_the_root_and_below(self):
        self.assertEqual(self.root,
                         local_roots.check_inside(self.root, self.roots))
        deep = os.path.join(self.root, 'a', 'deep')
        self.assertEqual(deep, local_roots.check_inside(
            os.path.join(self.root, 'b', '..', 'a', 'deep'), self.roots))

    def test_check_inside_refuses_outside(self):
        for path in ('/etc', '/', self.tmp, self.root + '-sibling',
                     os.path.join(self.root, '..', 'elsewhere')):
            e = self.assertRaises(exception.InvalidInput,
                                  local_roots.check_inside, path, self.roots)
            self.assertIn('outside the allowed roots', str(e))
            self.assertIn(self.root, str(e))

    def test_check_inside_refuses_symlink_escape(self):
        link = os.path.join(self.root, 'etc-link')
        for path in (link, os.path.join(link, 'ssl')):
            e = self.assertRaises(exception.InvalidInput,
                                  local_roots.check_inside, path, self.roots)
            self.assertIn(path, str(e))

    def test_check_inside_with_no_roots(self):
        e = self.assertRaises(exception.InvalidInput,
                              local_roots.check_inside, self.root, [])
        self.assertIn('no directory is allowed', str(e))

    def test_list_only_direct_subdirectories_without_symlinks(self):
        self.assertEqual(
            [os.path.join(self.root, 'a'), os.path.join(self.root, 'b')],
            local_roots.list_directories(self.roots))
        self.assertEqual(
            [os.path.join(self.root, 'a', 'deep')],
            local_roots.list_directories(self.roots,
                                         os.path.join(self.root, 'a')))

    def test_list_under_a_parent_outside_is_refused(self):
        self.assertRaises(exception.InvalidInput,
                          local_roots.list_directories, self.roots, '/etc')
        self.assertRaises(exception.InvalidInput,
                          local_roots.list_directories, self.roots,
                          os.path.join(self.root, 'etc-link'))

    def test_list_of_several_roots_and_a_missing_one(self):
        other = os.path.join(self.tmp, 'other')
        os.makedirs(os.path.join(other, 'z'))
        roots = local_roots.canonical_roots(
            [self.root, other, os.path.join(self.tmp, 'missing')])
        self.assertEqual(
            [os.path.join(self.root, 'a'), os.path.join(self.root, 'b'),
             os.path.join(other, 'z')],
            local_roots.list_directories(roots))

    def test_find_directory_by_id(self):
        deeper = os.path.join(self.root, 'a', 'deep', 'deeper')
        self.assertEqual(deeper, local_roots.find_directory(
            local_roots.directory_id(deeper), self.roots))
        self.assertEqual(self.root, local_roots.find_directory(
            local_roots.directory_id(self.root), self.roots))
        self.assertIsNone(local_roots.find_directory(
            local_roots.directory_id('/etc'), self.roots))
        self.assertIsNone(local_roots.find_directory(
            str(uuid.uuid4()), self.roots))

    def test_find_does_not_follow_symlinks_out(self):
        outside = os.path.join(self.tmp, 'outside')
        os.makedirs(os.path.join(outside, 'secret'))
        os.symlink(outside, os.path.join(self.root, 'a', 'out-link'))
        for path in (outside, os.path.join(outside, 'secret')):
            self.assertIsNone(local_roots.find_directory(
                local_roots.directory_id(path), self.roots))

    def test_resolve(self):
        a = os.path.join(self.root, 'a')
        ident = local_roots.directory_id(a)
        self.assertEqual(a, local_roots.resolve(ident, self.roots))
        self.assertEqual(a, local_roots.resolve(ident, self.roots, hint=a))
        e = self.assertRaises(exception.ProtectableResourceNotFound,
                              local_roots.resolve, str(uuid.uuid4()),
                              self.roots)
        self.assertIn(local_roots.RESOURCE_TYPE, str(e))

    def test_hint_must_match_the_id(self):
        a = os.path.join(self.root, 'a')
        b = os.path.join(self.root, 'b')
        # A hint naming another directory is ignored: the id wins.
        self.assertEqual(a, local_roots.resolve(
            local_roots.directory_id(a), self.roots, hint=b))
        # A hint outside the roots is ignored even when its id matches.
        self.assertRaises(exception.ProtectableResourceNotFound,
                          local_roots.resolve,
                          local_roots.directory_id('/etc'), self.roots,
                          hint='/etc')
        self.assertRaises(exception.ProtectableResourceNotFound,
                          local_roots.resolve,
                          local_roots.directory_id('/etc'), self.roots,
                          hint=os.path.join(self.root, 'etc-link'))

    def test_resolve_after_the_directory_went(self):
        a = os.path.join(self.root, 'b')
        ident = local_roots.directory_id(a)
        os.unlink(os.path.join(self.root, 'b-link'))
        os.rmdir(a)
        self.assertRaises(exception.ProtectableResourceNotFound,
                          local_roots.resolve, ident, self.roots, hint=a)
