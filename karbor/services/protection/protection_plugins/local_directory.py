"""Protection of local directories (type OS::Local::Directory).

Protect reads the files of the directory as one stream, cut into data
objects of ``chunk_size`` MiB, and records a manifest: every object with its
size, SHA-256 and MD5, every file with its path, size, mode, modification
time and SHA-256, every sub-directory with its mode. Symbolic links and
special files are never followed; they are listed as skipped.

Restore writes into a new directory under an allowed root, checking the
SHA-256 of every object before its bytes are used and of every file once
written; the directory appears under its final name only when everything
checked out.
"""

from oslo_config import cfg

from karbor.common import constants
from karbor.common import exception
from karbor.i18n import _
from karbor.services.protection import local_roots
from karbor.services.protection import protection_plugin
from karbor.services.protection.protection_plugins import local_data

GROUP = 'local_directory'

opts = [
    cfg.ListOpt('allowed_roots', default=[],
                help=_('Directories whose sub-directories may be listed, '
                       'protected and restored into. Nothing outside them '
                       'is ever read or written.')),
    cfg.IntOpt('chunk_size_mb', default=8, min=1, max=1024,
               help=_('Size of the data objects written to the bank, in '
                      'MiB.')),
    cfg.IntOpt('io_threads', default=4, min=1,
               help=_('Data objects written or read in parallel for one '
                      'directory.')),
]


def list_opts():
    return [(GROUP, opts)]


RESTORE_SCHEMA = {
    'type': 'object',
    'properties': {
        'target_path': {
            'type': 'string', 'minLength': 1, 'maxLength': 4096,
            'description': 'Directory to restore into, under an allowed '
                           'root; it must not exist or be empty. Default: '
                           'next to the original, named '
                           '<name>.restored-<restore id>.'},
    },
    'additionalProperties': False,
}


class ProtectOperation(protection_plugin.Operation):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        path = local_roots.resolve(resource.id, self.plugin.allowed_roots,
                                   hint=resource.extra_info.get('path'))
        section = checkpoint.resource_section(resource)
        manifest = local_data.protect_directory(
            path, section, self.plugin.chunk_size, self.plugin.io_threads)
        section.put_json(constants.BANK_RESOURCE_MANIFEST, manifest)
        section.put_json(constants.BANK_RESOURCE_METADATA, {
            'path': path,
            'files': len(manifest['files']),
            'directories': len(manifest['directories']),
            'bytes': manifest['total_bytes'],
            'objects': len(manifest['objects']),
            'skipped': manifest['skipped'],
        })


class RestoreOperation(protection_plugin.Operation):
    def on_main(self, checkpoint, resource, context, parameters,
                restore_id=None, new_resources=None, **kwargs):
        section = checkpoint.resource_section(resource)
        metadata = section.get_json(constants.BANK_RESOURCE_METADATA)
        manifest = section.get_json(constants.BANK_RESOURCE_MANIFEST)
        target = parameters.get('target_path') or '%s.restored-%s' % (
            metadata['path'], (restore_id or 'x')[:8])
        target = local_data.restore_directory(
            manifest, section, target, self.plugin.allowed_roots,
            self.plugin.io_threads)
        if new_resources is not None:
            new_resources[resource.id] = target


class VerifyOperation(protection_plugin.Operation):
    """The manifest is there, complete and consistent with the metadata:
    objects numbered without gaps, every one full but the last, as many
    bytes in the objects as in the files, paths inside the directory."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        section = checkpoint.resource_section(resource)
        key = section.full_key(constants.BANK_RESOURCE_MANIFEST)
        try:
            manifest = section.get_json(constants.BANK_RESOURCE_MANIFEST)
        except exception.BankObjectNotFound:
            raise exception.ProtectionFailed(reason='%s is missing' % key)
        problem = local_data.manifest_problem(manifest)
        if problem:
            raise exception.ProtectionFailed(reason='%s: %s' % (key,
                                                                problem))
        try:
            metadata = section.get_json(constants.BANK_RESOURCE_METADATA)
        except exception.BankError:
            return  # the framework's checks report it
        for name, value in (('files', len(manifest['files'])),
                            ('objects', len(manifest['objects'])),
                            ('bytes', manifest['total_bytes'])):
            if isinstance(metadata, dict) and metadata.get(name) != value:
                raise exception.ProtectionFailed(
                    reason='%s: the metadata records %s %s, the manifest '
                           '%s' % (section.full_key(
                               constants.BANK_RESOURCE_METADATA),
                               metadata.get(name), name, value))


class DeleteOperation(protection_plugin.Operation):
    """The bank data goes with the checkpoint; nothing else to remove."""


class LocalDirectoryProtectionPlugin(protection_plugin.ProtectionPlugin):
    SUPPORTED_RESOURCE_TYPES = (local_roots.RESOURCE_TYPE,)
    PROTECT = ProtectOperation
    RESTORE = RestoreOperation
    DELETE = DeleteOperation
    VERIFY = VerifyOperation

    def __init__(self, conf, state_path=None):
        super().__init__(conf, state_path)
        conf.register_opts(opts, group=GROUP)
        self.allowed_roots = local_roots.canonical_roots(
            conf[GROUP].allowed_roots)
        self.chunk_size = conf[GROUP].chunk_size_mb * 1024 * 1024
        self.io_threads = conf[GROUP].io_threads

    @classmethod
    def get_restore_schema(cls, resource_type):
        return RESTORE_SCHEMA

    def check_restore_parameters(self, parameters):
        """Refuse, before anything starts, a target outside the roots."""
        if parameters.get('target_path'):
            local_data.check_restore_target(parameters['target_path'],
                                            self.allowed_roots)
