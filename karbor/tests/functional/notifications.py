"""Karbor's notifications on the machine's RabbitMQ, heard by a real
oslo.messaging notification listener.

Each test has an exchange and a topic of its own (parallel tests never
hear each other), with queues and exchange that are neither durable nor
kept once the listener leaves: nothing piles up on the shared broker.
"""

import fixtures
from oslo_config import cfg
import oslo_messaging as messaging
from oslo_messaging import opts as messaging_opts

from karbor.tests.functional import fixtures as ft_fixtures
from karbor.tests import notification_listener

THROWAWAY = {'amqp_durable_queues': 'false', 'amqp_auto_delete': 'true'}


class RabbitNotifications(fixtures.Fixture):
    """``sections``: what a Karbor configuration file needs to send its
    notifications here; ``listener``: what arrived."""

    def setUp(self):
        ft_fixtures.require_tcp(ft_fixtures.RABBIT_PORT, 'RabbitMQ')
        super().setUp()

    def _setUp(self):
        self.exchange = ft_fixtures.unique_name('karbor-notify-test-')
        self.topic = ft_fixtures.unique_name('karbor-notifications-')
        self.sections = {
            'DEFAULT': {'control_exchange': self.exchange},
            'oslo_messaging_notifications': {
                'driver': 'messagingv2',
                'transport_url': ft_fixtures.RABBIT_URL,
                'topics': self.topic},
            'oslo_messaging_rabbit': dict(THROWAWAY),
        }
        conf = cfg.ConfigOpts()
        for group, opts in messaging_opts.list_opts():
            conf.register_opts(opts, group=group)
        conf([], project='karbor-notification-listener',
             default_config_files=[], default_config_dirs=[])
        for key, value in THROWAWAY.items():
            conf.set_override(key, value == 'true',
                              group='oslo_messaging_rabbit')
        transport = messaging.get_notification_transport(
            conf, url=ft_fixtures.RABBIT_URL)
        self.addCleanup(transport.cleanup)
        self.listener = self.useFixture(notification_listener.Listener(
            transport, self.topic, exchange=self.exchange))
