"""The checks every verified resource gets, whatever its plugin.

* the resource's metadata is readable from the bank and is JSON;
* the resource was protected successfully (its status object);
* every data object its manifest lists is present with the recorded size,
  and, where the bank reports an ETag, with the recorded MD5 (quick level);
  or is read in full and its SHA-256 recomputed (deep level); or a share
  of the objects, rotating from run to run, is read in full (sample level,
  see :mod:`karbor.services.protection.sampling`).

A problem with an object names the files of the user it holds when the
plugin can tell (``object_holders``).

Problems are collected, not raised: a person reads which object, what was
expected and what was found.
"""

import hashlib
import threading
import time

from karbor.common import constants
from karbor.common import exception
from karbor.services.protection import parallel

STREAM_CHUNK = 1 << 20
MAX_PROBLEMS_SHOWN = 5


class Progress:
    """Counters shared by the resources of one verification, and the
    verdicts of the resources checked since the last write.

    Both are written to the database at most every ``interval`` seconds:
    ``flush(values)`` writes the counters, ``record(verdicts, values)``
    the verdicts ({key: (status, reason)}) with the counters, in one
    write. A write per resource instead would queue a checkpoint's
    resources, one at a time, on the database's write lock. ``write_now``
    writes what is left (the last task calls it before it reads the
    verdicts back).
    """

    def __init__(self, flush, interval=1.0, record=None):
        self._flush = flush
        self._record = record
        self._interval = interval
        self._lock = threading.Lock()
        # One write at a time, so that an older snapshot never lands
        # after a newer one.
        self._write_lock = threading.Lock()
        self._last = 0.0
        # The counters last written: a write without verdicts that would
        # write them again is not made (profiled: three such writes per
        # one-resource verification).
        self._last_written = None
        self._verdicts = {}
        self.values = {'resources_total': 0, 'resources_checked': 0,
                       'objects_total': 0, 'objects_checked': 0,
                       'bytes_total': 0, 'bytes_checked': 0,
                       'levels': {}, 'coverage': {}}

    def add(self, **counts):
        self.count(**counts)
        self._write(force=False)

    def count(self, **counts):
        """Add ``counts``, written with the next write (or by the caller,
        with :meth:`written`)."""
        with self._lock:
            for key, value in counts.items():
                self.values[key] += value

    def written(self, snapshot):
        """``snapshot`` (of :meth:`snapshot`) was written by the caller:
        a write of the same counters without verdicts is not made again."""
        with self._lock:
            self._last_written = snapshot

    def verdict(self, key, status, reason='', **counts):
        """Record the verdict of resource ``key`` (written with the next
        write), and add ``counts``."""
        if self._record is None:
            raise RuntimeError('this Progress has no way to record '
                               'verdicts')
        with self._lock:
            self._verdicts[key] = (status, reason or '')
            for name, value in counts.items():
                self.values[name] += value
        self._write(force=False)

    def note(self, name, key, value):
        """Record ``value`` for resource ``key`` under ``name`` (levels,
        coverage); written with the next write."""
        with self._lock:
            self.values[name][key] = value

    def write_now(self):
        self._write(force=True)

    def _write(self, force):
        if not self._write_lock.acquire(blocking=force):
            return  # another thread is writing; the next one will
        try:
            with self._lock:
                now = time.monotonic()
                if not force and now - self._last < self._interval:
                    return
                self._last = now
                snapshot = self._copy()
                verdicts, self._verdicts = self._verdicts, {}
                if not verdicts and snapshot == self._last_written:
                    return
            if verdicts:
                self._record(verdicts, snapshot)
            else:
                self._flush(snapshot)
            with self._lock:
                self._last_written = snapshot
        finally:
            self._write_lock.release()

    def snapshot(self):
        with self._lock:
            return self._copy()

    def _copy(self):
        return {k: dict(v) if isinstance(v, dict) else v
                for k, v in self.values.items()}


class ReadOnce:
    """A checkpoint whose resource sections read each JSON object of the
    bank once: the framework's checks and the plugin's of one resource
    read the same manifest and metadata; the second read is the first's
    result (or its error) again."""

    def __init__(self, checkpoint):
        self._checkpoint = checkpoint

    def __getattr__(self, name):
        return getattr(self._checkpoint, name)

    def resource_section(self, resource):
        return _ReadOnceSection(self._checkpoint.resource_section(resource))


class _ReadOnceSection:

    def __init__(self, section):
        self._section = section
        self._read = {}

    def __getattr__(self, name):
        return getattr(self._section, name)

    def get_json(self, key):
        if key not in self._read:
            try:
                self._read[key] = (True, self._section.get_json(key))
            except exception.BankError as e:
                self._read[key] = (False, e)
        ok, value = self._read[key]
        if not ok:
            raise value
        return value


class Problems:
    def __init__(self):
        self.items = []
        self._lock = threading.Lock()
        # What a sampled check read and covered, if it was one.
        self.coverage = None

    def add(self, message):
        with self._lock:
            self.items.append(message)

    def __bool__(self):
        return bool(self.items)

    def summary(self):
        shown = self.items[:MAX_PROBLEMS_SHOWN]
        text = '; '.join(shown)
        if len(self.items) > len(shown):
            text += '; and %d more problem(s)' % (len(self.items) -
                                                  len(shown))
        return text


def _read_json(section, name, problems):
    key = section.full_key(name)
    try:
        return section.get_json(name)
    except exception.BankObjectNotFound:
        problems.add('%s is missing' % key)
    except exception.BankObjectCorrupt as e:
        problems.add('%s is not valid JSON (%s)' % (
            key, e.kwargs.get('detail', e)))
    except exception.BankError as e:
        problems.add('%s cannot be read: %s' % (key, e))
    return None


