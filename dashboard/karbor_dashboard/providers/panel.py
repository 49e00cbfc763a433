from django.utils.translation import gettext_lazy as _
import horizon


class Providers(horizon.Panel):
    name = _("Providers")
    slug = 'data_protection_providers'
    permissions = ('openstack.services.data-protect',)
