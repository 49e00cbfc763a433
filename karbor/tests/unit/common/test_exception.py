"""karbor.common.exception: codes, fault names, messages."""

import testtools

from karbor.common import exception


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


# The codes and fault names the API contract relies on.
EXPECTED = {
    exception.KarborException: (500, 'computeFault', False),
    exception.Invalid: (400, 'badRequest', True),
    exception.InvalidInput: (400, 'badRequest', True),
    exception.MalformedRequestBody: (400, 'badRequest', True),
    exception.InvalidParameterValue: (400, 'badRequest', True),
    exception.NotAuthorized: (403, 'forbidden', True),
    exception.PolicyNotAuthorized: (403, 'forbidden', True),
    exception.ProjectMismatch: (403, 'forbidden', True),
    exception.NotFound: (404, 'itemNotFound', True),
    exception.ServiceNotFound: (404, 'itemNotFound', True),
    exception.MarkerNotFound: (404, 'itemNotFound', True),
    exception.Conflict: (409, 'conflictingRequest', True),
    exception.ServiceUnavailable: (503, 'serviceUnavailable', True),
    exception.DBError: (500, 'computeFault', False),
}


class CodesTest(testtools.TestCase):

    def test_known_classes(self):
        for cls, expected in EXPECTED.items():
            self.assertEqual(expected, (cls.code, cls.fault_name, cls.safe),
                             cls.__name__)

    def test_every_subclass_is_consistent(self):
        # The API renders a fault under fault_name_for(code); a class whose
        # fault_name disagrees would answer under another name than it
        # declares. Classes added later are checked too.
        classes = [exception.KarborException] + list(
            all_subclasses(exception.KarborException))
        self.assertGreaterEqual(len(classes), len(EXPECTED))
        for cls in classes:
            self.assertIsInstance(cls.code, int, cls.__name__)
            self.assertTrue(400 <= cls.code <= 599, cls.__name__)
            self.assertEqual(exception.fault_name_for(cls.code),
                             cls.fault_name, cls.__name__)
            self.assertIsInstance(cls.safe, bool, cls.__name__)
            # Instantiable without kwargs: the message falls back.
            e = cls()
            self.assertIsInstance(e.message, str)
            self.assertNotEqual('', e.message, cls.__name__)

    def test_fault_name_for(self):
        for code, name in ((400, 'badRequest'), (401, 'unauthorized'),
                           (403, 'forbidden'), (404, 'itemNotFound'),
                           (405, 'badMethod'), (406, 'notAcceptable'),
                           (409, 'conflictingRequest'), (413, 'overLimit'),
                           (415, 'badMediaType'), (429, 'overLimit'),
                           (500, 'computeFault'), (501, 'notImplemented'),
                           (503, 'serviceUnavailable'),
                           # Codes without a name of their own.
                           (410, 'badRequest'), (422, 'badRequest'),
                           (502, 'computeFault'), (504, 'computeFault')):
            self.assertEqual(name, exception.fault_name_for(code), code)


class MessageTest(testtools.TestCase):

    def test_kwargs_fill_the_format(self):
        e = exception.ServiceNotFound(service_id=7)
        self.assertEqual('Service 7 could not be found.', e.message)
        self.assertEqual('Service 7 could not be found.', str(e))
        self.assertEqual({'service_id': 7}, e.kwargs)

    def test_format_with_several_kwargs(self):
        e = exception.ProjectMismatch(url_project='p1', token_project='p2')
        self.assertEqual(
            'The project in the URL (p1) is not the project of your token '
            '(p2); use /v1/p2/...', str(e))

    def test_inherited_format(self):
        self.assertEqual('Invalid input received: bad thing',
                         str(exception.InvalidInput(reason='bad thing')))
        self.assertEqual('Conflict: busy',
                         str(exception.Conflict(reason='busy')))

    def test_missing_kwargs_leave_the_format(self):
        e = exception.ServiceNotFound()
        self.assertEqual('Service %(service_id)s could not be found.',
                         e.message)
        e = exception.ServiceNotFound(other=1)
        self.assertEqual('Service %(service_id)s could not be found.',
                         e.message)

    def test_explicit_message_wins(self):
        e = exception.NotAuthorized(message='Authentication required.',
                                    reason='ignored')
        self.assertEqual('Authentication required.', str(e))
        self.assertEqual(403, e.code)

    def test_non_string_message(self):
        self.assertEqual('42', str(exception.KarborException(42)))

    def test_is_an_exception(self):
        self.assertRaises(exception.NotFound, self._raise,
                          exception.ServiceNotFound(service_id=1))
        self.assertRaises(exception.KarborException, self._raise,
                          exception.PolicyNotAuthorized(action='x'))

    @staticmethod
    def _raise(e):
        raise e
