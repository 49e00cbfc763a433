"""oslo.messaging transport, client and server set-up.

Every process calls :func:`init` once; the context of the caller travels
with each message.
"""

from oslo_config import cfg
import oslo_messaging as messaging

from karbor.common import context as karbor_context

TRANSPORT = None

# The embedded default talks to itself: oslo.messaging's in-memory driver
# with listeners woken by each message (karbor.common.in_process_transport).
IN_PROCESS_TRANSPORT_URL = 'karbor-in-process:/'


class RequestContextSerializer(messaging.Serializer):
    """Plain JSON payloads; the context as a dict."""

    def serialize_entity(self, ctxt, entity):
        return entity

    def deserialize_entity(self, ctxt, entity):
        return entity

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return karbor_context.RequestContext.from_dict(context)


def init(conf=cfg.CONF):
    global TRANSPORT
    if TRANSPORT is None:
        TRANSPORT = messaging.get_rpc_transport(conf)
    return TRANSPORT


def cleanup():
    global TRANSPORT
    if TRANSPORT is not None:
        TRANSPORT.cleanup()
    TRANSPORT = None


def get_client(target, version_cap=None):
    return messaging.get_rpc_client(init(), target,
                                    version_cap=version_cap,
                                    serializer=RequestContextSerializer())


def get_server(target, endpoints):
    return messaging.get_rpc_server(init(), target, endpoints,
                                    executor='threading',
                                    serializer=RequestContextSerializer())
