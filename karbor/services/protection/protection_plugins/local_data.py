"""Moving a local directory into a bank and back, faithfully.

Protect walks the tree through directory descriptors (see
:mod:`karbor.services.protection.local_tree`) and records in the manifest
every directory, regular file and symbolic link with its mode, times and
owner; a file seen again under another name (a hard link) is recorded as
a link to the first; special files and anything that changed type while
the protect ran are listed in ``skipped``, never opened or followed. The
bytes of the files, holes of sparse files left out, are read in order as
one stream cut into data objects of equal size (the last one shorter); the
manifest says which bytes belong to which file. Objects are hashed and
written, or read and checked, by a few threads, with a bounded number in
flight so that memory stays at about ``(threads + 1) * chunk_size``.

Restore creates everything in a new hidden directory next to the target,
checking every object's SHA-256 before its bytes are used, then renames
it into place: the target appears whole or not at all.
"""

import collections
import os
import queue
import shutil
import stat
import threading
import uuid

from karbor.common import exception
from karbor.services.protection import data_objects
from karbor.services.protection import local_tree
from karbor.services.protection import parallel

MANIFEST_VERSION = 2

# The largest buffer a restore makes for one object (the largest chunk
# size an operator can set).
MAX_BUFFER = 1024 * 1024 * 1024

SETID_BITS = stat.S_ISUID | stat.S_ISGID

RestoreOptions = collections.namedtuple(
    'RestoreOptions', ['owners', 'setid'])


def default_options(setid=False):
    """Owners are given back when running as root; setuid/setgid bits
    only if the operator allows it."""
    return RestoreOptions(owners=os.geteuid() == 0, setid=setid)


def _public(entry, *names):
    return {k: entry[k] for k in ('path',) + names + (
        'mode', 'mtime', 'mtime_ns', 'uid', 'gid') if k in entry}


class _Progress:
    def plan(self, files=0, bytes=0):
        pass

    def done(self, files=0, bytes=0):
        pass


def protect_directory(path, section, chunk_size, threads, progress=None):
    """Write the tree under ``path`` into ``section``; return the
    manifest."""
    progress = progress or _Progress()
    root, entries, skipped = local_tree.walk(path)
    directories = [_public(e) for e in entries if e['kind'] == 'directory']
    links = [_public(e, 'target') for e in entries
             if e['kind'] == 'symbolic link']
    candidates = [e for e in entries if e['kind'] == 'file']
    planned = sum(e['stored'] for e in candidates)
    progress.plan(files=len(candidates), bytes=planned)
    idents = {e['path']: e['ident'] for e in entries
              if e['kind'] == 'directory'}
    reader = _Reader(path, idents, candidates, chunk_size, threads,
                     skipped, progress)
    try:
        objects = data_objects.write(section, reader.chunks(), threads,
                                     release=reader.release)
    finally:
        reader.close()
    # Files grow, shrink and vanish while they are read: the total is
    # what was read.
    progress.plan(bytes=sum(o['size'] for o in objects) - planned)
    return {
        'version': MANIFEST_VERSION,
        'root': root,
        'chunk_size': chunk_size,
        'objects': objects,
        'files': reader.files,
        'hardlinks': reader.hardlinks,
        'directories': directories,
        'links': links,
        'skipped': skipped,
        'total_bytes': sum(o['size'] for o in objects),
    }


class Buffers:
    """At most ``count`` buffers of ``size`` bytes, made when first
    needed and used again: the data in flight stays within them, and no
    memory is allocated (and faulted in) per object."""

    def __init__(self, size, count):
        self.size = size
        self._free = queue.LifoQueue()
        self._left = count
        self._lock = threading.Lock()

    def take(self):
        with self._lock:
            if self._free.empty() and self._left:
                self._left -= 1
                return bytearray(self.size)
        return self._free.get()

    def give(self, buffer):
        self._free.put(buffer)


