"""A real nginx (the Debian binary) in front of Django for tests, with the shipped snippets.

- `django_server()`: the project's WSGI application on 127.0.0.1:<free port>, in threads of
  the test process, on the TEST'S OWN database connection (inside its transaction, rolled
  back at the end like any test). Requests are handled one at a time; a test that writes
  while nginx may be fetching in the background (a cache update) holds `server.quiet()`.
  The province schema the connection is in changes with each request: enter the schema again
  (schema_context) inside `quiet()` before writing.
- `nginx_in_front(port, location=...)`: nginx on another free port, proxying to `port`, with
  a cache zone `portal` and, by default, ops/deploy/nginx/snippets/portal-cache.conf in
  `location /` (`http=` adds lines to the http context). `nginx.get(host, path, headers)` returns
  (status, headers, body). Its configuration passes `nginx -t` first.

Used by tests/frontend/test_http_cache.py; other nginx tests can pass their own `http` and
`location` lines."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SNIPPETS = Path(__file__).resolve().parents[2] / "ops" / "deploy" / "nginx" / "snippets"
CACHE_HTTP = ""  # the cache snippet needs nothing in the http context but the zone
CACHE_LOCATION = f"include {SNIPPETS / 'portal-cache.conf'};"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


class _Server(ThreadedWSGIServer):
    def _close_connections(self):
        # The connection is the test's: it stays open (and in its transaction).
        pass


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class DjangoServer:
    port: int
    lock: threading.RLock = field(default_factory=threading.RLock)

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """No request is handled while the block runs (it may use the database)."""
        with self.lock:
            yield


@contextmanager
def django_server() -> Iterator[DjangoServer]:
    server_port = free_port()
    state = DjangoServer(port=server_port)
    application = WSGIHandler()

    def serialised(environ, start_response):
        with state.lock:
            result = application(environ, start_response)
            try:
                return list(result)
            finally:
                result.close()  # request_finished, as a WSGI server sends it

    # As Django's test client does: a request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    shared = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the thread-local proxy
    shared.inc_thread_sharing()
    server = _Server(
        ("127.0.0.1", server_port),
        _QuietHandler,
        connections_override={DEFAULT_DB_ALIAS: shared},
    )
    server.set_app(serialised)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        wait_for_port(server_port)
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        shared.dec_thread_sharing()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@dataclass
class Nginx:
    port: int
    prefix: Path

    def get(
        self, host: str, path: str, headers: dict[str, str] | None = None, *, method: str = "GET"
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, headers={"Host": host, **(headers or {})})
            response = conn.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()

    def error_log(self) -> str:
        log = self.prefix / "error.log"
        return log.read_text() if log.exists() else ""


def nginx_config(
    prefix: Path,
    *,
    port: int,
    upstream: int,
    http: str = CACHE_HTTP,
    location: str = CACHE_LOCATION,
) -> str:
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
daemon off;
master_process on;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    proxy_cache_path {prefix}/cache levels=1:2 keys_zone=portal:4m max_size=64m inactive=10m
                     use_temp_path=off;
    {http}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            {location}
        }}
    }}
}}
"""


@contextmanager
def nginx_in_front(
    upstream: int, *, http: str = CACHE_HTTP, location: str = CACHE_LOCATION
) -> Iterator[Nginx]:
    prefix = Path(tempfile.mkdtemp(prefix="nginx-test-"))
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(
        nginx_config(prefix, port=port, upstream=upstream, http=http, location=location)
    )
    command = [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if checked.returncode != 0:
        shutil.rmtree(prefix, ignore_errors=True)
        raise RuntimeError(f"nginx -t refused the configuration:\n{checked.stderr}")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield Nginx(port=port, prefix=prefix)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(prefix, ignore_errors=True)
