"""karbor.services.protection.local_roots: which directories may be used."""

import os
import uuid

import fixtures

from karbor.common import context
from karbor.common import exception
from karbor.services.protection import local_index
from karbor.services.protection import local_roots
from karbor.services.protection.protection_plugins import local_directory
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
        self.roots = local_roots.Roots([self.root])

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

    def test_names_resolve_below_the_root_only(self):
        self.assertEqual([os.path.join(self.root, 'a', 'deep')],
                         self.roots.lookup('a/deep'))
        self.assertEqual([os.path.join(self.root, 'a', 'deep')],
                         self.roots.lookup('./a/deep/'))
        for name in ('missing', 'file', 'etc-link', 'etc-link/ssl',
                     'b-link', 'a/deep/missing'):
            self.assertEqual([], self.roots.lookup(name), name)
        for name in ('..', '../x', 'a/../..', '/etc', '.', '', 'a\x00',
                     None, 5):
            self.assertRaises(exception.InvalidInput, self.roots.lookup,
                              name)

    def test_name_of(self):
        self.assertEqual('a/deep', self.roots.name_of(
            os.path.join(self.root, 'b', '..', 'a', 'deep')))
        for path in ('/etc', self.root, self.root + '-sibling',
                     os.path.join(self.root, 'etc-link')):
            self.assertIsNone(self.roots.name_of(path), path)

    def test_list_only_direct_subdirectories_without_symlinks(self):
        self.assertEqual(
            [('a', os.path.join(self.root, 'a')),
             ('b', os.path.join(self.root, 'b'))], self.roots.list())
        self.assertEqual([('a/deep', os.path.join(self.root, 'a', 'deep'))],
                         self.roots.list('a'))
        self.assertEqual([], self.roots.list('b'))

    def test_list_under_a_parent_outside_is_refused(self):
        for parent in ('/etc', 'etc-link', '../x', 'missing', 'file',
                       self.root):
            e = self.assertRaises(exception.InvalidInput, self.roots.list,
                                  parent)
            self.assertNotIn(self.root, str(e).replace(parent, ''))

    def test_list_of_several_roots_and_a_missing_one(self):
        other = os.path.join(self.tmp, 'other')
        os.makedirs(os.path.join(other, 'z'))
        roots = local_roots.Roots.for_project(
            [self.root, other, os.path.join(self.tmp, 'missing')], 'p')
        self.assertEqual(['a', 'b', 'z'], [n for n, _ in roots.list()])

    def test_templates_give_each_project_its_own_root(self):
        template = os.path.join(self.tmp, 'projects', '{project_id}')
        self.assertEqual(os.path.join(self.tmp, 'projects'),
                         local_roots.static_part(template))
        self.assertEqual(self.tmp, local_roots.static_part(
            os.path.join(self.tmp, 'k-{project_id}', 'data')))
        a = local_roots.Roots.for_project([template], 'A', create=True)
        b = local_roots.Roots.for_project([template], 'B')
        self.assertEqual([os.path.join(self.tmp, 'projects', 'A')], a.paths)
        self.assertEqual([os.path.join(self.tmp, 'projects', 'B')], b.paths)
        self.assertTrue(os.path.isdir(a.paths[0]))
        self.assertEqual(0o700, os.stat(a.paths[0]).st_mode & 0o777)
        # Not created without create_roots.
        self.assertFalse(os.path.exists(b.paths[0]))
        self.assertEqual([], b.list())
        # A project id that cannot be a path component gets no root.
        for bad in ('..', '.', 'a/b', '', '.hidden', 'x\x00', None):
            self.assertEqual(
                [], local_roots.Roots.for_project([template], bad).paths)
        # Plain roots are everybody's.
        self.assertEqual(
            [self.root, a.paths[0]],
            local_roots.Roots.for_project([self.root, template], 'A').paths)

    def test_target(self):
        self.assertEqual((os.path.join(self.root, 'new'), 'new'),
                         self.roots.target('new'))
        self.assertEqual((os.path.join(self.root, 'b'), 'b'),
                         self.roots.target('b'))  # empty: allowed
        for bad, words in (
                ('a', 'not empty'), ('file', 'not a directory'),
                ('b-link', 'not a directory'), ('etc-link/x', 'parent'),
                ('missing/x', 'parent'), ('../x', 'not inside'),
                ('/etc/x', 'not inside'), (self.root, 'not inside')):
            e = self.assertRaises(exception.InvalidInput, self.roots.target,
                                  bad)
            self.assertIn(words, str(e))
            self.assertNotIn(self.root, str(e).replace(bad, ''))

    def test_scrub(self):
        message = ("[Errno 13] Permission denied: '%s/a/x.jpg' (in %s; "
                   "bank /var/lib/karbor/bank/x.tmp, see "
                   "http://h:1/v1/p and a/b)" % (self.root, self.root))
        self.assertEqual(
            "[Errno 13] Permission denied: 'a/x.jpg' (in .; bank "
            "<host path>, see http://h:1/v1/p and a/b)",
            self.roots.scrub(message))


