# WORKAROUND, to drop once karbor/tests/base.py is fixed: base._template_db()
# creates the template database with tempfile.mkdtemp() during the first
# test, i.e. inside that test's private TMPDIR (oslotest's NestedTempfile),
# which is deleted when the test ends; every later test of the same worker
# then fails to copy it. Making the template here, outside any test, puts
# it in the real temporary directory.
from karbor.tests import base as _base

_base._template_db()
