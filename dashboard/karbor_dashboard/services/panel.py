from django.utils.translation import gettext_lazy as _
import horizon


class Services(horizon.Panel):
    """Admin > Data Protection > Services: the protection services."""
    name = _("Services")
    slug = 'data_protection_services'
    permissions = ('openstack.services.data-protect', 'openstack.roles.admin')
