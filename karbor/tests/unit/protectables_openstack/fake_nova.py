"""A fake of Nova's compute API v2.1, for the unit tests ONLY.

A real ``http.server`` on 127.0.0.1 (an ephemeral port, a thread) that
answers ``GET /servers/detail`` (with ``limit``/``marker`` paging and
``servers_links``) and ``GET /servers/<id>`` with JSON shaped like Nova's,
from the dicts in ``servers``; ``fail_with = 500`` makes every answer a
server error. It records each request's path and X-Auth-Token. Nothing
here is Nova: no scheduling, no real servers.
"""

import http.server
import json
import threading
import urllib.parse


class FakeNova:
    def __init__(self, page_size=1000):
        self.servers = {}
        self.requests = []
        self.fail_with = None
        self.page_size = page_size
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.requests.append((self.path,
                                      self.headers.get('X-Auth-Token')))
                status, body = fake.answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                     Handler)
        self.url = 'http://127.0.0.1:%d/v2.1' % self.httpd.server_port
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={'poll_interval': 0.05},
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def add_server(self, server_id, name, image_id='', volume_ids=(),
                   status='ACTIVE'):
        self.servers[server_id] = {
            'id': server_id, 'name': name, 'status': status,
            'image': {'id': image_id, 'links': []} if image_id else '',
            'flavor': {'original_name': 'm1.tiny'},
            'OS-EXT-AZ:availability_zone': 'nova',
            'os-extended-volumes:volumes_attached': [
                {'id': v, 'delete_on_termination': False}
                for v in volume_ids],
        }
        return self.servers[server_id]

    def answer(self, raw_path):
        if self.fail_with:
            return self.fail_with, {'computeFault': {
                'code': self.fail_with, 'message': 'broken'}}
        url = urllib.parse.urlsplit(raw_path)
        query = urllib.parse.parse_qs(url.query)
        path = url.path
        if not path.startswith('/v2.1/'):
            return 404, {'itemNotFound': {'code': 404, 'message': path}}
        path = path[len('/v2.1'):]
        if path == '/servers/detail':
            ordered = sorted(self.servers.values(), key=lambda s: s['id'])
            marker = query.get('marker', [None])[0]
            if marker:
                ordered = [s for s in ordered if s['id'] > marker]
            page = ordered[:self.page_size]
            body = {'servers': page}
            if len(ordered) > self.page_size:
                body['servers_links'] = [{'rel': 'next', 'href': '%s/servers'
                                          '/detail?marker=%s' % (
                                              self.url, page[-1]['id'])}]
            return 200, body
        if path.startswith('/servers/'):
            server = self.servers.get(path[len('/servers/'):])
            if server is None:
                return 404, {'itemNotFound': {
                    'code': 404, 'message': 'Instance could not be found.'}}
            return 200, {'server': server}
        return 404, {'itemNotFound': {'code': 404, 'message': path}}
