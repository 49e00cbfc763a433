"""Options of the [providers] group: where providers come from."""

from oslo_config import cfg

from karbor.i18n import _

GROUP = cfg.OptGroup('providers', title=_('Protection providers'))

opts = [
    cfg.StrOpt('config_dir',
               default='providers.d',
               help=_('Directory of the provider files (names ending in '
                      '.conf), one provider each. A relative path is '
                      'taken from the directory of the first '
                      '--config-file.')),
    cfg.BoolOpt('enable_local_provider',
                default=False,
                help=_('Offer the built-in "Local Provider" (file-system '
                       'bank in the state directory, local directories). '
                       'karbor-all turns it on.')),
    cfg.ListOpt('local_provider_roots',
                help=_('Directories whose sub-directories the built-in '
                       'local provider may protect and restore into, as '
                       '[local_directory] allowed_roots of a provider file: '
                       'an entry containing {project_id} names one '
                       'directory per project, created on first use. '
                       'Default: $state_path/protect/{project_id}, each '
                       'project its own directory.')),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)