class DirectoryIndexTest(base.ProtectionTestCase):
    """Lookups by id read one record: no walk of the tree."""

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, 'root')
        os.makedirs(os.path.join(self.root, 'a', 'deep'))
        self.roots = local_roots.Roots([self.root])
        self.index = local_index.DirectoryIndex(os.path.join(self.tmp, 's'))
        self.deep = os.path.join(self.root, 'a', 'deep')
        self.ident = local_roots.directory_id(self.deep)

    def test_resolve_what_was_recorded(self):
        self.assertRaises(exception.ProtectableResourceNotFound,
                          self.index.resolve, self.roots, 'p', self.ident)
        self.index.record('p', self.ident, 'a/deep')
        self.assertEqual((self.deep, 'a/deep'),
                         self.index.resolve(self.roots, 'p', self.ident))
        # Per project: another project has no record of it.
        self.assertRaises(exception.ProtectableResourceNotFound,
                          self.index.resolve, self.roots, 'q', self.ident)
        for bad in ('not-a-uuid', '../../etc', '', None):
            self.assertIsNone(self.index.get('p', bad))
            self.index.record('p', bad, 'a')  # ignored

    def test_lookup_walks_nothing(self):
        self.index.record('p', self.ident, 'a/deep')
        scanned = []
        real_scandir = os.scandir

        def scandir(*args):
            scanned.append(args)
            return real_scandir(*args)
        self.useFixture(fixtures.MonkeyPatch('os.scandir', scandir))
        self.useFixture(fixtures.MonkeyPatch('os.walk', None))
        self.assertEqual((self.deep, 'a/deep'),
                         self.index.resolve(self.roots, 'p', self.ident))
        self.assertEqual([], scanned)

    def test_hint_names_the_directory(self):
        # A plan records the name; older plans the host path.
        for hint in ('a/deep', self.deep):
            self.assertEqual((self.deep, 'a/deep'), self.index.resolve(
                self.roots, 'p%s' % len(hint), self.ident, hint=hint))
        # A hint naming another directory is ignored: the id wins.
        self.assertRaises(exception.ProtectableResourceNotFound,
                          self.index.resolve, self.roots, 'x', self.ident,
                          hint='a')
        # A hint outside the roots is ignored even when its id matches.
        os.symlink('/etc', os.path.join(self.root, 'etc-link'))
        for hint in ('/etc', 'etc-link', '../../../etc'):
            self.assertRaises(exception.ProtectableResourceNotFound,
                              self.index.resolve, self.roots, 'p',
                              local_roots.directory_id('/etc'), hint=hint)

    def test_stale_record_is_dropped(self):
        self.index.record('p', self.ident, 'a/deep')
        os.rename(self.deep, self.deep + '-moved')
        self.assertRaises(exception.ProtectableResourceNotFound,
                          self.index.resolve, self.roots, 'p', self.ident)
        self.assertIsNone(self.index.get('p', self.ident))


class TenantErrorsTest(base.ProtectionTestCase):
    """What a tenant reads of a failure, and what the log keeps. The
    permission error is made up: the tests run as root, whom no
    permission stops."""

    def test_reason_names_the_file_the_log_the_path(self):
        root = os.path.join(self.tmp, 'projects', 'A')
        roots = local_roots.Roots([root])
        logs = self.useFixture(fixtures.FakeLogger())
        ctx = context.RequestContext(project_id='A', user_id='u',
                                     request_id='req-1234')
        path = os.path.join(root, 'photos', 'x.jpg')
        e = self.assertRaises(
            exception.ProtectionFailed, self._fail, roots, ctx,
            PermissionError(13, 'Permission denied', path))
        self.assertEqual('photos/x.jpg: Permission denied', str(e))
        self.assertIn(path, logs.output)
        self.assertIn('req-1234', logs.output)
        e = self.assertRaises(
            exception.ProtectionFailed, self._fail, roots, ctx,
            OSError(28, 'No space left on device',
                    '/var/lib/karbor/bank/.tmp-1'))
        self.assertEqual('<host path>: No space left on device', str(e))

    @staticmethod
    def _fail(roots, ctx, error):
        with local_directory.tenant_errors(roots, ctx, 'Protect of x'):
            raise error