class _Reader:
    """The stream of the files' bytes; fills ``files`` (what was read)
    and ``hardlinks`` as it goes."""

    def __init__(self, path, idents, candidates, chunk_size, threads,
                 skipped, progress):
        self.root_fd = local_tree.open_dir(path)
        self.cache = local_tree.DirCache(self.root_fd, idents)
        self.candidates = candidates
        self.chunk_size = chunk_size
        self.skipped = skipped
        self.progress = progress
        self.files = []
        self.hardlinks = []
        self._seen = {}
        # No larger than what is to be read (a directory of a few small
        # files needs no buffer of a whole chunk); grown if the files grow.
        planned = sum(c['stored'] for c in candidates)
        self._buffers = Buffers(min(chunk_size, max(planned, 1)),
                                threads + 2)

    def close(self):
        self.cache.close()
        os.close(self.root_fd)

    def chunks(self):
        """(index, buffer) of every data object, in order: files are
        read straight into buffers of ``chunk_size`` taken from
        ``buffers`` (given back through :meth:`release`)."""
        self._index = 0
        self._buf, self._fill = self._buffers.take(), 0
        for candidate in self.candidates:
            yield from self._file(candidate)
        if self._fill:
            yield self._index, memoryview(self._buf)[:self._fill]

    def release(self, data):
        if isinstance(data, bytearray):
            self._buffers.give(data)

    def _file(self, candidate):
        """The bytes of one file, as it is read; nothing if it changed
        type or is a hard link of a file already read."""
        rel = candidate['path']
        try:
            fd, st = local_tree.open_file(self.cache, rel, candidate['ident'])
        except local_tree.Changed as e:
            self.skipped.append({'path': rel, 'kind': 'file',
                                 'reason': '%s during the protect' % e})
            self.progress.done(files=1)
            return
        try:
            key = local_tree.ident(st)
            if st.st_nlink > 1 and key in self._seen:
                self.hardlinks.append({'path': rel, 'to': self._seen[key]})
                self.progress.done(files=1)
                return
            self._seen[key] = rel
            entry = dict(local_tree.meta(st), path=rel, size=st.st_size)
            extents = local_tree.data_extents(fd, st)
            read_extents = []
            for offset, length in extents or [[0, None]]:
                got = 0
                while length is None or got < length:
                    room = self.chunk_size - self._fill
                    want = room if length is None else min(room,
                                                           length - got)
                    if self._fill == len(self._buf):
                        # Full before a whole chunk: more to read than
                        # listed (files grew, blocks not allocated yet,
                        # or the read that finds the end): doubled, up
                        # to a chunk.
                        self._buf += bytes(min(
                            self.chunk_size, 2 * len(self._buf)) -
                            len(self._buf))
                    want = min(want, len(self._buf) - self._fill)
                    n = os.preadv(fd, [memoryview(self._buf)[
                        self._fill:self._fill + want]], offset + got)
                    if not n:
                        break
                    got += n
                    self._fill += n
                    self.progress.done(bytes=n)
                    if self._fill == self.chunk_size:
                        yield self._index, self._buf
                        self._index += 1
                        self._buf, self._fill = self._buffers.take(), 0
                read_extents.append([offset, got])
            if extents is None:
                # The bytes read are what the checkpoint holds, even if
                # the file changed since it was listed.
                entry['size'] = read_extents[0][1]
            else:
                entry['extents'] = [e for e in read_extents if e[1]]
            self.files.append(entry)
            self.progress.done(files=1)
        finally:
            os.close(fd)


def stored_extents(entry):
    """[[offset, length]] of the bytes of file ``entry`` in the stream."""
    if 'extents' in entry:
        return entry['extents']
    return [[0, entry['size']]] if entry['size'] else []


def manifest_problem(manifest):
    """What is inconsistent in a manifest, or None."""
    try:
        problem = data_objects.objects_problem(manifest)
        if problem:
            return problem
        objects = manifest['objects']
        files = manifest['files']
        object_bytes = sum(o['size'] for o in objects)
        file_bytes = 0
        for entry in files:
            end = 0
            for offset, length in stored_extents(entry):
                if offset < end or length <= 0 or \
                        offset + length > entry['size']:
                    return 'the data extents of %s overlap or exceed its ' \
                           'size' % entry['path']
                end = offset + length
                file_bytes += length
        if object_bytes != file_bytes or object_bytes != \
                manifest['total_bytes']:
            return ('the objects hold %d bytes, the files %d, the total '
                    'says %d' % (object_bytes, file_bytes,
                                 manifest['total_bytes']))
        hardlinks = manifest.get('hardlinks', [])
        links = manifest.get('links', [])
        paths = [f['path'] for f in files] + [
            d['path'] for d in manifest['directories']] + [
            h['path'] for h in hardlinks] + [s['path'] for s in links]
        if len(set(paths)) != len(paths):
            return 'a path is listed twice'
        for path in paths:
            safe_relative(path)
        file_paths = {f['path'] for f in files}
        for link in hardlinks:
            if link['to'] not in file_paths:
                return 'hard link %s points to %s, which is not a file of ' \
                       'the checkpoint' % (link['path'], link['to'])
        for link in links:
            if not isinstance(link['target'], str) or not link['target']:
                return 'symbolic link %s has no target' % link['path']
    except exception.ProtectionFailed as e:
        return str(e)
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        return 'it lacks a field or has a wrong type (%s)' % e
    return None