def read_manifest(section, problems):
    """The manifest, or None if the resource has none (or it is broken;
    then ``problems`` says so)."""
    try:
        manifest = section.get_json(constants.BANK_RESOURCE_MANIFEST)
    except exception.BankObjectNotFound:
        return None
    except exception.BankObjectCorrupt as e:
        problems.add('%s is not valid JSON (%s)' % (
            section.full_key(constants.BANK_RESOURCE_MANIFEST),
            e.kwargs.get('detail', e)))
        return None
    except exception.BankError as e:
        problems.add('%s cannot be read: %s' % (
            section.full_key(constants.BANK_RESOURCE_MANIFEST), e))
        return None
    if manifest is not None and not isinstance(
            manifest.get('objects') if isinstance(manifest, dict) else None,
            list):
        problems.add('%s has no list of objects' % section.full_key(
            constants.BANK_RESOURCE_MANIFEST))
        return None
    return manifest


def _check_quick(section, entry, progress):
    key = section.full_key(entry['key'])
    try:
        info = section.head_object(entry['key'])
    except exception.BankObjectNotFound:
        progress.add(objects_checked=1)
        return 'object %s is missing' % key
    progress.add(objects_checked=1, bytes_checked=info.size)
    if info.size != entry['size']:
        return 'object %s: size %d expected, %d found' % (
            key, entry['size'], info.size)
    if info.etag and entry.get('md5') and info.etag != entry['md5']:
        return 'object %s: ETag %s found, MD5 %s recorded at protect time' % (
            key, info.etag, entry['md5'])
    return None


# One read buffer per thread, used again for every object it checks: no
# memory allocated (and faulted in) per read.
_buffers = threading.local()


def _stream_buffer():
    buffer = getattr(_buffers, 'buffer', None)
    if buffer is None:
        buffer = _buffers.buffer = bytearray(STREAM_CHUNK)
    return buffer


def _check_deep(section, entry, progress):
    key = section.full_key(entry['key'])
    digest = hashlib.sha256()
    size = 0
    buffer = _stream_buffer()
    view = memoryview(buffer)
    try:
        for n in section.iter_object_into(entry['key'], buffer):
            digest.update(view[:n])
            size += n
            progress.add(bytes_checked=n)
    except exception.BankObjectNotFound:
        return 'object %s is missing' % key
    finally:
        progress.add(objects_checked=1)
    if size != entry['size']:
        return 'object %s: size %d expected, %d found' % (
            key, entry['size'], size)
    if digest.hexdigest() != entry.get('sha256'):
        return 'object %s: SHA-256 mismatch (expected %s, found %s)' % (
            key, entry.get('sha256'), digest.hexdigest())
    return None


def _holding(problem, paths):
    """``problem``, then the user's files the object holds."""
    if not paths:
        return problem
    holds = paths[0] if len(paths) == 1 else '%s and %d other file%s' % (
        paths[0], len(paths) - 1, 's' if len(paths) > 2 else '')
    return '%s; it holds %s' % (problem, holds)


def check_objects(section, objects, level, progress, threads, problems,
                  holders=None):
    check = _check_quick if level == constants.VERIFY_LEVEL_QUICK \
        else _check_deep

    def one(entry):
        key = section.full_key(entry['key'])
        try:
            problem = check(section, entry, progress)
        except exception.BankError as e:
            problem = 'object %s cannot be read: %s' % (key, e)
        if problem and holders:
            problem = _holding(problem, holders.get(entry['key']))
        return problem

    # A pool costs a thread start or more: not for a single object (the
    # common case of a checkpoint of many small resources).
    results = map(one, objects) if len(objects) <= 1 or threads <= 1 \
        else parallel.ordered_map(one, objects, threads)
    for problem in results:
        if problem:
            problems.add(problem)


def check_resource(checkpoint, resource, level, progress, threads,
                   sample=None, holders=None):
    """Problems of one resource at bank level (empty: all is well).

    ``sample(objects)``: (the objects to read, the coverage record) of a
    sampled check; ``holders(manifest)``: {object key: [file paths]}.
    """

    problems = Problems()
    section = checkpoint.resource_section(resource)
    _read_json(section, constants.BANK_RESOURCE_METADATA, problems)
    status = _read_json(section, constants.BANK_RESOURCE_STATUS, problems)
    if isinstance(status, dict) and status.get('status') != \
            constants.RESOURCE_STATUS_AVAILABLE:
        problems.add('the resource was not protected successfully '
                     '(status %s%s)' % (status.get('status'),
                                        ': %s' % status['reason']
                                        if status.get('reason') else ''))
    manifest = read_manifest(section, problems)
    if manifest is None and isinstance(status, dict) and \
            status.get('manifest'):
        problems.add('%s is missing' % section.full_key(
            constants.BANK_RESOURCE_MANIFEST))
    if manifest:
        objects = manifest['objects']
        if level == constants.VERIFY_LEVEL_SAMPLE and sample is not None:
            objects, problems.coverage = sample(objects)
            problems.coverage['bytes_read'] = sum(o.get('size', 0)
                                                  for o in objects)
        by_key = None
        if holders is not None:
            try:
                by_key = holders(manifest)
            except Exception:
                by_key = None  # the plugin's own check says what is wrong
        progress.add(objects_total=len(objects),
                     bytes_total=sum(o.get('size', 0) for o in objects))
        check_objects(section, objects, level, progress, threads, problems,
                      by_key)
    return problems
