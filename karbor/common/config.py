"""Set-up of the configuration and logging of a Karbor process."""

import glob
import os

from keystonemiddleware import opts as ks_middleware_opts
from oslo_config import cfg
from oslo_db import options as db_options
from oslo_log import log
from oslo_messaging._drivers import amqp as messaging_amqp
from oslo_messaging import opts as messaging_opts
from oslo_middleware import cors
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
    # Work handed to karbor-protection outlives a restart of RabbitMQ: its
    # topic queues are declared durable (kombu publishes persistent
    # messages by default, which a durable queue keeps on disk).
    # oslo.messaging offers no public setter for its driver's defaults;
    # these option objects are the ones its driver registers (and that its
    # list_opts copies for the sample).
    cfg.set_defaults(messaging_amqp.amqp_opts, amqp_durable_queues=True)
    # What a browser (Horizon's JavaScript, say) may send and read.
    cors.set_defaults(
        allow_headers=['X-Auth-Token', 'X-Openstack-Request-Id',
                       'X-Subject-Token', 'X-Service-Token',
                       'Content-Type'],
        expose_headers=['X-Auth-Token', 'X-Openstack-Request-Id',
                        'X-Subject-Token', 'X-Service-Token'],
        allow_methods=['GET', 'PUT', 'POST', 'DELETE', 'HEAD'])
    # The storage clients log their requests, headers included (part of a
    # Swift key, say): only their warnings, unless asked for.
    log.set_defaults(default_log_levels=log.get_default_log_levels() + [
        'swiftclient=WARN', 'botocore=WARN', 'boto3=WARN',
        'glanceclient=WARN', 'cinderclient=WARN'])


def register_all(conf=karbor_conf.CONF, api_cli=False):
    """Register Karbor's and the libraries' options on ``conf``."""
    karbor_conf.register_opts(conf, api_cli=api_cli)
    log.register_options(conf)
    # transport_url and friends, so that commands can set their defaults;
    # [oslo_messaging_notifications], read by karbor.common.notify.
    for group, opts in messaging_opts.list_opts():
        if group in (None, 'oslo_messaging_notifications'):
            conf.register_opts(opts, group=group)
    conf.set_default('control_exchange', 'karbor')
    # [keystone_authtoken], so that it can be checked before
    # keystonemiddleware reads it.
    for group, opts in ks_middleware_opts.list_auth_token_opts():
        conf.register_opts(opts, group=group)
    set_lib_defaults(conf)


def parse_args(argv, conf=karbor_conf.CONF, default_config_files=None,
               setup_logging=True, default_config_dirs=None):
    """Parse the command line and config files of a service process.

    The options must be registered (:func:`register_all`) before.
    ``default_config_files``/``default_config_dirs``: None lets oslo.config
    look in ~/.karbor, ~/, /etc/karbor and /etc; ``[]`` reads only what the
    command line names.
    """
    conf(argv[1:], project='karbor', prog=None,
         version=version.version_string(),
         default_config_files=default_config_files,
         default_config_dirs=default_config_dirs)
    if setup_logging:
        log.setup(conf, 'karbor')


def files_read(conf=karbor_conf.CONF):
    """The configuration files ``conf`` was parsed from, in order: the
    --config-file ones (or those oslo.config found), then the ``*.conf``
    of each --config-dir."""
    files = [os.path.abspath(f) for f in conf.config_file or ()]
    for directory in conf.config_dir or ():
        files.extend(sorted(glob.glob(os.path.join(
            os.path.abspath(directory), '*.conf'))))
    return files
