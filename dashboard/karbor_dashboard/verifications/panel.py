from django.utils.translation import gettext_lazy as _
import horizon


class Verifications(horizon.Panel):
    name = _("Verifications")
    slug = 'data_protection_verifications'
    permissions = ('openstack.services.data-protect',)
