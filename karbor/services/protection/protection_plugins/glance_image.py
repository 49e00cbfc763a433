"""Protection of Glance images (type OS::Glance::Image).

Protect streams the image's bytes from Glance (``images.data``) into the
bank as data objects ``data/%08d`` of ``[glance_image] chunk_size_mb`` MiB
(the last one shorter), written by a few threads with a bounded number in
flight. ``manifest.json`` lists every object with its size, SHA-256 and
MD5; ``metadata`` holds what Glance says about the image (name, size,
formats, its own ``checksum`` and ``os_hash_algo``/``os_hash_value``). The
whole stream is hashed on the way too: bytes that do not match Glance's own
checksum fail the protect.

Restore creates a new image with the recorded formats (and the name given
in the restore parameters, else the recorded one), uploads the bytes read
back from the bank, checking each object's SHA-256 before its bytes are
sent, and then compares Glance's checksum and os_hash_value of the new image
with the recorded ones. A restore that fails deletes the image it created.

Delete removes nothing outside the bank: the framework deletes the
checkpoint's objects. Verify checks that the manifest is there and that its
objects, numbered without gaps, add up to the recorded image size; the
framework checks every object's presence, size and ETag (quick) or SHA-256
(deep).
"""

import hashlib
import time

from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import constants
from karbor.common import exception
from karbor.i18n import _
from karbor.services.protection.clients import glance
from karbor.services.protection import data_objects
from karbor.services.protection import protection_plugin

LOG = logging.getLogger(__name__)

RESOURCE_TYPE = 'OS::Glance::Image'
GROUP = 'glance_image'
MANIFEST_VERSION = 1
MIB = 1024 * 1024

opts = [
    cfg.IntOpt('chunk_size_mb', default=8, min=1, max=1024,
               help=_('Size of the data objects an image is cut into in '
                      'the bank, in MiB.')),
    cfg.IntOpt('io_threads', default=4, min=1,
               help=_('Data objects of one image written to the bank in '
                      'parallel.')),
]


def list_opts():
    return [(GROUP, opts)]


RESTORE_SCHEMA = {
    'type': 'object',
    'properties': {
        'name': {
            'type': 'string', 'maxLength': 255,
            'description': 'Name of the new image; default: the name of '
                           'the protected image.'},
    },
    'additionalProperties': False,
}

# What the metadata keeps of Glance's image record.
_RECORDED = ('name', 'size', 'checksum', 'os_hash_algo', 'os_hash_value',
             'disk_format', 'container_format', 'min_disk', 'min_ram',
             'visibility', 'protected', 'tags', 'owner', 'virtual_size')


def _rechunk(stream, size):
    """(index, bytes) of ``stream`` cut every ``size`` bytes."""
    buf = bytearray()
    index = 0
    for piece in stream:
        if not piece:
            continue
        buf += piece
        while len(buf) >= size:
            yield index, bytes(buf[:size])
            del buf[:size]
            index += 1
    if buf:
        yield index, bytes(buf)


class _Hashing:
    """Passes the chunks of a stream through, hashing them in order."""

    def __init__(self, stream, algo):
        self.stream = stream
        self.md5 = hashlib.md5(usedforsecurity=False)
        try:
            self.os_hash = hashlib.new(algo) if algo else None
        except ValueError:
            self.os_hash = None
        self.size = 0

    def __iter__(self):
        for chunk in self.stream:
            self.md5.update(chunk)
            if self.os_hash is not None:
                self.os_hash.update(chunk)
            self.size += len(chunk)
            yield chunk


def manifest_problem(manifest, size=None):
    """What is inconsistent in an image's manifest, or None."""
    try:
        problem = data_objects.objects_problem(manifest)
        if problem:
            return problem
        total = manifest['total_bytes']
        if size is not None and total != size:
            return 'the objects hold %d bytes, the image had %d' % (total,
                                                                    size)
    except (KeyError, TypeError, AttributeError) as e:
        return 'it lacks a field or has a wrong type (%s)' % e
    return None


