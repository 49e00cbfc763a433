"""Server side of the protection service's RPC API.

Every long operation arrives as a cast once the API has recorded it. The
manager claims it (records its host), builds the flow and runs it in a
bounded pool; whatever goes wrong before the flow runs still ends the
operation in ``error`` with a reason, never in a transient state.
"""

import threading

from futurist import ThreadPoolExecutor
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from taskflow import engines

from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.db import checkpoints as checkpoints_db
from karbor.db import operation_logs as operation_logs_db
from karbor.db import restores as restores_db
from karbor.db import verifications as verifications_db
from karbor.i18n import _
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection.clients import auth
from karbor.services.protection.clients import trusts
from karbor.services.protection.flows import delete as delete_flow
from karbor.services.protection.flows import protect as protect_flow
from karbor.services.protection.flows import restore as restore_flow
from karbor.services.protection.flows import verify as verify_flow
from karbor.services.protection import graph
from karbor.services.protection import log_context
from karbor.services.protection import protectables
from karbor.services.protection import provider as provider_module
from karbor.services.protection import recovery
from karbor.services.protection import rpcapi
from karbor.services.protection import waiter
from karbor import version

LOG = logging.getLogger(__name__)


# Per kind of operation: how its row is updated, the status it waits in,
# and how it ends in error with its log (one transaction, only if it is
# still waiting or running: a compare-and-set).
_KINDS = {
    constants.OPERATION_PROTECT: (
        checkpoints_db.checkpoint_update,
        constants.CHECKPOINT_STATUS_PROTECTING,
        lambda object_id, log_id, reason: checkpoints_db.checkpoint_end(
            object_id, constants.CHECKPOINT_STATUS_PROTECTING,
            constants.CHECKPOINT_STATUS_ERROR, log_id, reason)),
    constants.OPERATION_DELETE: (
        checkpoints_db.checkpoint_update,
        constants.CHECKPOINT_STATUS_DELETING,
        lambda object_id, log_id, reason: checkpoints_db.checkpoint_end(
            object_id, constants.CHECKPOINT_STATUS_DELETING,
            constants.CHECKPOINT_STATUS_ERROR_DELETING, log_id, reason)),
    constants.OPERATION_RESTORE: (
        restores_db.restore_update,
        constants.RESTORE_STATUS_IN_PROGRESS,
        lambda object_id, log_id, reason: restores_db.restore_end(
            object_id, constants.RESTORE_STATUS_FAILURE, log_id, reason)),
    constants.OPERATION_VERIFY: (
        verifications_db.verification_update,
        constants.VERIFICATION_STATUS_VERIFYING,
        lambda object_id, log_id, reason: verifications_db.verification_end(
            object_id, constants.VERIFICATION_STATUS_ERROR, log_id,
            reason)),
}


