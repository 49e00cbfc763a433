"""Providers: one bank plus the protection plugins of several resource
types, read from ``providers.d/*.conf`` (and the built-in local provider
of karbor-all)."""

import glob
import os
import threading

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import uuidutils

from karbor.common import exception
from karbor.i18n import _
from karbor.services.protection import bank_plugin
from karbor.services.protection import plugins

LOG = logging.getLogger(__name__)

LOCAL_PROVIDER_ID = '7a2f5d0c-3b8e-4c61-9f4a-1d2e3c4b5a69'

provider_opts = [
    cfg.StrOpt('id', help=_('UUID of the provider; clients use it.')),
    cfg.StrOpt('name', help=_('Display name.')),
    cfg.StrOpt('description', default='', help=_('Description.')),
    cfg.StrOpt('bank', help=_('Bank plugin (entry point in karbor.banks).')),
    cfg.MultiStrOpt('plugin', default=[],
                    help=_('Protection plugins (entry points in '
                           'karbor.protections); repeat the line.')),
    cfg.BoolOpt('enabled', default=True, help=_('Offer this provider.')),
]


def list_opts():
    return [('provider', provider_opts)]


class Provider:
    """A loaded provider: its bank and one plugin per resource type."""

    def __init__(self, conf, state_path):
        self.conf = conf
        info = conf.provider
        self.id = info.id
        self.name = info.name
        self.description = info.description or ''
        # The kind of bank (its plugin's name), shown to users; never
        # its location or credentials.
        self.bank_type = info.bank
        bank_class = plugins.load_class(plugins.BANK_NAMESPACE, info.bank)
        self.bank = bank_plugin.Bank(bank_class(
            conf, default_path=os.path.join(state_path, 'bank', self.id)))
        self.plugins = {}
        for name in info.plugin:
            plugin_class = plugins.load_class(plugins.PROTECTION_NAMESPACE,
                                              name)
            plugin = plugin_class(conf, state_path=state_path)
            for resource_type in plugin.get_supported_resources_types():
                self.plugins[resource_type] = plugin
        self.extended_info_schema = self._schemas()

    def _schemas(self):
        schemas = {'options_schema': {}, 'restore_schema': {},
                   'saved_info_schema': {}, 'verify_schema': {}}
        for resource_type, plugin in sorted(self.plugins.items()):
            schemas['options_schema'][resource_type] = \
                plugin.get_options_schema(resource_type)
            schemas['restore_schema'][resource_type] = \
                plugin.get_restore_schema(resource_type)
            schemas['saved_info_schema'][resource_type] = \
                plugin.get_saved_info_schema(resource_type)
            schemas['verify_schema'][resource_type] = \
                plugin.get_verify_schema(resource_type)
        return schemas

    @property
    def acts_for_caller(self):
        """Whether a plugin of this provider calls OpenStack services for
        the caller."""
        return any(p.ACTS_FOR_CALLER for p in self.plugins.values())

    def plugin_for(self, resource_type):
        try:
            return self.plugins[resource_type]
        except KeyError:
            raise exception.ProtectionPluginNotFound(
                provider_id=self.id, resource_type=resource_type)

    def check_bank(self):
        self.bank.plugin.check()


def _provider_conf(path=None, defaults=()):
    """A provider's own ConfigOpts; ``defaults``: (group, opts, {name:
    value}) for a provider that has no file."""
    conf = cfg.ConfigOpts()
    conf.register_opts(provider_opts, group='provider')
    for group, opts, values in defaults:
        conf.register_opts(opts, group=group)
        for name, value in values.items():
            conf.set_default(name, value, group=group)
    conf(args=[], project='karbor',
         default_config_files=[path] if path else [])
    return conf


def local_provider_roots(conf=cfg.CONF):
    """The roots (templates) of the built-in local provider: by default
    one directory per project, ``<state_path>/protect/<project id>``."""
    return conf.providers.local_provider_roots or [
        os.path.join(conf.state_path, 'protect', '{project_id}')]


