"""Protection of local directories (type OS::Local::Directory).

Protect reads the files of the directory as one stream, cut into data
objects of ``chunk_size`` MiB, and records a manifest: every object with its
size, SHA-256 and MD5, every file with its path, size, mode, modification
time and SHA-256, every sub-directory with its mode. Symbolic links and
special files are never followed; they are listed as skipped.

Restore writes into a new directory under a root of the caller's project,
checking the SHA-256 of every object before its bytes are used and of every
file once written; the directory appears under its final name only when
everything checked out.

Which directories a project may use is per project (``allowed_roots``
templates with ``{project_id}``, see
:mod:`karbor.services.protection.local_roots`). What a project is told
(reasons, operation logs) names its directories relative to its root; the
full error, host paths included, goes to the log with the request id.
"""

import contextlib

from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import constants
from karbor.common import exception
from karbor.i18n import _
from karbor.services.protection import local_index
from karbor.services.protection import local_roots
from karbor.services.protection import protection_plugin
from karbor.services.protection.protection_plugins import local_data

LOG = logging.getLogger(__name__)

GROUP = 'local_directory'

opts = [
    cfg.ListOpt('allowed_roots', default=[],
                help=_('Directories whose sub-directories a project may '
                       'list, protect and restore into; nothing outside '
                       'them is ever read or written. An entry containing '
                       '{project_id} (/srv/karbor/{project_id}) names a '
                       'different directory for every project: use such '
                       'templates in a cloud. A plain directory is shared '
                       'by every project: only for one person or one '
                       'project.')),
    cfg.BoolOpt('create_roots', default=False,
                help=_('Create the directory an allowed_roots template '
                       'names for a project (mode 0700) the first time the '
                       'project uses it; otherwise the operator creates '
                       'it.')),
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
            'description': 'Directory to restore into, relative to your '
                           'directory root (photos-restored); its parent '
                           'must exist, and it must not exist or be empty. '
                           'Default: next to the original, named '
                           '<name>.restored-<restore id>.'},
    },
    'additionalProperties': False,
}


def _message(error):
    if isinstance(error, OSError) and error.strerror:
        if error.filename is not None:
            return '%s: %s' % (error.filename, error.strerror)
        return error.strerror
    return str(error) or error.__class__.__name__


@contextlib.contextmanager
def tenant_errors(roots, context, what):
    """Any error leaves as ProtectionFailed whose reason shows the
    project's names only; the whole error goes to the log."""
    try:
        yield
    except exception.ProtectableResourceNotFound:
        raise
    except Exception as e:
        LOG.exception('%s failed (request %s, user %s, project %s)', what,
                      getattr(context, 'request_id', None),
                      getattr(context, 'user_id', None),
                      getattr(context, 'project_id', None))
        raise exception.ProtectionFailed(reason=roots.scrub(_message(e)))


class ProtectOperation(protection_plugin.Operation):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        roots = self.plugin.project_roots(context.project_id)
        with tenant_errors(roots, context, 'Protect of %s' % resource.id):
            path, name = self.plugin.index.resolve(
                roots, context.project_id, resource.id,
                hint=resource.extra_info.get('path'))
            self._protect(checkpoint, resource, path, name)

    def _protect(self, checkpoint, resource, path, name):
        section = checkpoint.resource_section(resource)
        manifest = local_data.protect_directory(
            path, section, self.plugin.chunk_size, self.plugin.io_threads)
        section.put_json(constants.BANK_RESOURCE_MANIFEST, manifest)
        section.put_json(constants.BANK_RESOURCE_METADATA, {
            'name': name,
            'files': len(manifest['files']),
            'directories': len(manifest['directories']),
            'bytes': manifest['total_bytes'],
            'objects': len(manifest['objects']),
            'skipped': manifest['skipped'],
        })


class RestoreOperation(protection_plugin.Operation):
    def on_main(self, checkpoint, resource, context, parameters,
                restore_id=None, new_resources=None, **kwargs):
        roots = self.plugin.project_roots(context.project_id)
        with tenant_errors(roots, context, 'Restore of %s' % resource.id):
            section = checkpoint.resource_section(resource)
            metadata = section.get_json(constants.BANK_RESOURCE_METADATA)
            manifest = section.get_json(constants.BANK_RESOURCE_MANIFEST)
            target = parameters.get('target_path') or '%s.restored-%s' % (
                original_name(metadata, roots, resource),
                (restore_id or 'x')[:8])
            path, name = roots.target(target)
            local_data.restore_directory(manifest, section, path,
                                         self.plugin.io_threads)
        if new_resources is not None:
            new_resources[resource.id] = name


def original_name(metadata, roots, resource):
    """The name of the protected directory in the caller's roots: recorded
    by the protect (or, by older ones, its host path)."""
    name = metadata.get('name')
    if not name and metadata.get('path'):
        name = roots.name_of(metadata['path'])
    if not name:
        raise exception.ProtectionFailed(
            reason='the checkpoint does not say where %s was; give '
                   'target_path' % resource.id)
    return name


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
        self.allowed_roots = [r for r in conf[GROUP].allowed_roots if r]
        self.create_roots = conf[GROUP].create_roots
        self.chunk_size = conf[GROUP].chunk_size_mb * 1024 * 1024
        self.io_threads = conf[GROUP].io_threads
        self.index = local_index.DirectoryIndex(
            state_path or cfg.CONF.state_path)
        shared = [r for r in self.allowed_roots
                  if not local_roots.is_template(r)]
        if shared:
            LOG.info('Local directory roots %s are shared by every project '
                     '(no %s in them)', ', '.join(shared),
                     local_roots.PROJECT_TEMPLATE)

    def project_roots(self, project_id):
        """The canonical roots of ``project_id``."""
        return local_roots.Roots.for_project(self.allowed_roots, project_id,
                                             create=self.create_roots)

    @classmethod
    def get_restore_schema(cls, resource_type):
        return RESTORE_SCHEMA

    def check_restore_parameters(self, parameters, context):
        """Refuse, before anything starts, a target outside the caller's
        directories."""
        if parameters.get('target_path'):
            self.project_roots(context.project_id).target(
                parameters['target_path'])
