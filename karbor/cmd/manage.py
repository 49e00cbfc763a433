"""karbor-manage: operator commands.

    karbor-manage [--config-file F] db sync [--revision REV]
    karbor-manage [--config-file F] db version
    karbor-manage [--config-file F] db purge --before YYYY-MM-DD [--dry-run]
    karbor-manage [--config-file F] checkpoint rebuild-index --provider ID
"""

import datetime
import sys

from oslo_config import cfg

from karbor.cmd import common
from karbor.db import migration
from karbor.db import purge as purge_db


class DbCommands:

    def sync(self):
        """Create or upgrade the schema to the latest revision."""
        revision = cfg.CONF.command.revision or 'head'
        migration.upgrade(revision)
        print('Database is at revision %s' % migration.version())

    def version(self):
        """Print the revision the database is at."""
        print(migration.version() or 'None (run "karbor-manage db sync")')

    def purge(self):
        """Hard-delete rows soft-deleted before a date (deleted
        checkpoints, deleted verifications), operation logs that ended
        before it and the saved flows of operations no longer running;
        print how many of each."""
        value = cfg.CONF.command.before
        try:
            before = datetime.datetime.strptime(value, '%Y-%m-%d')
        except ValueError:
            raise ValueError('--before must be a date YYYY-MM-DD (UTC), '
                             'not %r' % value)
        dry_run = cfg.CONF.command.dry_run
        counts = purge_db.purge(before, dry_run=dry_run)
        print('%s before %s: %s' % (
            'Would purge' if dry_run else 'Purged', value,
            ', '.join('%s %d' % (name, count)
                      for name, count in counts.items())))


class CheckpointCommands:

    def rebuild_index(self):
        """Add to the database the checkpoints that the provider's bank
        holds and the database does not know (from each checkpoint's
        index.json); print how many."""
        from karbor.services.protection import index_rebuild
        from karbor.services.protection import provider as provider_module
        provider_id = cfg.CONF.command.provider
        provider = provider_module.get_registry(check_banks=True).get(
            provider_id)
        counts = index_rebuild.rebuild(provider)
        print('Provider %s: %d checkpoint(s) in the bank; %d added, %d '
              'already indexed, %d unreadable' % (
                  provider_id, counts['found'], counts['added'],
                  counts['present'], counts['unreadable']))
        if counts['unreadable']:
            raise RuntimeError('%d checkpoint index(es) could not be read; '
                               'the log names them' % counts['unreadable'])


def _add_command_parsers(subparsers):
    db = subparsers.add_parser('db', help='Database schema commands.')
    db_sub = db.add_subparsers(dest='action')
    db_sub.required = True
    sync = db_sub.add_parser('sync', help=DbCommands.sync.__doc__)
    sync.add_argument('--revision', default=None,
                      help='Revision to upgrade to (default: head).')
    sync.set_defaults(func=lambda: DbCommands().sync())
    version = db_sub.add_parser('version', help=DbCommands.version.__doc__)
    version.set_defaults(func=lambda: DbCommands().version())
    purge = db_sub.add_parser('purge', help=DbCommands.purge.__doc__)
    purge.add_argument('--before', required=True, metavar='YYYY-MM-DD',
                       help='Purge what was deleted, or ended, before '
                            'this day (UTC).')
    purge.add_argument('--dry-run', action='store_true',
                       help='Only count what would be purged.')
    purge.set_defaults(func=lambda: DbCommands().purge())

    checkpoint = subparsers.add_parser(
        'checkpoint', help='Checkpoint index commands.')
    checkpoint_sub = checkpoint.add_subparsers(dest='action')
    checkpoint_sub.required = True
    rebuild = checkpoint_sub.add_parser(
        'rebuild-index', help=CheckpointCommands.rebuild_index.__doc__)
    rebuild.add_argument('--provider', required=True, metavar='ID',
                         help='The provider whose bank to read.')
    rebuild.set_defaults(func=lambda: CheckpointCommands().rebuild_index())


command_opt = cfg.SubCommandOpt('command', title='Commands',
                                handler=_add_command_parsers,
                                help='Available commands')


def main(argv=None):
    argv = argv if argv is not None else sys.argv
    # Logs to stderr, so that scripts can read the answer on stdout.
    conf = common.prepare_process(argv, cli_opts=[command_opt],
                                  defaults={(None, 'use_stderr'): True})
    try:
        conf.command.func()
    except Exception as e:
        print('karbor-manage: error: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