class ProtectOperation(protection_plugin.Operation):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        client = glance.create(context)
        section = checkpoint.resource_section(resource)
        with client.reachable():
            try:
                image = client.images.get(resource.id)
            except Exception as e:
                if glance.is_not_found(e):
                    raise exception.ProtectionFailed(
                        reason='image %s is not in Glance' % resource.id)
                raise
            if image.get('status') != 'active':
                raise exception.ProtectionFailed(
                    reason='image %s is %s, not active; only active images '
                           'have data to protect' % (resource.id,
                                                     image.get('status')))
            body = client.images.data(resource.id)
            if body is None:
                raise exception.ProtectionFailed(
                    reason='image %s has no data' % resource.id)
        # Only reading from Glance is "Glance unavailable"; bank errors
        # stay what they are.
        hashing = _Hashing(client.stream(body), image.get('os_hash_algo'))
        objects = self._write(section, hashing)
        self._check_stream(image, hashing)
        manifest = {
            'version': MANIFEST_VERSION,
            'chunk_size': self.plugin.chunk_size,
            'objects': objects,
            'total_bytes': hashing.size,
        }
        section.put_json(constants.BANK_RESOURCE_MANIFEST, manifest)
        metadata = {k: image.get(k) for k in _RECORDED}
        metadata.update({'image_id': resource.id,
                         'objects': len(objects),
                         'glance_endpoint': client.url})
        section.put_json(constants.BANK_RESOURCE_METADATA, metadata)

    def _write(self, section, stream):
        return data_objects.write(
            section, _rechunk(stream, self.plugin.chunk_size),
            self.plugin.io_threads)

    @staticmethod
    def _check_stream(image, hashing):
        problems = []
        if image.get('size') is not None and hashing.size != image['size']:
            problems.append('%d bytes read, Glance says the image has %d' %
                            (hashing.size, image['size']))
        if image.get('checksum') and \
                hashing.md5.hexdigest() != image['checksum']:
            problems.append('MD5 %s read, Glance checksum %s' % (
                hashing.md5.hexdigest(), image['checksum']))
        if hashing.os_hash is not None and image.get('os_hash_value') and \
                hashing.os_hash.hexdigest() != image['os_hash_value']:
            problems.append('%s of the bytes read differs from Glance\'s '
                            'os_hash_value' % image['os_hash_algo'])
        if problems:
            raise exception.ProtectionFailed(
                reason='image %s read from Glance: %s' % (
                    image['id'], '; '.join(problems)))


class _BankReader:
    """A file-like object over the data objects of a manifest, for
    glanceclient's upload: every object is read whole and its size and
    SHA-256 checked before any of its bytes are handed out. The first
    problem is kept in ``error`` (glanceclient or requests may wrap what
    ``read`` raises)."""

    def __init__(self, section, objects):
        self._section = section
        self._objects = iter(objects)
        self._current = memoryview(b'')
        self.error = None
        self.sent = 0

    def read(self, size=-1):
        while not self._current:
            entry = next(self._objects, None)
            if entry is None:
                return b''
            try:
                self._current = memoryview(data_objects.read_checked(
                    self._section, entry))
            except Exception as e:
                self.error = e
                raise
        if size is None or size < 0:
            size = len(self._current)
        data = bytes(self._current[:size])
        self._current = self._current[size:]
        self.sent += len(data)
        return data


