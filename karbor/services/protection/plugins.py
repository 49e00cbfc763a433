"""Plugin classes, loaded once through stevedore and cached."""

import threading

from stevedore import driver

from karbor.common import exception

BANK_NAMESPACE = 'karbor.banks'
PROTECTION_NAMESPACE = 'karbor.protections'
PROTECTABLE_NAMESPACE = 'karbor.protectables'

_CACHE = {}
_LOCK = threading.Lock()


def load_class(namespace, name):
    key = (namespace, name)
    with _LOCK:
        if key not in _CACHE:
            try:
                manager = driver.DriverManager(namespace, name,
                                               invoke_on_load=False)
            except Exception as e:
                raise exception.InvalidInput(
                    reason='no plugin %r in %s (%s)' % (name, namespace, e))
            _CACHE[key] = manager.driver
        return _CACHE[key]


def all_classes(namespace):
    from stevedore import extension
    manager = extension.ExtensionManager(namespace, invoke_on_load=False)
    return {ext.name: ext.plugin for ext in manager}
