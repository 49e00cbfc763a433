"""Set-up of the configuration and logging of a Karbor process."""

from oslo_config import cfg
from oslo_db import options as db_options
from oslo_log import log
from oslo_messaging import opts as messaging_opts
from oslo_middleware import opts as middleware_opts
from oslo_policy import opts as policy_opts

from karbor import conf as karbor_conf
from karbor import version

DEFAULT_DB_CONNECTION = 'sqlite:///$state_path/karbor.sqlite'


# Plans of up to MAX_PLAN_RESOURCES (5,000) resources, whose names are not
# all short, exceed oslo.middleware's 112 KiB default.
MAX_REQUEST_BODY_SIZE = 2 * 1024 * 1024


def set_lib_defaults(conf):
    # On the option objects, so that the generated sample shows them too.
    cfg.set_defaults(db_options.database_opts,
                     connection=DEFAULT_DB_CONNECTION)
    db_options.set_defaults(conf)
    for group, opts in middleware_opts.list_opts_sizelimit():
        conf.register_opts(opts, group=group)
    conf.set_default('max_request_body_size', MAX_REQUEST_BODY_SIZE,
                     group='oslo_middleware')
    policy_opts.set_defaults(conf, policy_file='policy.yaml')
    # The storage clients log their requests, headers included (part of a
    # Swift key, say): only their warnings, unless asked for.
    log.set_defaults(default_log_levels=log.get_default_log_levels() + [
        'swiftclient=WARN', 'botocore=WARN', 'boto3=WARN',
        'glanceclient=WARN', 'cinderclient=WARN'])


def register_all(conf=karbor_conf.CONF, api_cli=False):
    """Register Karbor's and the libraries' options on ``conf``."""
    karbor_conf.register_opts(conf, api_cli=api_cli)
    log.register_options(conf)
    # transport_url and friends, so that commands can set their defaults.
    for group, opts in messaging_opts.list_opts():
        if group is None:
            conf.register_opts(opts)
    conf.set_default('control_exchange', 'karbor')
    set_lib_defaults(conf)


def parse_args(argv, conf=karbor_conf.CONF, default_config_files=None,
               setup_logging=True):
    """Parse the command line and config files of a service process.

    The options must be registered (:func:`register_all`) before.
    """
    conf(argv[1:], project='karbor', prog=None,
         version=version.version_string(),
         default_config_files=default_config_files)
    if setup_logging:
        log.setup(conf, 'karbor')