class RestoreOperation(protection_plugin.Operation):
    def on_main(self, checkpoint, resource, context, parameters,
                restore_id=None, new_resources=None, **kwargs):
        section = checkpoint.resource_section(resource)
        metadata = section.get_json(constants.BANK_RESOURCE_METADATA)
        manifest = section.get_json(constants.BANK_RESOURCE_MANIFEST)
        problem = manifest_problem(manifest, metadata.get('size'))
        if problem:
            raise exception.ProtectionFailed(reason='%s: %s' % (
                section.full_key(constants.BANK_RESOURCE_MANIFEST), problem))
        client = glance.create(context)
        fields = {'name': parameters.get('name') or metadata.get('name') or
                  'restored-%s' % resource.id,
                  'disk_format': metadata.get('disk_format') or 'raw',
                  'container_format': metadata.get('container_format') or
                  'bare'}
        for name in ('min_disk', 'min_ram'):
            if metadata.get(name) is not None:
                fields[name] = metadata[name]
        with client.reachable():
            image = client.images.create(**fields)
        try:
            self._upload(client, image['id'], section, manifest, metadata)
        except BaseException:
            self._discard(client, image['id'])
            raise
        if new_resources is not None:
            new_resources[resource.id] = image['id']

    @staticmethod
    def _upload(client, image_id, section, manifest, metadata):
        reader = _BankReader(section, manifest['objects'])
        try:
            with client.reachable():
                client.images.upload(image_id, reader,
                                     image_size=manifest['total_bytes'])
        except Exception:
            if reader.error is not None:
                raise reader.error
            raise
        if reader.error is not None:
            raise reader.error
        with client.reachable():
            new = client.images.get(image_id)
        problems = []
        if new.get('status') != 'active':
            problems.append('status %s' % new.get('status'))
        if new.get('size') != manifest['total_bytes']:
            problems.append('size %s, %d expected' % (
                new.get('size'), manifest['total_bytes']))
        if metadata.get('checksum') and \
                new.get('checksum') != metadata['checksum']:
            problems.append('checksum %s, %s recorded' % (
                new.get('checksum'), metadata['checksum']))
        if metadata.get('os_hash_value') and \
                new.get('os_hash_algo') == metadata.get('os_hash_algo') and \
                new.get('os_hash_value') != metadata['os_hash_value']:
            problems.append('%s os_hash_value differs from the recorded '
                            'one' % new.get('os_hash_algo'))
        if problems:
            raise exception.ProtectionFailed(
                reason='restored image %s in Glance: %s' % (
                    image_id, '; '.join(problems)))

    @staticmethod
    def _discard(client, image_id, attempts=5, delay=0.2):
        """Delete the image a failed restore created. Glance may still be
        finishing the aborted upload (and answer 409 or 5xx meanwhile):
        try a few times."""
        for attempt in range(attempts):
            try:
                client.images.delete(image_id)
                return
            except Exception as e:
                if glance.is_not_found(e):
                    return
                if attempt == attempts - 1:
                    LOG.warning('Could not delete image %s after a failed '
                                'restore: %s', image_id, e)
                    return
                time.sleep(delay * 2 ** attempt)


class VerifyOperation(protection_plugin.Operation):
    """The manifest is there, its objects numbered without gaps, every one
    full but the last, and together as large as the recorded image."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        section = checkpoint.resource_section(resource)
        key = section.full_key(constants.BANK_RESOURCE_MANIFEST)
        try:
            manifest = section.get_json(constants.BANK_RESOURCE_MANIFEST)
        except exception.BankObjectNotFound:
            raise exception.ProtectionFailed(reason='%s is missing' % key)
        try:
            metadata = section.get_json(constants.BANK_RESOURCE_METADATA)
        except exception.BankError:
            metadata = None  # the framework's checks report it
        size = metadata.get('size') if isinstance(metadata, dict) else None
        problem = manifest_problem(manifest, size)
        if problem:
            raise exception.ProtectionFailed(reason='%s: %s' % (key,
                                                                problem))


class DeleteOperation(protection_plugin.Operation):
    """The bank data goes with the checkpoint; nothing else to remove."""


class GlanceImageProtectionPlugin(protection_plugin.ProtectionPlugin):
    SUPPORTED_RESOURCE_TYPES = (RESOURCE_TYPE,)
    ACTS_FOR_CALLER = True
    PROTECT = ProtectOperation
    RESTORE = RestoreOperation
    DELETE = DeleteOperation
    VERIFY = VerifyOperation

    def __init__(self, conf, state_path=None):
        super().__init__(conf, state_path)
        conf.register_opts(opts, group=GROUP)
        self.chunk_size = conf[GROUP].chunk_size_mb * MIB
        self.io_threads = conf[GROUP].io_threads

    @classmethod
    def get_restore_schema(cls, resource_type):
        return RESTORE_SCHEMA
