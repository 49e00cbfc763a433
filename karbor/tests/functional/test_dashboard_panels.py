"""The Horizon panels' own unit tests (``dashboard/karbor_dashboard/
tests``: Django's test client in Horizon's test harness, Karbor's API
mocked there), run in the Horizon environment of
``tools/horizon/horizon.sh`` (installed once per machine), since the
Karbor environment has no Django.

Run: ``tools/run_tests.sh karbor.tests.functional.test_dashboard_panels``.
"""

import os
import re
import subprocess

import testtools
from testtools import content

from karbor.tests.functional import horizon_fixture
from karbor.tests.functional import shared_service

DASHBOARD = os.path.join(shared_service.REPO, 'dashboard')
# Tests of dashboard/karbor_dashboard/tests; fewer means some were lost.
AT_LEAST = 23


class DashboardPanelTests(testtools.TestCase):

    def test_the_panels_unit_tests_pass_in_horizons_environment(self):
        service = horizon_fixture.SERVICE
        installed = service.run('install',
                                timeout=shared_service.START_TIMEOUT)
        self.assertEqual(0, installed.returncode, installed.stdout +
                         installed.stderr)
        python = os.path.join(service.state_dir(), 'venv', 'bin', 'python')
        result = subprocess.run(
            [python, '-m', 'django', 'test', 'karbor_dashboard.tests',
             '--settings=karbor_dashboard.tests.settings', '-v', '2'],
            cwd=DASHBOARD, capture_output=True, text=True, timeout=600,
            stdin=subprocess.DEVNULL)
        self.addDetail('django test', content.text_content(
            result.stdout + result.stderr))
        self.assertEqual(0, result.returncode)
        ran = re.search(r'^Ran (\d+) tests?', result.stderr, re.M)
        self.assertIsNotNone(ran)
        self.assertGreaterEqual(int(ran.group(1)), AT_LEAST)
        # "OK", not "OK (skipped=N)": every test ran.
        self.assertRegex(result.stderr, r'(?m)^OK$')
