# Project > Data Protection, the panel group of karbor-dashboard.
PANEL_GROUP = 'data_protection'
PANEL_GROUP_NAME = 'Data Protection'
PANEL_GROUP_DASHBOARD = 'project'

ADD_INSTALLED_APPS = ['karbor_dashboard']
# Errors of python-karborclient: a message on the page, not a stack trace
# (401 logs the user out, as for every other service). Horizon adds these
# tuples of classes to its own.
from karborclient.common.apiclient import exceptions as _karbor_exc  # noqa

ADD_EXCEPTIONS = {
    'recoverable': (_karbor_exc.ClientException,),
    'not_found': (_karbor_exc.NotFound,),
    'unauthorized': (_karbor_exc.AuthorizationFailure,
                     _karbor_exc.Unauthorized),
}