def local_provider_conf(conf=cfg.CONF):
    """The built-in local provider of karbor-all, with no file."""
    from karbor.services.protection.protection_plugins import \
        local_directory
    roots = local_provider_roots(conf)
    return _provider_conf(defaults=[
        ('provider', provider_opts, {
            'id': LOCAL_PROVIDER_ID,
            'name': 'Local Provider',
            'description': 'Directories of this host, kept in a '
                           'file-system bank in the state directory.',
            'bank': 'file_system',
            'plugin': ['local_directory']}),
        (local_directory.GROUP, local_directory.opts,
         {'allowed_roots': roots, 'create_roots': True}),
    ])


def config_dir(conf=cfg.CONF):
    path = conf.providers.config_dir
    if os.path.isabs(path):
        return path
    if conf.config_file:
        base = os.path.dirname(os.path.abspath(conf.config_file[0]))
        return os.path.join(base, path)
    return None


class ProviderRegistry:
    """Every enabled provider that can work, loaded once.

    karbor-api and karbor-protection load it with the same checks (the
    bank answers, with ``check_banks``), so that they offer the same
    providers: the API never accepts a plan or a checkpoint of a provider
    that the protection service could not load.
    """

    def __init__(self, conf=cfg.CONF, check_banks=True):
        self.providers = {}
        # What could not be loaded, one sentence each (karbor-status
        # upgrade check shows them).
        self.problems = []
        confs = []
        if conf.providers.enable_local_provider:
            confs.append(('built-in local provider',
                          local_provider_conf(conf)))
        directory = config_dir(conf)
        if directory and os.path.isdir(directory):
            for path in sorted(glob.glob(os.path.join(directory, '*.conf'))):
                try:
                    confs.append((path, _provider_conf(path)))
                except cfg.Error as e:
                    self._problem('Provider file %s is not valid: %s',
                                  path, e)
        for origin, provider_conf in confs:
            self._load(origin, provider_conf, conf.state_path, check_banks)

    def _load(self, origin, provider_conf, state_path, check_banks):
        info = provider_conf.provider
        if not info.enabled:
            LOG.info('Provider %s (%s) is disabled', info.name, origin)
            return
        if not info.id or not info.bank:
            self._problem('Provider in %s needs [provider] id and bank; '
                          'skipped', origin)
            return
        if not uuidutils.is_uuid_like(info.id):
            self._problem('Provider in %s has [provider] id = %s, which is '
                          'not a UUID (clients check that provider ids '
                          'are); it is not offered', origin, info.id)
            return
        error = None
        try:
            provider = Provider(provider_conf, state_path)
            if check_banks:
                provider.check_bank()
        except Exception as e:
            error = e
        if error is not None:
            # Outside the except block: oslo.log would repeat the error.
            self._problem('Provider %s (%s) could not be loaded and is not '
                          'offered (id %s): %s', info.name or info.id,
                          origin, info.id, error)
            return
        if provider.id in self.providers:
            self._problem('Provider id %s of %s is already used; skipped',
                          provider.id, origin)
            return
        self.providers[provider.id] = provider
        LOG.info('Provider %s (%s) loaded from %s with types %s',
                 provider.name, provider.id, origin,
                 ', '.join(sorted(provider.plugins)) or 'none')

    def _problem(self, message, *args):
        LOG.error(message, *args)
        self.problems.append(message % args)

    def get(self, provider_id):
        try:
            return self.providers[provider_id]
        except KeyError:
            raise exception.ProviderNotFound(provider_id=provider_id)

    def list(self):
        return sorted(self.providers.values(), key=lambda p: p.id)


_REGISTRY = None
_LOCK = threading.Lock()


def get_registry(check_banks=True):
    global _REGISTRY
    with _LOCK:
        if _REGISTRY is None:
            _REGISTRY = ProviderRegistry(cfg.CONF, check_banks=check_banks)
        return _REGISTRY


def reset_registry():
    global _REGISTRY
    with _LOCK:
        _REGISTRY = None


def get_checkpoint(provider_id, checkpoint_id):
    """The bank side of a checkpoint of a loaded provider."""
    from karbor.services.protection import checkpoint
    return checkpoint.Checkpoint(get_registry().get(provider_id).bank,
                                 checkpoint_id)
