"""karbor-status: checks an operator runs before (and after) an upgrade.

    karbor-status [--config-file F] upgrade check [--json]

Exit code 0 when every check succeeds, 1 when one warns, 2 when one
fails (oslo.upgradecheck's codes); 255 if a check could not run.
"""

import sys

from oslo_config import cfg
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from karbor.common import config
from karbor.db import migration
from karbor.i18n import _


class Checks(upgradecheck.UpgradeCommands):

    def _check_database_schema(self):
        """The database is at the revision this code expects."""
        head = migration.head()
        try:
            current = migration.version()
        except Exception as e:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('The database cannot be read (%s): check [database] '
                  'connection.') % e)
        if current is None:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('The database has no Karbor schema: run "karbor-manage '
                  'db sync".'))
        if current != head:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('The database is at revision %(current)s, this code '
                  'needs %(head)s: run "karbor-manage db sync".') % {
                    'current': current, 'head': head})
        return upgradecheck.Result(
            upgradecheck.Code.SUCCESS,
            _('The database is at revision %s (the latest).') % head)

    def _check_providers(self):
        """Every configured provider loads, with its bank answering."""
        from karbor.services.protection import provider
        registry = provider.ProviderRegistry(cfg.CONF, check_banks=True)
        loaded = registry.list()
        if registry.problems:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                ' '.join(registry.problems) +
                _(' (%d provider(s) loaded.)') % len(loaded))
        if not loaded:
            return upgradecheck.Result(
                upgradecheck.Code.WARNING,
                _('No provider is configured: add provider files to '
                  '[providers] config_dir (providers.d).'))
        return upgradecheck.Result(
            upgradecheck.Code.SUCCESS,
            _('%(count)d provider(s) loaded: %(names)s.') % {
                'count': len(loaded),
                'names': ', '.join('%s (%s)' % (p.name, p.id)
                                   for p in loaded)})

    _upgrade_checks = (
        (_('Database schema'), _check_database_schema),
        (_('Providers'), _check_providers),
        (_('Policy File JSON to YAML Migration'),
         (common_checks.check_policy_json, {'conf': cfg.CONF})),
    )


def main(argv=None):
    argv = argv if argv is not None else sys.argv
    conf = cfg.CONF
    config.register_all(conf)
    upgradecheck.register_cli_options(conf, Checks())
    # Logs to stderr, so that the table (or the JSON) is alone on stdout.
    conf.set_default('use_stderr', True)
    config.parse_args(argv, conf)
    # Where oslo.upgradecheck reads --json from (its own main sets it).
    upgradecheck.CONF = conf
    return upgradecheck.run(conf)


if __name__ == '__main__':
    sys.exit(main())
