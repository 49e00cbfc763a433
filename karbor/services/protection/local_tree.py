"""A directory tree read and written through directory file descriptors,
safe while others change it.

Every directory is opened relative to its parent's descriptor with
``O_NOFOLLOW``, and checked (device and inode) to be the one that was
listed; every file is opened the same way, non-blocking, and checked after
opening to be the regular file that was listed. Whatever changed in
between (a directory swapped for a symbolic link, a file for a FIFO) is
skipped and listed, never followed and never waited on. Special files
(FIFOs, sockets, devices) are never opened.

Restores create everything below a new directory with ``O_EXCL``-style
calls relative to the descriptors they created, so a link planted in the
tree while it is written is refused, not followed.
"""

import errno
import os
import stat

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
READ_FLAGS = (os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY |
              os.O_CLOEXEC)
WRITE_FLAGS = (os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY |
               os.O_CLOEXEC)

SPECIAL_KINDS = {stat.S_IFIFO: 'FIFO', stat.S_IFSOCK: 'socket',
                 stat.S_IFCHR: 'character device',
                 stat.S_IFBLK: 'block device'}


# The hidden directory a restore writes into before renaming it into
# place; never listed.
PARTIAL_MARK = '.karbor-partial-'


def is_partial(name):
    return name.startswith('.') and PARTIAL_MARK in name


class Changed(Exception):
    """What was listed is no longer there, or is something else."""


def kind_of(mode):
    if stat.S_ISDIR(mode):
        return 'directory'
    if stat.S_ISREG(mode):
        return 'file'
    if stat.S_ISLNK(mode):
        return 'symbolic link'
    return SPECIAL_KINDS.get(stat.S_IFMT(mode), 'special file')


def meta(st):
    """What a restore gives back besides the bytes."""
    return {'mode': stat.S_IMODE(st.st_mode), 'mtime': st.st_mtime,
            'mtime_ns': st.st_mtime_ns, 'uid': st.st_uid, 'gid': st.st_gid}


def ident(st):
    return (st.st_dev, st.st_ino)


def open_dir(name, dir_fd=None, expected=None):
    """Descriptor of directory ``name`` (relative to ``dir_fd``), not
    following a link; Changed if it is not the directory ``expected``
    (device, inode) says."""
    try:
        fd = os.open(name, DIR_FLAGS, dir_fd=dir_fd)
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT):
            raise Changed('is no longer a directory')
        raise
    if expected is not None and ident(os.fstat(fd)) != tuple(expected):
        os.close(fd)
        raise Changed('was replaced by another directory')
    return fd


def walk(root_path):
    """The tree below ``root_path``: ``(root, entries, skipped)``.

    ``root`` is the metadata of the directory itself; ``entries`` are, in
    order (a directory before what it holds, names sorted), dicts with
    ``path``, ``kind`` (directory, file, symbolic link), the metadata, the
    ``size`` of a file, the ``target`` of a link, and ``ident`` (device,
    inode); ``skipped`` lists {path, kind, reason} of what is not copied.
    """
    root_fd = open_dir(root_path)
    try:
        root = meta(os.fstat(root_fd))
        entries, skipped = [], []
        _walk_into(root_fd, '', entries, skipped)
        return root, entries, skipped
    finally:
        os.close(root_fd)


def _walk_into(fd, prefix, entries, skipped):
    with os.scandir(fd) as it:
        listed = sorted(it, key=lambda e: e.name)
    for entry in listed:
        rel = prefix + entry.name
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            skipped.append({'path': rel, 'kind': 'unknown',
                            'reason': 'removed during the protect'})
            continue
        kind = kind_of(st.st_mode)
        item = dict(meta(st), path=rel, kind=kind, ident=ident(st))
        if kind == 'directory':
            try:
                child = open_dir(entry.name, fd, ident(st))
            except Changed as e:
                skipped.append({'path': rel, 'kind': kind,
                                'reason': '%s during the protect' % e})
                continue
            try:
                entries.append(item)
                _walk_into(child, rel + '/', entries, skipped)
            finally:
                os.close(child)
        elif kind == 'file':
            item['size'] = st.st_size
            # What will be read: less than the size for a sparse file.
            item['stored'] = min(st.st_size, st.st_blocks * 512)
            entries.append(item)
        elif kind == 'symbolic link':
            try:
                item['target'] = os.readlink(entry.name, dir_fd=fd)
            except OSError:
                skipped.append({'path': rel, 'kind': kind,
                                'reason': 'changed during the protect'})
                continue
            entries.append(item)
        else:
            skipped.append({'path': rel, 'kind': kind,
                            'reason': 'special files are not copied'})


class DirCache:
    """Descriptors of the directories of a tree, opened from its root
    without following links, each checked against the identity recorded
    for it; the last one is kept, since files come grouped by directory.
    One per thread."""

    def __init__(self, root_fd, idents):
        self.root_fd = root_fd
        self.idents = idents
        self._path = None
        self._fd = None

    def get(self, directory):
        if directory == self._path:
            return self._fd
        self.close()
        if not directory:
            return self.root_fd
        fd = os.dup(self.root_fd)
        done = ''
        try:
            for part in directory.split('/'):
                done = done + '/' + part if done else part
                child = open_dir(part, fd, self.idents.get(done))
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        self._path, self._fd = directory, fd
        return fd

    def close(self):
        if self._fd is not None:
            os.close(self._fd)
        self._path = self._fd = None


def open_file(cache, path, expected, flags=READ_FLAGS):
    """Descriptor of the regular file ``path`` that has identity
    ``expected``; Changed if it is something else now."""
    directory, name = os.path.split(path)
    try:
        dir_fd = cache.get(directory)
        fd = os.open(name, flags, dir_fd=dir_fd)
    except Changed as e:
        raise Changed('its directory %s %s' % (directory, e))
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENOENT, errno.ENXIO,
                       errno.ENOTDIR):
            raise Changed('is no longer a regular file')
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or (
            expected is not None and ident(st) != tuple(expected)):
        os.close(fd)
        raise Changed('became a %s' % kind_of(st.st_mode)
                      if not stat.S_ISREG(st.st_mode)
                      else 'was replaced by another file')
    return fd, st


def data_extents(fd, st):
    """[[offset, length]] of the data of a sparse file (holes left out),
    or None for a file without holes."""
    if st.st_blocks * 512 >= st.st_size:
        return None
    extents, pos = [], 0
    while pos < st.st_size:
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError as e:
            if e.errno == errno.ENXIO:  # only a hole is left
                break
            return None
        end = min(os.lseek(fd, start, os.SEEK_HOLE), st.st_size)
        if end > start:
            extents.append([start, end - start])
        pos = end
    return extents
