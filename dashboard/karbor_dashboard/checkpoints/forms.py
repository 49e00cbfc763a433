from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from horizon import forms
from horizon import messages

from karbor_dashboard.api import karbor as api
from karbor_dashboard import common


class CreateCheckpointForm(forms.SelfHandlingForm):
    """Protect a plan now: a checkpoint in the plan's provider."""
    plan_id = forms.ChoiceField(label=_('Protection plan'))

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.plans = {p.id: p for p in api.plan_list(request)}
        wanted = request.GET.get('provider')
        self.fields['plan_id'].choices = [
            (p.id, p.name) for p in self.plans.values()
            if not wanted or p.provider_id == wanted]

    def handle(self, request, data):
        plan = self.plans[data['plan_id']]
        index = reverse('horizon:project:data_protection_checkpoints:index')
        try:
            checkpoint = api.checkpoint_create(request, plan.provider_id,
                                               plan.id)
        except Exception as e:
            common.handle(request, _('Unable to create the checkpoint:'), e,
                          redirect='%s?provider=%s' % (index,
                                                       plan.provider_id))
            return False
        messages.success(request, _('Checkpoint %(id)s of plan "%(name)s" '
                                    'is being created.') % {
            'id': checkpoint.id, 'name': plan.name})
        self.provider_id = plan.provider_id
        return checkpoint
