"""Karbor's exceptions.

Every exception carries the HTTP status it maps to and the OpenStack fault
name used in error bodies, so the API has one place that turns any of them
into a response, whether it was raised in the API process or came back from
the protection service.
"""

from karbor.i18n import _


class KarborException(Exception):
    """Base of Karbor's exceptions; ``msg_fmt`` is filled from kwargs."""

    msg_fmt = _('An unknown error occurred.')
    code = 500
    fault_name = 'computeFault'
    # Whether the message may be shown to the API caller as it is.
    safe = False

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError, ValueError):
                message = self.msg_fmt
        self.message = str(message)
        super().__init__(self.message)

    def __str__(self):
        return self.message


class Invalid(KarborException):
    msg_fmt = _('Invalid request: %(reason)s')
    code = 400
    fault_name = 'badRequest'
    safe = True


class InvalidInput(Invalid):
    msg_fmt = _('Invalid input received: %(reason)s')


class MalformedRequestBody(Invalid):
    msg_fmt = _('Malformed request body: %(reason)s')


class InvalidParameterValue(Invalid):
    msg_fmt = _('%(reason)s')


class NotAuthenticated(KarborException):
    msg_fmt = _('Authentication required: send a valid X-Auth-Token.')
    code = 401
    fault_name = 'unauthorized'
    safe = True


class NotAuthorized(KarborException):
    msg_fmt = _('Not authorized.')
    code = 403
    fault_name = 'forbidden'
    safe = True


class PolicyNotAuthorized(NotAuthorized):
    msg_fmt = _("Policy doesn't allow %(action)s to be performed.")


class ProjectMismatch(NotAuthorized):
    msg_fmt = _('The project in the URL (%(url_project)s) is not the '
                'project of your token (%(token_project)s); use '
                '/v1/%(token_project)s/...')


class OtherProjectsObject(NotAuthorized):
    msg_fmt = _('%(kind)s %(object_id)s belongs to project %(owner)s; '
                '%(action)s it with a token of that project.')


class NotFound(KarborException):
    msg_fmt = _('Resource could not be found.')
    code = 404
    fault_name = 'itemNotFound'
    safe = True


class ServiceNotFound(NotFound):
    msg_fmt = _('Service %(service_id)s could not be found.')


class MarkerNotFound(NotFound):
    msg_fmt = _('Marker %(marker)s could not be found.')


class Conflict(KarborException):
    msg_fmt = _('Conflict: %(reason)s')
    code = 409
    fault_name = 'conflictingRequest'
    safe = True


class QuotaExceeded(KarborException):
    msg_fmt = _('%(reason)s')
    code = 413
    fault_name = 'overLimit'
    safe = True


class ServiceUnavailable(KarborException):
    msg_fmt = _('Service unavailable: %(reason)s')
    code = 503
    fault_name = 'serviceUnavailable'
    safe = True


class ProtectionServiceUnreachable(ServiceUnavailable):
    """Work could not be handed to the protection service (the cast
    failed); nothing of it runs."""
    msg_fmt = _('the protection service cannot be reached: %(reason)s; '
                'try again later')


class DBError(KarborException):
    msg_fmt = _('Database error: %(reason)s')


# HTTP status -> OpenStack fault name, for errors raised outside Karbor's
# own exceptions (webob, pecan routing, middleware).
FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    406: 'notAcceptable',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    429: 'overLimit',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}


def fault_name_for(code):
    return FAULT_NAMES.get(code, 'badRequest' if code < 500 else
                           'computeFault')


# Banks

class BankError(KarborException):
    msg_fmt = _('Bank error: %(reason)s')


class BankInvalidKey(BankError):
    msg_fmt = _('Invalid bank key %(key)r: %(reason)s')
    code = 400
    fault_name = 'badRequest'
    safe = True


class BankObjectNotFound(BankError):
    msg_fmt = _('Bank object %(key)s is missing')


class BankObjectCorrupt(BankError):
    msg_fmt = _('Bank object %(key)s is unreadable: %(reason)s')


class BankUnavailable(BankError):
    msg_fmt = _('Bank %(bank)s cannot be used: %(reason)s')


# Protection objects

class ProviderNotFound(NotFound):
    msg_fmt = _('Provider %(provider_id)s could not be found.')


class PlanNotFound(NotFound):
    msg_fmt = _('Plan %(plan_id)s could not be found.')


class CheckpointNotFound(NotFound):
    msg_fmt = _('Checkpoint %(checkpoint_id)s could not be found.')


class RestoreNotFound(NotFound):
    msg_fmt = _('Restore %(restore_id)s could not be found.')


class OperationLogNotFound(NotFound):
    msg_fmt = _('Operation log %(operation_log_id)s could not be found.')


class ProtectableTypeNotFound(NotFound):
    msg_fmt = _('Protectable type %(protectable_type)s could not be found.')


class ProtectableResourceNotFound(NotFound):
    msg_fmt = _('Resource %(resource_id)s of type %(resource_type)s could '
                'not be found.')


class InvalidState(Conflict):
    msg_fmt = _('%(reason)s')


class ProtectionPluginNotFound(KarborException):
    msg_fmt = _('No protection plugin of provider %(provider_id)s handles '
                'resource type %(resource_type)s.')
    code = 400
    fault_name = 'badRequest'
    safe = True


class ResourceGraphLoop(KarborException):
    msg_fmt = _('The resources depend on each other in a loop: %(resources)s')


class ProtectionFailed(KarborException):
    msg_fmt = _('%(reason)s')
    safe = True


class OperationEnded(KarborException):
    """A step of a flow found its operation ended already (by a recovery
    or an administrator's reset): it does not bring it back."""
    msg_fmt = _('%(what)s had already ended %(status)s; it is not run '
                'again')
    safe = True


class OperationInterrupted(KarborException):
    msg_fmt = _('%(reason)s')
    safe = True


class VerificationNotFound(NotFound):
    msg_fmt = _('Verification %(verification_id)s could not be found.')


class TriggerNotFound(NotFound):
    msg_fmt = _('Trigger %(trigger_id)s could not be found.')


class ScheduledOperationNotFound(NotFound):
    msg_fmt = _('Scheduled operation %(scheduled_operation_id)s could not '
                'be found.')
