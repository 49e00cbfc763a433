"""WSGI entry point for uWSGI, gunicorn or mod_wsgi:
``karbor.wsgi.api:application``.

The configuration comes from the usual places (/etc/karbor/karbor.conf) or
from the files named in ``KARBOR_CONFIG_FILES`` (comma separated).
"""

import os
import sys

from karbor.cmd import common


def _config_files():
    value = os.environ.get('KARBOR_CONFIG_FILES')
    return [f for f in value.split(',') if f] if value else None


def init_application():
    return common.prepare_api_process([sys.argv[0]], _config_files())


application = init_application()
