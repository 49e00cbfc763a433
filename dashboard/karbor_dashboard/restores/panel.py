from django.utils.translation import gettext_lazy as _
import horizon


class Restores(horizon.Panel):
    name = _("Restores")
    slug = 'data_protection_restores'
    permissions = ('openstack.services.data-protect',)
