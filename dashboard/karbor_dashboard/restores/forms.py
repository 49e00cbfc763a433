from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import forms
from horizon import messages

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common
from karbor_dashboard import schema_fields


class CreateRestoreForm(forms.SelfHandlingForm):
    """Restore a checkpoint; a field per parameter of the restore_schema of
    each resource type in the checkpoint."""
    provider_id = forms.CharField(widget=forms.HiddenInput())
    checkpoint_id = forms.CharField(label=_('Checkpoint'),
                                    widget=forms.TextInput(
                                        attrs={'readonly': 'readonly'}))
    restore_target = forms.CharField(
        label=_('Restore target'), required=False,
        help_text=_('The cloud to restore into (an identity URL); empty '
                    'for this one.'))

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        initial = kwargs.get('initial') or {}
        provider = api.provider_get(request, initial['provider_id'])
        checkpoint = api.checkpoint_get(request, initial['provider_id'],
                                        initial['checkpoint_id'])
        plan = getattr(checkpoint, 'protection_plan', None) or {}
        self.resource_types = {r.get('type')
                               for r in plan.get('resources') or []}
        info = getattr(provider, 'extended_info_schema', None) or {}
        schema_fields.add_fields(self, 'restore',
                                 info.get('restore_schema'),
                                 self.resource_types)

    def handle(self, request, data):
        parameters = schema_fields.values(self, data, self.resource_types)
        try:
            restore = api.restore_create(request, data['provider_id'],
                                         data['checkpoint_id'],
                                         data['restore_target'] or None,
                                         parameters)
        except Exception as e:
            common.handle(request, _('Unable to restore the checkpoint:'),
                          e, redirect=reverse(
                              'horizon:project:data_protection_restores:'
                              'index'))
            return False
        messages.success(request, _('Restore %s started.') % restore.id)
        self.restore = restore
        return restore
