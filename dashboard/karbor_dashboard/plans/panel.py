from django.utils.translation import gettext_lazy as _
import horizon


class ProtectionPlans(horizon.Panel):
    name = _("Protection Plans")
    slug = 'data_protection_plans'
    permissions = ('openstack.services.data-protect',)
