from django.utils.translation import gettext_lazy as _
import horizon


class OperationLogs(horizon.Panel):
    name = _("Operation Logs")
    slug = 'data_protection_operation_logs'
    permissions = ('openstack.services.data-protect',)
