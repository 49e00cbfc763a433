from django.utils.translation import gettext_lazy as _
import horizon


class Checkpoints(horizon.Panel):
    name = _("Checkpoints")
    slug = 'data_protection_checkpoints'
    permissions = ('openstack.services.data-protect',)