def safe_relative(rel):
    norm = os.path.normpath(rel) if isinstance(rel, str) else None
    # A '..' segment, not a '..' prefix: '..x' and '...' are file names.
    if (not rel or norm is None or os.path.isabs(rel) or
            '..' in norm.split(os.sep) or norm == '.'):
        raise exception.ProtectionFailed(
            reason='the manifest names the path %r, which is not inside the '
                   'directory; the checkpoint is not trustworthy' % rel)
    return norm


def files_of_objects(manifest):
    """Per object key, the paths of the files whose bytes it holds."""
    holders = [[] for _ in manifest['objects']]
    for index, pieces in enumerate(_layout(manifest)):
        holders[index] = list(dict.fromkeys(p[0] for p in pieces))
    return {o['key']: holders[i] for i, o in enumerate(manifest['objects'])}


def _layout(manifest):
    """Per object, the (path, offset in file, start, end in object) pieces
    it fills, from the order of the files in the stream."""
    pieces = [[] for _ in manifest['objects']]
    sizes = [o['size'] for o in manifest['objects']]
    index, used = 0, 0
    for entry in manifest['files']:
        path = safe_relative(entry['path'])
        for offset, left in stored_extents(entry):
            while left:
                if index >= len(sizes):
                    raise exception.ProtectionFailed(
                        reason='the data objects end before the files do '
                               '(in %s)' % entry['path'])
                n = min(left, sizes[index] - used)
                pieces[index].append((path, offset, used, used + n))
                offset += n
                left -= n
                used += n
                if used == sizes[index]:
                    index, used = index + 1, 0
    if index != len(sizes):
        raise exception.ProtectionFailed(
            reason='the data objects hold more bytes than the files of the '
                   'manifest')
    return pieces


def restore_directory(manifest, section, root, name, threads,
                      options=None, progress=None, journal=None):
    """Recreate the tree of ``manifest`` as directory ``name`` below
    ``root`` (a checked target: absent or an empty directory); the list
    of what was not restored as it was ({path, reason}). ``journal`` (a
    :class:`karbor.services.protection.local_partials.Journal`) notes the
    hidden directory while it is written."""
    options = options or default_options()
    progress = progress or _Progress()
    parent, leaf = os.path.split(name)
    root_fd = local_tree.open_dir(root)
    try:
        parent_fd = local_tree.DirCache(root_fd, {}).get(parent) \
            if parent else os.dup(root_fd)
    except local_tree.Changed as e:
        raise exception.InvalidInput(
            reason='the parent of restore target %s %s' % (name, e))
    finally:
        os.close(root_fd)
    partial = '.%s%s%s' % (leaf, local_tree.PARTIAL_MARK,
                           uuid.uuid4().hex[:8])
    token = journal.begin(os.path.join(root, parent, partial)) \
        if journal is not None else None
    try:
        os.mkdir(partial, 0o700, dir_fd=parent_fd)
        try:
            writer = _Writer(parent_fd, partial, manifest, options,
                             progress)
            try:
                writer.run(section, threads)
            finally:
                writer.close()
            os.rename(partial, leaf, src_dir_fd=parent_fd,
                      dst_dir_fd=parent_fd)
        except BaseException:
            shutil.rmtree(partial, dir_fd=parent_fd, ignore_errors=True)
            raise
    finally:
        os.close(parent_fd)
        if token is not None:
            journal.end(token)
    return writer.not_restored


