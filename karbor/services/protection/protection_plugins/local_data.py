"""Moving the bytes of a local directory into a bank and back.

The files of a directory are read in a fixed order as one stream, cut into
data objects of equal size (the last one shorter); the manifest says which
bytes belong to which file. Objects are hashed and written, or read and
checked, by a few threads, with a bounded number in flight so that memory
stays at about ``(threads + 1) * chunk_size``.
"""

import os
import shutil
import stat
import uuid

from karbor.common import exception
from karbor.services.protection import data_objects
from karbor.services.protection import parallel

MANIFEST_VERSION = 1


def _raise(error):
    raise error


def _walk(root):
    directories, files, skipped = [], [], []
    # onerror: a directory that cannot be listed fails the protect, rather
    # than leaving its files silently out of the checkpoint.
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False,
                                                onerror=_raise):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = '' if rel_dir == '.' else rel_dir + '/'
        for name in list(dirnames):
            st = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISLNK(st.st_mode):
                skipped.append(rel_dir + name)
                dirnames.remove(name)
                continue
            directories.append({'path': rel_dir + name,
                                'mode': stat.S_IMODE(st.st_mode),
                                'mtime': st.st_mtime})
        for name in sorted(filenames):
            st = os.lstat(os.path.join(dirpath, name))
            if not stat.S_ISREG(st.st_mode):
                skipped.append(rel_dir + name)
                continue
            files.append({'path': rel_dir + name, 'size': st.st_size,
                          'mode': stat.S_IMODE(st.st_mode),
                          'mtime': st.st_mtime})
    return directories, files, skipped


def _chunks(path, files, chunk_size):
    """(index, bytes) of the stream of all files, cut every chunk_size."""
    buf = bytearray()
    index = 0
    for entry in files:
        fd = os.open(os.path.join(path, entry['path']),
                     os.O_RDONLY | os.O_NOFOLLOW)
        size = 0
        with os.fdopen(fd, 'rb', buffering=0) as f:
            while True:
                data = f.read(chunk_size - len(buf))
                if not data:
                    break
                size += len(data)
                if not buf and len(data) == chunk_size:
                    yield index, data
                    index += 1
                    continue
                buf += data
                if len(buf) == chunk_size:
                    yield index, bytes(buf)
                    index += 1
                    buf = bytearray()
        # The bytes read are what the checkpoint holds, even if the file
        # changed since it was listed.
        entry['size'] = size
    if buf:
        yield index, bytes(buf)


def protect_directory(path, section, chunk_size, threads):
    """Write the files under ``path`` into ``section``; return the manifest."""
    directories, files, skipped = _walk(path)

    objects = data_objects.write(section, _chunks(path, files, chunk_size),
                                 threads)
    st = os.stat(path)
    return {
        'root': {'mode': stat.S_IMODE(st.st_mode), 'mtime': st.st_mtime},
        'version': MANIFEST_VERSION,
        'chunk_size': chunk_size,
        'objects': objects,
        'files': files,
        'directories': directories,
        'skipped': skipped,
        'total_bytes': sum(o['size'] for o in objects),
    }


def manifest_problem(manifest):
    """What is inconsistent in a manifest, or None."""
    try:
        problem = data_objects.objects_problem(manifest)
        if problem:
            return problem
        objects = manifest['objects']
        files = manifest['files']
        object_bytes = sum(o['size'] for o in objects)
        file_bytes = sum(f['size'] for f in files)
        if object_bytes != file_bytes or object_bytes != \
                manifest['total_bytes']:
            return ('the objects hold %d bytes, the files %d, the total '
                    'says %d' % (object_bytes, file_bytes,
                                 manifest['total_bytes']))
        paths = [f['path'] for f in files] + [
            d['path'] for d in manifest['directories']]
        if len(set(paths)) != len(paths):
            return 'a path is listed twice'
        for path in paths:
            _safe_relative(path)
    except exception.ProtectionFailed as e:
        return str(e)
    except (KeyError, TypeError, AttributeError) as e:
        return 'it lacks a field or has a wrong type (%s)' % e
    return None


def _safe_relative(rel):
    norm = os.path.normpath(rel)
    # A '..' segment, not a '..' prefix: '..x' and '...' are file names.
    if (not rel or os.path.isabs(rel) or '..' in norm.split(os.sep) or
            norm == '.'):
        raise exception.ProtectionFailed(
            reason='the manifest names the path %r, which is not inside the '
                   'directory; the checkpoint is not trustworthy' % rel)
    return norm


def restore_directory(manifest, section, final, threads):
    """Recreate the directory of ``manifest`` at ``final`` (a checked
    target: absent or an empty directory); return it."""
    partial = os.path.join(os.path.dirname(final), '.%s.partial-%s' % (
        os.path.basename(final), uuid.uuid4().hex[:8]))
    os.mkdir(partial, 0o700)
    try:
        _restore_into(manifest, section, partial, threads)
        if os.path.isdir(final):
            os.rmdir(final)
        os.rename(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def _layout(manifest, root):
    """Per object, the (path, offset in file, start, end in object) pieces
    it fills, from the order of the files in the stream."""
    pieces = [[] for _ in manifest['objects']]
    sizes = [o['size'] for o in manifest['objects']]
    index, used = 0, 0
    for entry in manifest['files']:
        path = os.path.join(root, _safe_relative(entry['path']))
        offset, left = 0, entry['size']
        while left:
            if index >= len(sizes):
                missing = sum(f['size'] for f in manifest['files']) - sum(
                    sizes)
                raise exception.ProtectionFailed(
                    reason='the data objects end %d bytes before the files '
                           'do (in %s)' % (missing, entry['path']))
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


def _restore_into(manifest, section, root, threads):
    """Create the tree, then let the worker threads check each object and
    write its bytes at their place in the files (no single writer)."""
    for entry in manifest['directories']:
        os.makedirs(os.path.join(root, _safe_relative(entry['path'])),
                    mode=0o700, exist_ok=True)
    pieces = _layout(manifest, root)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    for entry in manifest['files']:
        path = os.path.join(root, _safe_relative(entry['path']))
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        os.close(os.open(path, flags, 0o600))

    def restore_object(item):
        entry, object_pieces = item
        data = memoryview(data_objects.read_checked(section, entry))
        for path, offset, start, end in object_pieces:
            fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
            try:
                view = data[start:end]
                while view:
                    written = os.pwrite(fd, view, offset)
                    view = view[written:]
                    offset += written
            finally:
                os.close(fd)

    for _done in parallel.ordered_map(
            restore_object, zip(manifest['objects'], pieces), threads):
        pass
    for entry in manifest['files']:
        path = os.path.join(root, _safe_relative(entry['path']))
        os.chmod(path, entry['mode'])
        os.utime(path, (entry['mtime'], entry['mtime']))
    for entry in reversed(manifest['directories']):
        path = os.path.join(root, _safe_relative(entry['path']))
        os.chmod(path, entry['mode'])
        os.utime(path, (entry['mtime'], entry['mtime']))
    top = manifest.get('root')
    if top:
        os.chmod(root, top['mode'])
        os.utime(root, (top['mtime'], top['mtime']))