class ProtectionManager:
    """The RPC endpoint of karbor-protection."""

    target = messaging.Target(version=rpcapi.RPC_API_VERSION)

    def __init__(self, host=None):
        self.host = host or cfg.CONF.host
        self.executor = None
        self._stop = threading.Event()
        self._recovery_thread = None

    def init_host(self):
        """Called once before the RPC server starts consuming."""
        conf = cfg.CONF
        self.providers = provider_module.get_registry(check_banks=True)
        recovery.fail_interrupted(self.host)
        try:
            # Loaded now so that a broken [service_user] shows at start.
            auth.service_user(conf)
        except auth.ServiceUserFailed as e:
            LOG.error('%s; operations on Cinder, Glance and Nova will fail '
                      'until it is fixed', e)
        self.executor = ThreadPoolExecutor(
            max_workers=conf.protection.max_concurrent_operations)
        # The steps of every running flow share one pool: a pool per flow
        # would cost its start and shutdown on every operation.
        self.task_executor = ThreadPoolExecutor(
            max_workers=conf.protection.max_concurrent_operations *
            conf.protection.operation_threads)
        self._recovery_thread = threading.Thread(
            target=self._recovery_loop, name='recovery', daemon=True)
        self._recovery_thread.start()
        LOG.info('Protection manager ready on host %s with providers: %s',
                 self.host, ', '.join(p.name for p in self.providers.list())
                 or 'none')

    def cleanup_host(self):
        self._stop.set()
        # Work that flows wait for (Cinder backups, ...) ends first, in
        # error: the flows then end too, rather than hold the shutdown.
        waiter.stop(_('the protection service on %s stopped') % self.host)
        if self.executor is not None:
            self.executor.shutdown(wait=True)
            self.task_executor.shutdown(wait=True)
        LOG.info('Protection manager on host %s stopped', self.host)

    def _recovery_loop(self):
        while not self._stop.wait(cfg.CONF.protection.recovery_interval):
            try:
                recovery.fail_orphans()
            except Exception:
                LOG.exception('Looking for orphaned operations failed')

    # Quick questions

    def ping(self, context, payload=None):
        return {'host': self.host,
                'version': version.version_string(),
                'payload': payload}

    # Long operations

    def _claim_log(self, operation_log_id):
        if not operation_logs_db.operation_log_claim(operation_log_id,
                                                     self.host):
            LOG.warning('Operation log %s had already ended; not claimed',
                        operation_log_id)

    def _run(self, context, name, flow, store, fail):
        """Compile the flow now (errors reach the caller), run it later.

        The first task of every flow records a failure itself; ``fail``
        is the last resort if even that could not happen, and it changes
        only a record still in its transient state. Every step logs with
        the operation's context (request id, user).
        """
        context = karbor_context.RequestContext.from_dict(
            store[constants.STORE_CONTEXT], overwrite=False)
        engine = engines.load(
            flow, store=store, engine='parallel',
            executor=log_context.ContextExecutor(self.task_executor,
                                                 context))
        engine.compile()
        engine.prepare()
        engine.validate()

        def run():
            try:
                engine.run()
            except Exception as e:
                LOG.warning('%s ended in error: %s', name, e)
                try:
                    fail(str(e))
                except Exception:
                    LOG.exception('Could not record the failure of %s', name)
            finally:
                trusts.release(context)
        self.executor.submit(log_context.bound(run, context))

    def _start(self, context, kind, object_id, operation_log_id, what,
               build):
        """Claim the operation, build its flow with ``build(row)`` and run
        it; any failure before the flow runs ends the operation and its log
        in error with a reason."""
        update, waiting, end_failed = _KINDS[kind]
        # Taken: no longer "waiting: no protection service is up" (the
        # API's note on work it queued while none was).
        row = update(object_id, {'host': self.host, 'status_reason': None},
                     expected={'status': [waiting], 'host': [None]})
        if row is None:
            LOG.info('%s is no longer waiting; ignored', what)
            return
        self._claim_log(operation_log_id)

        def fail(reason):
            # The object and its log together; only what is still
            # running changes.
            if not end_failed(object_id, operation_log_id, reason):
                LOG.warning('%s had already ended; its failure (%s) is not '
                            'recorded', what, reason)

        try:
            flow, store = build(row)
            store.update({
                constants.STORE_CONTEXT: context.to_dict(),
                constants.STORE_PROVIDER_ID: row.provider_id,
                constants.STORE_OPERATION_LOG_ID: operation_log_id,
            })
            self._run(context, what, flow, store, fail)
        except Exception as e:
            LOG.exception('%s could not start', what)
            fail('%s could not start: %s' % (
                what, str(e) or e.__class__.__name__))
            trusts.release(context)

    def _sources(self, checkpoint_id):
        """The resource graph a checkpoint recorded."""
        checkpoint = checkpoints_db.checkpoint_get(checkpoint_id)
        try:
            return graph.deserialize(checkpoint.resource_graph)
        except (TypeError, ValueError, KeyError) as e:
            raise exception.ProtectionFailed(
                reason='the resource graph of checkpoint %s is unreadable '
                       '(%s)' % (checkpoint_id, e))

    def protect(self, context, checkpoint_id, operation_log_id):
        def build(row):
            provider = self.providers.get(row.provider_id)
            plan = row.protection_plan
            resources = [graph.make_resource(r['type'], r['id'],
                                             r.get('name'),
                                             r.get('extra_info'))
                         for r in plan.get('resources', [])]
            registry = protectables.get_registry()
            sources = graph.build_graph(
                resources, lambda r: registry.dependents(context, r))
            for node in graph.iter_nodes(sources):
                provider.plugin_for(node.value.type)
            checkpoint = checkpoint_module.Checkpoint(provider.bank,
                                                      checkpoint_id)
            checkpoint.write_index({
                'id': checkpoint_id,
                'status': constants.CHECKPOINT_STATUS_PROTECTING,
                'project_id': row.project_id,
                'provider_id': row.provider_id,
                'protection_plan': plan,
                'resource_graph': graph.pack(sources),
                'extra_info': row.extra_info,
                'created_at': row.created_at.isoformat(),
            })
            if checkpoints_db.checkpoint_update(
                    checkpoint_id,
                    {'resource_graph': graph.serialize(sources)},
                    expected={'status': [
                        constants.CHECKPOINT_STATUS_PROTECTING]}) is None:
                raise exception.OperationEnded(
                    what='checkpoint %s' % checkpoint_id,
                    status=checkpoints_db.checkpoint_get(
                        checkpoint_id).status)
            return protect_flow.get_flow(provider, checkpoint_id, sources), {
                constants.STORE_CHECKPOINT_ID: checkpoint_id,
                constants.STORE_PARAMETERS: plan.get('parameters') or {}}

        self._start(context, constants.OPERATION_PROTECT, checkpoint_id,
                    operation_log_id, 'Protect of checkpoint %s' %
                    checkpoint_id, build)

    def delete(self, context, checkpoint_id, operation_log_id):
        def build(row):
            provider = self.providers.get(row.provider_id)
            sources = (graph.deserialize(row.resource_graph)
                       if row.resource_graph else [])
            return delete_flow.get_flow(provider, checkpoint_id, sources), {
                constants.STORE_CHECKPOINT_ID: checkpoint_id,
                constants.STORE_PARAMETERS: {}}

        self._start(context, constants.OPERATION_DELETE, checkpoint_id,
                    operation_log_id, 'Delete of checkpoint %s' %
                    checkpoint_id, build)

    def restore(self, context, restore_id, operation_log_id,
                restore_auth=None):
        def build(row):
            provider = self.providers.get(row.provider_id)
            sources = self._sources(row.checkpoint_id)
            return restore_flow.get_flow(provider, restore_id, sources), {
                constants.STORE_CHECKPOINT_ID: row.checkpoint_id,
                constants.STORE_RESTORE_ID: restore_id,
                constants.STORE_PARAMETERS: row.parameters or {}}

        self._start(context, constants.OPERATION_RESTORE, restore_id,
                    operation_log_id, 'Restore %s' % restore_id, build)

    def verify(self, context, verification_id, operation_log_id):
        def build(row):
            provider = self.providers.get(row.provider_id)
            sources = self._sources(row.checkpoint_id)
            flow = verify_flow.get_flow(provider, verification_id, sources,
                                        cfg.CONF.protection.verify_threads)
            return flow, {
                constants.STORE_CHECKPOINT_ID: row.checkpoint_id,
                constants.STORE_VERIFICATION_ID: verification_id,
                constants.STORE_PARAMETERS: row.parameters or {}}

        self._start(context, constants.OPERATION_VERIFY, verification_id,
                    operation_log_id, 'Verification %s' % verification_id,
                    build)
