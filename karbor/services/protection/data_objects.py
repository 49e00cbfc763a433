"""The data objects of a resource in the bank: a byte stream cut into
objects ``data/00000000``, ``data/00000001``, ... of ``chunk_size`` bytes
(the last one shorter), each recorded in the manifest with its size,
SHA-256 and MD5. Written and read by a few threads with bounded memory."""

import hashlib

from karbor.common import exception
from karbor.services.protection import parallel

DATA_PREFIX = 'data/'


def object_key(index):
    return '%s%08d' % (DATA_PREFIX, index)


def write(section, chunks, threads):
    """Store ``chunks`` ((index, bytes) in order) in ``section``; return
    their manifest entries."""
    def put(item):
        index, data = item
        digest = hashlib.sha256(data).hexdigest()
        info = section.put_object(object_key(index), data)
        return {'key': object_key(index), 'size': len(data),
                'sha256': digest, 'md5': info.etag}

    return list(parallel.ordered_map(put, chunks, threads))


def read_checked(section, entry):
    """The whole object, once its size and SHA-256 match the manifest."""
    digest = hashlib.sha256()
    chunks = []
    for chunk in section.iter_object(entry['key']):
        digest.update(chunk)
        chunks.append(chunk)
    data = b''.join(chunks) if len(chunks) != 1 else chunks[0]
    if len(data) != entry['size']:
        raise exception.ProtectionFailed(
            reason='object %s: size %d expected, %d found' % (
                entry['key'], entry['size'], len(data)))
    if digest.hexdigest() != entry['sha256']:
        raise exception.ProtectionFailed(
            reason='object %s: SHA-256 mismatch (expected %s, found %s)' % (
                entry['key'], entry['sha256'], digest.hexdigest()))
    return data


def objects_problem(manifest):
    """What is inconsistent in the objects of a manifest (numbering, sizes,
    digests, total_bytes), or None. Raises KeyError or TypeError on a
    manifest without the fields."""
    objects = manifest['objects']
    chunk_size = manifest['chunk_size']
    for index, entry in enumerate(objects):
        if entry['key'] != object_key(index):
            return 'object %d is %s, expected %s' % (
                index, entry['key'], object_key(index))
        last = index == len(objects) - 1
        if entry['size'] <= 0 or entry['size'] > chunk_size or (
                not last and entry['size'] != chunk_size):
            return 'object %s has size %d; objects are %d bytes but ' \
                   'the last' % (entry['key'], entry['size'], chunk_size)
        if not isinstance(entry.get('sha256'), str) or \
                len(entry['sha256']) != 64:
            return 'object %s has no SHA-256' % entry['key']
    total = sum(o['size'] for o in objects)
    if total != manifest['total_bytes']:
        return 'the objects hold %d bytes, the total says %d' % (
            total, manifest['total_bytes'])
    return None
