"""Fixtures shared by the unit tests (on top of karbor.tests.base)."""

import datetime
from unittest import mock

import fixtures
from oslo_config import cfg


class ParsedConf(fixtures.Fixture):
    """Parse an empty command line on cfg.CONF, as every process does.

    oslo.policy looks for its policy file through ``CONF.find_file``, which
    refuses to work before the command line is parsed. The config fixture
    of karbor.tests.base resets cfg.CONF (parsed state included) at cleanup.
    """

    def _setUp(self):
        cfg.CONF([], project='karbor', default_config_files=[])


class FrozenTime(fixtures.Fixture):
    """``timeutils.utcnow()`` stands still until :meth:`advance`."""

    def __init__(self, start=None):
        super().__init__()
        self.now = start or datetime.datetime(2026, 1, 2, 3, 4, 5)

    def _setUp(self):
        self.useFixture(fixtures.MockPatch(
            'oslo_utils.timeutils.utcnow',
            new=mock.Mock(side_effect=lambda *a, **kw: self.now)))

    def advance(self, seconds):
        self.now += datetime.timedelta(seconds=seconds)
        return self.now
