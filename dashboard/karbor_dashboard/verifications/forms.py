from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import forms
from horizon import messages

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common

LEVELS = (('', _('the provider\'s default')), ('quick', _('quick: '
          'metadata, presence and sizes')), ('deep', _('deep: read every '
                                                       'object again')))


def level_parameters(provider, checkpoint, level):
    """{resource type: {'level': level}} for the checkpoint's types whose
    verify_schema has a level."""
    if not level:
        return {}
    info = getattr(provider, 'extended_info_schema', None) or {}
    schemas = info.get('verify_schema') or {}
    plan = getattr(checkpoint, 'protection_plan', None) or {}
    types = {r.get('type') for r in plan.get('resources') or []}
    return {t: {'level': level} for t in sorted(types)
            if 'level' in ((schemas.get(t) or {}).get('properties') or {})}


class CreateVerificationForm(forms.SelfHandlingForm):
    provider_id = forms.ChoiceField(label=_('Provider'))
    checkpoint_id = forms.CharField(label=_('Checkpoint ID'),
                                    max_length=36)
    level = forms.ChoiceField(label=_('Level'), choices=LEVELS,
                              required=False)

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.providers = api.provider_list(request)
        self.fields['provider_id'].choices = [(p.id, p.name)
                                              for p in self.providers]
        self.fields['provider_id'].initial = request.GET.get('provider')
        self.fields['checkpoint_id'].initial = request.GET.get('checkpoint')

    def handle(self, request, data):
        index = reverse('horizon:project:data_protection_verifications:'
                        'index')
        provider = next(p for p in self.providers
                        if p.id == data['provider_id'])
        try:
            checkpoint = api.checkpoint_get(request, provider.id,
                                            data['checkpoint_id'])
            verification = api.verification_create(
                request, provider.id, checkpoint.id,
                level_parameters(provider, checkpoint, data['level']))
        except Exception as e:
            common.handle(request, _('Unable to verify the checkpoint:'),
                          e, redirect=index)
            return False
        messages.success(request, _('Verification %s started.') %
                         verification.id)
        self.verification = verification
        return verification
