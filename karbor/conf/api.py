"""Options of the [api] group: the REST API server."""

from oslo_config import cfg

from karbor.i18n import _

GROUP = cfg.OptGroup('api', title=_('REST API server options'))

opts = [
    cfg.HostAddressOpt('host-ip',
                       default='0.0.0.0',
                       help=_('Address the API server listens on.')),
    cfg.PortOpt('port',
                default=8799,
                help=_('TCP port the API server listens on.')),
    cfg.IntOpt('threads',
               default=16, min=1,
               help=_('Number of worker threads of the API server; each '
                      'serves one request at a time.')),
    cfg.IntOpt('max_limit',
               default=1000, min=1,
               help=_('Largest number of items a list call returns in one '
                      'page, whatever "limit" asks for.')),
    cfg.StrOpt('response_validation',
               default='ignore',
               choices=(('error', _('answer 500 (the tests run so)')),
                        ('warn', _('log a warning')),
                        ('ignore', _('do not check'))),
               help=_('Check every answer against the schema the OpenAPI '
                      'document publishes for it, and when one does not '
                      'fit: ...')),
    cfg.StrOpt('public_endpoint',
               help=_('Base URL of the API as clients reach it (for '
                      'example behind a proxy), used in links. Defaults to '
                      'the URL of the request.')),
    cfg.FloatOpt('rpc_cast_timeout',
                 default=5.0, min=0.5,
                 help=_('Longest time, in seconds, a request that hands work '
                        'to the protection service (protect, verify, '
                        'restore, delete a checkpoint) waits for the message '
                        'broker to take it. When the broker cannot be '
                        'reached within it, the request answers 503 and the '
                        'operation it recorded is ended in error; the API '
                        'thread never waits longer, so reads go on being '
                        'answered while the broker is down.')),
    cfg.IntOpt('rpc_cast_retries',
               default=1, min=0,
               help=_('Reconnections to the message broker one hand-over '
                      'tries before it gives up (oslo.messaging\'s "retry" '
                      'of the cast; the waits between them follow '
                      '[oslo_messaging_rabbit] rabbit_retry_interval and '
                      'kombu_reconnect_delay). Whatever they add up to, '
                      'rpc_cast_timeout bounds the request.')),
    cfg.BoolOpt('server_timing',
                default=False,
                help=_('Add a Server-Timing header (W3C Server Timing: '
                       '"app;dur=<milliseconds>") to every answer: the time '
                       'the API process spent on the request, from its '
                       'arrival in the WSGI application (after the HTTP '
                       'server parsed it) to the start of the answer, whose '
                       'body is complete by then. For measuring the server '
                       'apart from the network and the client; it tells '
                       'callers how long requests take, so leave it off '
                       'where that matters.')),
]


# Commands that serve the API also take these on the command line.
cli_opts = [o for o in opts if o.name in ('host-ip', 'port')]


def register_opts(conf, cli=False):
    conf.register_group(GROUP)
    if cli:
        conf.register_cli_opts(cli_opts, group=GROUP)
    conf.register_opts(opts, group=GROUP)
