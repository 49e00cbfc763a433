import json

from django import forms as django_forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import forms
from horizon import messages

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common
from karbor_dashboard import schema_fields


def resource_choices(request):
    """Every protectable instance, by type, with its dependents named."""
    choices = []
    for rtype in sorted(api.protectable_types(request)):
        for inst in api.protectable_instances(request, rtype):
            name = getattr(inst, 'name', None) or inst.id
            label = '%s: %s' % (rtype, name)
            deps = getattr(inst, 'dependent_resources', None) or []
            if deps:
                label += ' (%s)' % ', '.join(
                    '%s %s' % (d.get('type'), d.get('name') or d.get('id'))
                    for d in deps)
            value = json.dumps({'type': rtype, 'id': inst.id,
                                'name': name})
            choices.append((value, label))
    return choices


class CreatePlanForm(forms.SelfHandlingForm):
    name = forms.CharField(label=_('Name'), max_length=255)
    description = forms.CharField(label=_('Description'), required=False,
                                  max_length=255)
    provider_id = forms.ChoiceField(label=_('Provider'))
    resources = forms.MultipleChoiceField(
        label=_('Resources'), widget=django_forms.CheckboxSelectMultiple,
        help_text=_('What the plan protects: the protectable resources of '
                    'the project, by type.'))

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        providers = api.provider_list(request)
        self.fields['provider_id'].choices = [(p.id, p.name)
                                              for p in providers]
        chosen = (self.data.get('provider_id') or
                  request.GET.get('provider') or
                  (providers[0].id if providers else None))
        self.fields['provider_id'].initial = chosen
        self.fields['resources'].choices = resource_choices(request)
        provider = next((p for p in providers if p.id == chosen), None)
        info = getattr(provider, 'extended_info_schema', None) or {}
        schema_fields.add_fields(self, 'options',
                                 info.get('options_schema'))

    def handle(self, request, data):
        resources = [json.loads(r) for r in data['resources']]
        types = {r['type'] for r in resources}
        parameters = schema_fields.values(self, data, types)
        try:
            plan = api.plan_create(request, data['name'],
                                   data['provider_id'], resources,
                                   parameters,
                                   description=data['description'] or None)
        except Exception as e:
            common.handle(request, _('Unable to create the plan:'), e,
                          redirect=reverse(
                              'horizon:project:data_protection_plans:index'))
            return False
        messages.success(request, _('Protection plan "%s" created.') %
                         plan.name)
        return plan


class UpdatePlanForm(forms.SelfHandlingForm):
    plan_id = forms.CharField(widget=forms.HiddenInput())
    name = forms.CharField(label=_('Name'), max_length=255)
    description = forms.CharField(label=_('Description'), required=False,
                                  max_length=255)

    def handle(self, request, data):
        try:
            plan = api.plan_update(request, data['plan_id'], {
                'name': data['name'],
                'description': data['description']})
        except Exception as e:
            common.handle(request, _('Unable to update the plan:'), e,
                          redirect=reverse(
                              'horizon:project:data_protection_plans:index'))
            return False
        messages.success(request, _('Protection plan "%s" updated.') %
                         data['name'])
        return plan
