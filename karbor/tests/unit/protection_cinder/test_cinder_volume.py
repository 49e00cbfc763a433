"""The Cinder volume protection and protectable plugins, against the
in-test fake client of :mod:`fake_cinder` ONLY (no Cinder runs here), over
a real file-system bank. The same plugins against a real Cinder:
karbor/tests/functional/test_cinder_volume.py."""

from concurrent import futures
import socket

from cinderclient import exceptions as cinder_exc
import fixtures
from oslo_config import cfg
import testtools

from karbor.common import constants
from karbor.common import context as karbor_context
from karbor.common import exception
from karbor.services.protection import bank_plugin
from karbor.services.protection import checkpoint as checkpoint_module
from karbor.services.protection import graph
from karbor.services.protection import waiter
from karbor.services.protection.bank_plugins import file_system
from karbor.services.protection import clients
from karbor.services.protection.clients import auth
from karbor.services.protection.clients import cinder
from karbor.services.protection.protectable_plugins import \
    cinder_volume as protectable
from karbor.services.protection.protection_plugins import cinder_volume
from karbor.tests import base
from karbor.tests.unit.protection_cinder import fake_cinder

TYPE = cinder_volume.RESOURCE_TYPE


class FakeClock:
    """Time that moves only when the waiter sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class InlineWaiter:
    """The waiter's looks at a job, in the calling thread, on a FakeClock:
    the future it returns is already resolved."""

    def __init__(self, clock):
        self.clock = clock

    def watch(self, job, interval, timeout):
        entry = waiter.Entry(job, interval, timeout, self.clock())
        while True:
            following = waiter.look(entry, self.clock())
            if following is None:
                return entry.future
            self.clock.sleep(following - self.clock())


class PluginTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.fake = fake_cinder.FakeCinder()
        self.clock = FakeClock()
        self.plugin = self.make_plugin()
        bank_conf = cfg.ConfigOpts()
        bank = bank_plugin.Bank(file_system.FileSystemBankPlugin(
            bank_conf, default_path=self.state_path + '/bank'))
        self.checkpoint = checkpoint_module.Checkpoint(
            bank, '6b1d1a3e-9f7c-4f5e-8a51-0c2d7e1f3a44')
        self.ctx = karbor_context.RequestContext(user_id='u1',
                                                 project_id='p1')

    def make_plugin(self, **values):
        conf = cfg.ConfigOpts()
        conf.register_opts(cinder_volume.opts, group=cinder_volume.GROUP)
        for name, value in values.items():
            conf.set_override(name, value, group=cinder_volume.GROUP)
        conf([], project='karbor', default_config_files=[])
        return cinder_volume.CinderVolumeProtectionPlugin(
            conf, client_factory=lambda context: self.fake,
            waiter=InlineWaiter(self.clock))

    def resource(self, volume):
        return graph.Resource(TYPE, volume.id, volume.name, {})

    def section(self, resource):
        return self.checkpoint.resource_section(resource)

    def metadata(self, resource):
        return self.section(resource).get_json(
            constants.BANK_RESOURCE_METADATA)

    def run_op(self, kind, resource, parameters=None, **kwargs):
        operation = getattr(self.plugin, 'get_%s_operation' % kind)(resource)
        result = operation.on_main(self.checkpoint, resource, self.ctx,
                                   parameters or {}, **kwargs)
        if isinstance(result, futures.Future):
            return result.result(timeout=0)
        return result

    def protected(self, **volume_fields):
        volume = self.fake.add_volume(**volume_fields)
        resource = self.resource(volume)
        self.run_op('protect', resource)
        return volume, resource

    def assertFails(self, reason, kind, resource, **kwargs):
        error = self.assertRaises(exception.ProtectionFailed, self.run_op,
                                  kind, resource, **kwargs)
        self.assertEqual(reason, str(error))
        return error


class ProtectTest(PluginTestCase):

    def test_available_volume_backed_up_directly(self):
        volume, resource = self.protected(size=1)
        self.assertIn(('backups.create', volume.id, None, True),
                      self.fake.calls)
        self.assertNotIn('snapshots.create', [c[0] for c in self.fake.calls])
        record = self.metadata(resource)
        backup = self.fake.backups.items[record['backup_id']]
        self.assertEqual('available', backup.status)
        self.assertEqual(1, record['size'])
        self.assertEqual(volume.id, record['volume_id'])
        self.assertEqual(backup.id, record['backup']['id'])
        self.assertEqual('c1', record['backup']['container'])
        self.assertEqual(self.checkpoint.id, record['backup']['metadata']
                         ['karbor_checkpoint_id'])

    def test_run_again_finds_the_backup_made(self):
        # A protect resumed on another worker runs the hook again: the
        # backup the first run made (or is making) is found by its name,
        # not made again.
        volume, resource = self.protected(size=1)
        first = self.metadata(resource)['backup_id']
        self.run_op('protect', resource)
        self.assertEqual(1, [c[0] for c in self.fake.calls].count(
            'backups.create'))
        self.assertEqual(first, self.metadata(resource)['backup_id'])
        self.assertEqual('available',
                         self.fake.backups.items[first].status)

    def test_run_again_after_a_failed_backup_makes_a_new_one(self):
        volume, resource = self.protected(size=1)
        first = self.metadata(resource)['backup_id']
        self.fake.backups.items[first].status = 'error'
        self.run_op('protect', resource)
        self.assertEqual(2, [c[0] for c in self.fake.calls].count(
            'backups.create'))
        self.assertNotEqual(first, self.metadata(resource)['backup_id'])

    def test_run_again_of_an_in_use_volume_reuses_its_snapshot(self):
        volume = self.fake.add_volume(size=1, status='in-use')
        resource = self.resource(volume)
        operation = self.plugin.get_protect_operation(resource)
        # The first run dies after its snapshot was made, before a backup.
        job = cinder_volume._BackupJob(
            self.fake, self.checkpoint, self.section(resource), volume)
        job.start()
        snapshot_id = job.snapshot_id
        self.assertIsNone(job.backup_id)
        result = operation.on_main(self.checkpoint, resource, self.ctx, {})
        if isinstance(result, futures.Future):
            result.result(timeout=0)
        self.assertEqual(1, [c[0] for c in self.fake.calls].count(
            'snapshots.create'))
        self.assertEqual(snapshot_id,
                         self.metadata(resource)['snapshot_id'])

    def test_polls_with_the_interval_and_does_not_spin(self):
        self.plugin = self.make_plugin(poll_interval=0.5)
        self.protected()
        # creating, creating, available: two sleeps between three looks
        self.assertEqual([0.5, 0.5], self.clock.sleeps)

    def test_in_use_volume_backed_up_from_a_snapshot(self):
        volume, resource = self.protected(
            status='in-use', attachments=[{'server_id': 's1'}])
        snapshot_ids = [c[1] for c in self.fake.calls
                        if c[0] == 'snapshots.delete']
        self.assertEqual(1, len(snapshot_ids))
        self.assertIn(('backups.create', volume.id, snapshot_ids[0], True),
                      self.fake.calls)
        self.assertEqual(snapshot_ids[0],
                         self.metadata(resource)['snapshot_id'])

    def test_backup_in_error_fails_with_cinder_reason(self):
        self.fake.backup_steps = ['creating', 'error']
        self.fake.backup_fail_reason = 'disk full'
        volume = self.fake.add_volume()
        resource = self.resource(volume)
        error = self.assertRaises(exception.ProtectionFailed, self.run_op,
                                  'protect', resource)
        self.assertIn('went to status error: disk full', str(error))
        # the backup id is recorded, so that delete can remove it
        self.assertIn(self.metadata(resource)['backup_id'],
                      self.fake.backups.items)

    def test_backup_that_never_ends_times_out(self):
        self.plugin = self.make_plugin(backup_timeout=10, poll_interval=1)
        self.fake.backup_steps = ['creating'] * 1000
        volume = self.fake.add_volume()
        error = self.assertRaises(cinder_volume.Timeout, self.run_op,
                                  'protect', self.resource(volume))
        self.assertIn('still creating after 10 s', str(error))
        self.assertLessEqual(len(self.clock.sleeps), 11)

    def test_snapshot_dropped_even_when_backup_fails(self):
        self.fake.backup_steps = ['error']
        volume = self.fake.add_volume(status='in-use')
        self.assertRaises(exception.ProtectionFailed, self.run_op,
                          'protect', self.resource(volume))
        self.assertIn('snapshots.delete', [c[0] for c in self.fake.calls])

    def test_snapshot_in_error_dropped_and_no_backup(self):
        self.fake.snapshot_steps = ['error']
        volume = self.fake.add_volume(status='in-use')
        error = self.assertRaises(exception.ProtectionFailed, self.run_op,
                                  'protect', self.resource(volume))
        self.assertIn('snapshot', str(error))
        kinds = [c[0] for c in self.fake.calls]
        self.assertIn('snapshots.delete', kinds)
        self.assertNotIn('backups.create', kinds)

    def test_missing_volume(self):
        resource = graph.Resource(TYPE, 'nope', 'x', {})
        self.assertFails('volume nope not found in Cinder', 'protect',
                         resource)

    def test_volume_in_error_refused(self):
        volume = self.fake.add_volume(status='error')
        error = self.assertRaises(exception.ProtectionFailed, self.run_op,
                                  'protect', self.resource(volume))
        self.assertIn('is error', str(error))

    def test_cinder_down(self):
        volume = self.fake.add_volume()
        self.fake.down = True
        error = self.assertRaises(cinder.CinderUnavailable, self.run_op,
                                  'protect', self.resource(volume))
        self.assertEqual(503, error.code)
        self.assertTrue(str(error).startswith('Cinder is unavailable: '),
                        str(error))
        # Where it runs is for the log, not for the project user.
        self.assertNotIn(fake_cinder.URL, str(error))


class RestoreTest(PluginTestCase):

    def test_new_volume_from_the_backup(self):
        volume, resource = self.protected(name='data')
        new_resources = {}
        self.run_op('restore', resource, new_resources=new_resources)
        new_id = new_resources[volume.id]
        self.assertNotEqual(volume.id, new_id)
        new = self.fake.volumes.items[new_id]
        self.assertEqual('available', new.status)
        self.assertEqual('data-restored', new.name)
        self.assertIn(('restores.restore', self.metadata(resource)
                       ['backup_id'], 'data-restored'), self.fake.calls)

    def test_name_parameter(self):
        volume, resource = self.protected()
        new_resources = {}
        self.run_op('restore', resource, {'name': 'back'},
                    new_resources=new_resources)
        self.assertEqual('back',
                         self.fake.volumes.items[new_resources[volume.id]]
                         .name)

    def test_restored_volume_in_error(self):
        volume, resource = self.protected()
        self.fake.restore_steps = ['restoring-backup', 'error_restoring']
        error = self.assertRaises(exception.ProtectionFailed, self.run_op,
                                  'restore', resource, new_resources={})
        self.assertIn('went to status error_restoring', str(error))

    def test_backup_gone(self):
        volume, resource = self.protected()
        backup_id = self.metadata(resource)['backup_id']
        del self.fake.backups.items[backup_id]
        self.assertFails('backup %s not found' % backup_id, 'restore',
                         resource, new_resources={})


class DeleteTest(PluginTestCase):

    def test_deletes_the_backup_and_waits(self):
        volume, resource = self.protected()
        backup_id = self.metadata(resource)['backup_id']
        self.run_op('delete', resource)
        self.assertNotIn(backup_id, self.fake.backups.items)
        self.assertIn(('backups.delete', backup_id), self.fake.calls)

    def test_backup_already_gone(self):
        volume, resource = self.protected()
        self.fake.backups.items.clear()
        self.run_op('delete', resource)

    def test_nothing_recorded(self):
        resource = graph.Resource(TYPE, 'v', 'v', {})
        self.run_op('delete', resource)
        self.assertEqual([], self.fake.calls)

    def test_delete_that_fails(self):
        volume, resource = self.protected()
        self.fake.delete_steps = ['error_deleting']
        error = self.assertRaises(exception.ProtectionFailed, self.run_op,
                                  'delete', resource)
        self.assertIn('error_deleting', str(error))


class VerifyTest(PluginTestCase):
    """Every failure has a reason of its own."""

    def setUp(self):
        super().setUp()
        self.volume, self.res = self.protected(size=2)
        self.backup_id = self.metadata(self.res)['backup_id']

    def test_success(self):
        self.run_op('verify', self.res, {'level': 'quick'})

    def test_metadata_missing(self):
        self.section(self.res).delete_object(
            constants.BANK_RESOURCE_METADATA)
        error = self.assertRaises(exception.ProtectionFailed, self.run_op,
                                  'verify', self.res)
        self.assertIn('is missing from the bank', str(error))

    def test_metadata_unreadable(self):
        self.section(self.res).put_object(constants.BANK_RESOURCE_METADATA,
                                          b'{not json')
        error = self.assertRaises(exception.ProtectionFailed, self.run_op,
                                  'verify', self.res)
        self.assertIn('cannot be read', str(error))

    def test_metadata_without_backup(self):
        self.section(self.res).put_json(constants.BANK_RESOURCE_METADATA,
                                        {'volume_id': self.volume.id})
        error = self.assertRaises(exception.ProtectionFailed, self.run_op,
                                  'verify', self.res)
        self.assertIn('records no backup id', str(error))

    def test_backup_not_found(self):
        del self.fake.backups.items[self.backup_id]
        self.assertFails('backup %s not found' % self.backup_id, 'verify',
                         self.res)

    def test_backup_in_error(self):
        self.fake.backups.items[self.backup_id].status = 'error'
        self.assertFails('backup status is error', 'verify', self.res)

    def test_size_changed(self):
        self.fake.backups.items[self.backup_id].size = 5
        self.assertFails('backup %s size is 5 GiB, 2 GiB recorded' %
                         self.backup_id, 'verify', self.res)

    def test_cinder_down(self):
        self.fake.down = True
        error = self.assertRaises(cinder.CinderUnavailable, self.run_op,
                                  'verify', self.res)
        self.assertIn('Cinder is unavailable', str(error))

    def test_schemas(self):
        self.assertIn('level', self.plugin.get_verify_schema(TYPE)
                      ['properties'])
        self.assertIn('name', self.plugin.get_restore_schema(TYPE)
                      ['properties'])


class WaitTest(testtools.TestCase):

    def test_backup_that_stays_deleting_times_out(self):
        clock = FakeClock()
        backup = fake_cinder.Obj(status='deleting')

        class Backups:
            def get(self, backup_id):
                return backup

        class Client:
            backups = Backups()

        future = InlineWaiter(clock).watch(
            cinder_volume._BackupGoneJob(Client(), 'b1'), 1, 5)
        error = self.assertRaises(cinder_volume.Timeout, future.result, 0)
        self.assertEqual('backup b1 still deleting after 5 s', str(error))
        self.assertEqual([1] * 5, clock.sleeps)


class ProtectableTest(base.TestCase):
    """The protectable plugin over the fake client."""

    def setUp(self):
        super().setUp()
        self.fake = fake_cinder.FakeCinder()
        self.useFixture(fixtures.MockPatchObject(
            cinder, 'client', lambda context, conf=None: self.fake))
        self.conf.config(endpoint_override=fake_cinder.URL, group='cinder')
        self.plugin = protectable.CinderVolumeProtectable(cfg.CONF)
        self.ctx = karbor_context.RequestContext(user_id='u1',
                                                 project_id='p1')

    def test_type_and_parents(self):
        self.assertEqual(TYPE, self.plugin.get_resource_type())
        self.assertEqual({'OS::Nova::Server', 'OS::Keystone::Project'},
                         set(self.plugin.get_parent_resource_types()))

    def test_list_and_show(self):
        a = self.fake.add_volume(size=3, name='a')
        self.fake.add_volume(status='deleting')
        listed = self.plugin.list_resources(self.ctx)
        self.assertEqual([a.id], [r.id for r in listed])
        shown = self.plugin.show_resource(self.ctx, a.id)
        self.assertEqual((TYPE, a.id, 'a'), shown[:3])
        self.assertEqual(3, shown.extra_info['size'])

    def test_show_missing(self):
        error = self.assertRaises(exception.ProtectableResourceNotFound,
                                  self.plugin.show_resource, self.ctx, 'nope')
        self.assertEqual(404, error.code)

    def test_dependents(self):
        attached = self.fake.add_volume(attachments=[{'server_id': 's1'}])
        other = self.fake.add_volume()
        server = graph.Resource('OS::Nova::Server', 's1', 'srv', {})
        self.assertEqual([attached.id], [
            r.id for r in self.plugin.get_dependent_resources(self.ctx,
                                                              server)])
        project = graph.Resource('OS::Keystone::Project', 'p1', '', {})
        self.assertEqual({attached.id, other.id}, {
            r.id for r in self.plugin.get_dependent_resources(self.ctx,
                                                              project)})
        elsewhere = graph.Resource('OS::Keystone::Project', 'p2', '', {})
        self.assertEqual([], self.plugin.get_dependent_resources(self.ctx,
                                                                 elsewhere))

    def test_cinder_down(self):
        self.fake.down = True
        error = self.assertRaises(cinder.CinderUnavailable,
                                  self.plugin.list_resources, self.ctx)
        self.assertEqual(503, error.code)


class ClientTest(base.TestCase):
    """The client wrapper itself; the unreachable Cinder is a closed port
    on 127.0.0.1, nothing is faked."""

    def closed_port(self):
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
        return port

    def test_endpoint_from_conf_with_project(self):
        self.conf.config(endpoint_override='http://h:8776/v3/%(project_id)s/',
                         group='cinder')
        ctx = karbor_context.RequestContext(user_id='u', project_id='abc')
        self.assertEqual('http://h:8776/v3/abc',
                         clients.connect(ctx, cinder.GROUP)[1])

    def test_endpoint_from_catalog(self):
        ctx = karbor_context.RequestContext(
            user_id='u', project_id='abc', service_catalog=[
                {'type': 'block-storage', 'endpoints': [
                    {'interface': 'public', 'url': 'http://c/v3/abc'}]}])
        self.assertEqual('http://c/v3/abc',
                         clients.connect(ctx, cinder.GROUP)[1])

    def test_endpoint_from_catalog_v2_form(self):
        """As keystonemiddleware gives it: publicURL, internalURL; the
        internal one first, by default, and Cinder's old type volumev3."""
        ctx = karbor_context.RequestContext(
            user_id='u', project_id='abc', service_catalog=[
                {'type': 'volumev3', 'endpoints': [
                    {'region': 'R1', 'publicURL': 'http://pub/v3/abc',
                     'internalURL': 'http://int/v3/abc'}]}])
        self.assertEqual('http://int/v3/abc',
                         clients.connect(ctx, cinder.GROUP)[1])
        self.conf.config(valid_interfaces=['public'], group='cinder')
        self.assertEqual('http://pub/v3/abc',
                         clients.connect(ctx, cinder.GROUP)[1])
        self.conf.config(region_name='R2', group='cinder')
        e = self.assertRaises(clients.EndpointNotFound, clients.connect,
                              ctx, cinder.GROUP)
        self.assertIn('[cinder] endpoint_override', str(e))

    def test_token(self):
        self.assertEqual('u:p', auth.caller_token(
            karbor_context.RequestContext(user_id='u', project_id='p')))
        self.assertEqual('tok', auth.caller_token(
            karbor_context.RequestContext(user_id='u', project_id='p',
                                          auth_token='tok')))

    def test_unreachable(self):
        url = 'http://127.0.0.1:%d/v3' % self.closed_port()
        self.conf.config(endpoint_override=url, timeout=5, group='cinder')
        logs = self.useFixture(fixtures.FakeLogger())
        ctx = karbor_context.RequestContext(user_id='u', project_id='p')
        error = self.assertRaises(cinder.CinderUnavailable,
                                  cinder.client(ctx).volumes.list)
        self.assertEqual(503, error.code)
        self.assertEqual('Cinder is unavailable: it cannot be reached',
                         str(error))
        self.assertIn('Cinder at %s failed' % url, logs.output)

    def test_refused_token(self):
        url = 'http://cinder.example/v3'

        def refuse():
            with cinder.translate_errors(url):
                raise cinder_exc.Unauthorized(401)
        error = self.assertRaises(auth.TokenRefused, refuse)
        self.assertEqual(401, error.code)
        self.assertEqual(
            "Cinder refused the caller's token (expired or revoked); "
            "configure Karbor's service user in [service_user] (auth_type "
            "and its credentials), so that operations act through a "
            "Keystone trust (delegate_with_trusts) or send its token beside "
            "the caller's (send_service_user_token), and outlive the "
            "caller's token", str(error))
        # With a service user that sends its token, nothing to configure.
        self.conf.config(send_service_user_token=True, auth_type='password',
                         group='service_user')
        error = self.assertRaises(auth.TokenRefused, refuse)
        self.assertEqual("Cinder refused the caller's token (expired or "
                         "revoked)", str(error))


class NoCinderTest(base.TestCase):
    """Without a Cinder endpoint (nothing configured, no catalog), no
    volume depends on a server or project: other types' plans still
    work."""

    def test_no_dependents_without_endpoint(self):
        plugin = protectable.CinderVolumeProtectable(cfg.CONF)
        ctx = karbor_context.RequestContext(user_id='u1', project_id='p1')
        server = graph.Resource('OS::Nova::Server', 's1', 'srv', {})
        self.assertEqual([], plugin.get_dependent_resources(ctx, server))
        self.assertRaises(exception.KarborException, plugin.list_resources,
                          ctx)