class _Writer:

    def __init__(self, parent_fd, partial, manifest, options, progress):
        self.fd = local_tree.open_dir(partial, parent_fd)
        self.idents = {'': local_tree.ident(os.fstat(self.fd))}
        self.file_idents = {}
        self.manifest = manifest
        self.options = options
        self.progress = progress
        self.not_restored = []

    def close(self):
        os.close(self.fd)

    def _cache(self):
        return local_tree.DirCache(self.fd, self.idents)

    def run(self, section, threads):
        self.section = section
        manifest = self.manifest
        pieces = _layout(manifest)
        files = manifest['files']
        self.progress.plan(
            files=len(files) + len(manifest.get('hardlinks', [])),
            bytes=sum(length for f in files
                      for _, length in stored_extents(f)))
        cache = self._cache()
        try:
            for entry in manifest['directories']:
                self._mkdir(cache, safe_relative(entry['path']))
            for entry in files:
                self._create(cache, safe_relative(entry['path']),
                             entry['size'])
        finally:
            cache.close()
        # The objects are read into buffers, used again, of the size of
        # the largest (within reason: a larger one is read into memory
        # of its own).
        largest = max((o['size'] for o in manifest['objects']), default=0)
        # One per worker: each holds one object at a time.
        self.buffers = Buffers(min(largest, MAX_BUFFER), threads)
        for _done in parallel.ordered_map(
                self._write_object, zip(manifest['objects'], pieces),
                threads):
            pass
        self._links()
        self._metadata()

    def _mkdir(self, cache, rel):
        directory, leaf = os.path.split(rel)
        dir_fd = cache.get(directory)
        os.mkdir(leaf, 0o700, dir_fd=dir_fd)
        fd = local_tree.open_dir(leaf, dir_fd)
        self.idents[rel] = local_tree.ident(os.fstat(fd))
        os.close(fd)

    def _create(self, cache, rel, size):
        directory, leaf = os.path.split(rel)
        fd = os.open(leaf, os.O_WRONLY | os.O_CREAT | os.O_EXCL |
                     os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                     dir_fd=cache.get(directory))
        try:
            # Holes stay holes: only the data extents are written.
            os.ftruncate(fd, size)
            self.file_idents[rel] = local_tree.ident(os.fstat(fd))
        finally:
            os.close(fd)

    def _open(self, cache, rel, flags=local_tree.WRITE_FLAGS):
        try:
            return local_tree.open_file(cache, rel, self.file_idents[rel],
                                        flags)[0]
        except local_tree.Changed as e:
            raise exception.ProtectionFailed(
                reason='%s %s while it was being restored' % (rel, e))

    def _write_object(self, item):
        entry, object_pieces = item
        buffer = self.buffers.take()
        try:
            self._write_pieces(memoryview(data_objects.read_checked(
                self.section, entry, buffer)), object_pieces)
        finally:
            self.buffers.give(buffer)

    def _write_pieces(self, data, object_pieces):
        cache = self._cache()
        try:
            for rel, offset, start, end in object_pieces:
                fd = self._open(cache, rel)
                try:
                    view = data[start:end]
                    while view:
                        written = os.pwrite(fd, view, offset)
                        view = view[written:]
                        offset += written
                finally:
                    os.close(fd)
                self.progress.done(bytes=end - start)
        finally:
            cache.close()

    def _links(self):
        cache, other = self._cache(), self._cache()
        try:
            for link in self.manifest.get('hardlinks', []):
                rel, to = safe_relative(link['path']), safe_relative(
                    link['to'])
                os.link(os.path.basename(to), os.path.basename(rel),
                        src_dir_fd=other.get(os.path.dirname(to)),
                        dst_dir_fd=cache.get(os.path.dirname(rel)),
                        follow_symlinks=False)
                self.progress.done(files=1)
            for link in self.manifest.get('links', []):
                rel = safe_relative(link['path'])
                dir_fd = cache.get(os.path.dirname(rel))
                leaf = os.path.basename(rel)
                os.symlink(link['target'], leaf, dir_fd=dir_fd)
                if self.options.owners and 'uid' in link:
                    os.chown(leaf, link['uid'], link['gid'], dir_fd=dir_fd,
                             follow_symlinks=False)
                os.utime(leaf, ns=_times(link), dir_fd=dir_fd,
                         follow_symlinks=False)
        finally:
            cache.close()
            other.close()

    def _apply(self, fd, rel, entry):
        mode = entry['mode']
        if self.options.owners and 'uid' in entry:
            os.fchown(fd, entry['uid'], entry['gid'])
        if mode & SETID_BITS and not self.options.setid:
            mode &= ~SETID_BITS
            self.not_restored.append({
                'path': rel or '.', 'reason': 'setuid/setgid bit not '
                'restored ([local_directory] restore_setid_bits)'})
        os.fchmod(fd, mode)
        os.utime(fd, ns=_times(entry))

    def _metadata(self):
        cache = self._cache()
        try:
            for entry in self.manifest['files']:
                rel = safe_relative(entry['path'])
                fd = self._open(cache, rel, local_tree.READ_FLAGS)
                try:
                    self._apply(fd, rel, entry)
                finally:
                    os.close(fd)
                self.progress.done(files=1)
            for entry in reversed(self.manifest['directories']):
                rel = safe_relative(entry['path'])
                directory, leaf = os.path.split(rel)
                fd = local_tree.open_dir(leaf, cache.get(directory),
                                         self.idents[rel])
                try:
                    self._apply(fd, rel, entry)
                finally:
                    os.close(fd)
        finally:
            cache.close()
        if self.manifest.get('root'):
            self._apply(self.fd, '', self.manifest['root'])


def _times(entry):
    ns = entry.get('mtime_ns')
    if ns is None:
        ns = int(entry['mtime'] * 1e9)
    return (ns, ns)
