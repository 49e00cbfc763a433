"""Django settings of the panels' unit tests: Horizon's own test settings
with the panels enabled."""

from openstack_dashboard.test.settings import *  # noqa: F401,F403
from openstack_dashboard import enabled as _stock_enabled
from openstack_dashboard.utils import settings as _settings_utils

import karbor_dashboard.enabled as _karbor_enabled

INSTALLED_APPS = list(INSTALLED_APPS)  # noqa: F405
_settings_utils.update_dashboards([_stock_enabled, _karbor_enabled],
                                  HORIZON_CONFIG, INSTALLED_APPS)  # noqa: F405
# The stock enabled files ran once already (in Horizon's test settings):
# their apps once each.
INSTALLED_APPS = list(dict.fromkeys(INSTALLED_APPS))
