"""The deployment files of ops/deploy/ (ADR 0023) as their tools read them: nginx accepts the
rendered configuration (`nginx -t`) for a real server with TLS, for `./ops/run --production`
and for the container; compose.yaml, the Kubernetes manifests, the systemd units and the
environment example parse, probe /healthz and /readyz, and set only environment names the
platform reads, the required ones everywhere; production static files are fingerprinted."""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from catalog.importing import MAX_FILE_BYTES
from config.middleware import PERMISSIONS_POLICY
from core.uploads import MAX_UPLOAD_BYTES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "ops" / "deploy"
sys.path.insert(0, str(DEPLOY))
import render  # noqa: E402

REQUIRED = {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "PLATFORM_HOST"}
# Read by Python, pip or Django's launcher rather than by the platform's code.
RUNTIME = {"DJANGO_SETTINGS_MODULE", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}
RUNTIME |= {"PIP_DISABLE_PIP_VERSION_CHECK"}
# Read by config.settings.base but overridden by production (DEBUG is always off there).
NOT_IN_PRODUCTION = {"DJANGO_DEBUG"}
APP_SERVICES = ("migrate", "web", "worker", "beat")
LITERAL_READ = re.compile(
    r"""(?:env_(?:str|bool|list)|environ\.get|os\.getenv|env\.get|_int)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|environ\[["']([A-Z][A-Z0-9_]+)["']\]"""
)
NGINX = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
needs_nginx = pytest.mark.skipif(
    NGINX is None and not os.environ.get("CI"), reason="nginx not installed (apt-get install nginx)"
)

pytestmark = pytest.mark.without_services


# --- what the platform reads ------------------------------------------------------------------


def _source_names() -> set[str]:
    """Names the platform's code (and ops/gunicorn.conf.py) reads by their literal name."""
    names: set[str] = set()
    files = [ROOT / "ops" / "gunicorn.conf.py"]
    for top in ("platform", "tenants", "provinces", "api", "frontend"):
        files += (ROOT / top).rglob("*.py")
    for path in files:
        if path.name in {"dev.py", "test.py"} and path.parent.name == "settings":
            continue
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        for match in LITERAL_READ.finditer(path.read_text(encoding="utf-8")):
            names.add(match.group(1) or match.group(2))
    return names


RECORDER = r"""
import json, os, sys
read = set()
class Recording(type(os.environ)):
    def __getitem__(self, key):
        read.add(key)
        return super().__getitem__(key)
    def __contains__(self, key):
        read.add(key)
        return super().__contains__(key)
os.environ.__class__ = Recording
import django
django.setup()
import config.celery  # noqa: F401
runpy = __import__("runpy")
runpy.run_path(sys.argv[1])
print(json.dumps(sorted(n for n in read if isinstance(n, str) and n.isupper())))
"""


def _example_values() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "portal.env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#? ?([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


@pytest.fixture(scope="module")
def names_read() -> set[str]:
    """Everything config.settings.production, the Celery app and ops/gunicorn.conf.py read at
    start-up with every option of the example switched on (S3 stores included), plus the
    names the code reads by literal name (some only when a request asks)."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        **_example_values(),
        "SENTRY_DSN": "",  # read all the same; no error reporting from a test
    }
    result = subprocess.run(
        [sys.executable, "-c", RECORDER, str(ROOT / "ops" / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    recorded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert {"DJANGO_SECRET_KEY", "MEDIA_S3_ENDPOINT_URL", "WEB_CONCURRENCY"} <= recorded
    return recorded | _source_names() | RUNTIME


def _assert_known(names: set[str], names_read: set[str], where: str) -> None:
    unknown = sorted(names - names_read)
    assert not unknown, f"{where} sets names the platform never reads: {unknown}"


# --- the environment example ------------------------------------------------------------------


def test_the_environment_example_lists_every_name_the_platform_reads_and_no_other(names_read):
    # given
    text = (DEPLOY / "portal.env.example").read_text(encoding="utf-8")
    listed = set(_example_values())
    active = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))

    # then
    _assert_known(listed, names_read, "portal.env.example")
    missing = sorted(_source_names() - listed - RUNTIME - NOT_IN_PRODUCTION)
    assert not missing, f"portal.env.example does not mention {missing}"
    assert active >= REQUIRED


# --- systemd ------------------------------------------------------------------------------


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize(
    ("unit", "command"),
    [
        ("portal-web.service", "gunicorn -c ops/gunicorn.conf.py config.wsgi:application"),
        ("portal-worker.service", "celery -A config worker"),
        ("portal-beat.service", "celery -A config beat"),
    ],
)
def test_each_unit_runs_its_process_with_production_settings_the_env_file_and_hardening(
    unit, command, names_read
):
    # given
    service = _unit(unit)["Service"]

    # then
    assert command in service["ExecStart"]
    assert service["EnvironmentFile"] == "/etc/portal/portal.env"
    assignments = re.findall(
        r"^Environment=([A-Z_]+)=(\S+)$", (DEPLOY / "systemd" / unit).read_text(), re.MULTILINE
    )
    environment = dict(assignments)
    assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    _assert_known(set(environment), names_read, unit)
    for option, value in {
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "User": "portal",
    }.items():
        assert service[option] == value, f"{unit}: {option}"


def test_the_worker_is_fair_and_stops_warm_and_beat_keeps_its_schedule_in_var():
    worker = _unit("portal-worker.service")["Service"]
    beat = _unit("portal-beat.service")["Service"]
    assert " -O fair " in worker["ExecStart"]
    assert worker["KillSignal"] == "SIGTERM"
    assert int(worker["TimeoutStopSec"]) >= 300  # a backup in hand is allowed to finish
    assert "--schedule=/srv/portal/var/celerybeat-schedule" in beat["ExecStart"]


# --- compose -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_the_whole_stack_with_probes_on_healthz_and_readyz(compose):
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "minio", "nginx", *APP_SERVICES}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz" in " ".join(services["nginx"]["healthcheck"]["test"])
    assert "-O" in services["worker"]["command"]
    assert "fair" in services["worker"]["command"]
    # Migrations run first: the processes start only after they succeeded.
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_compose_sets_only_names_the_platform_reads_and_the_required_ones(compose, names_read):
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        assert set(environment) >= REQUIRED, name
        _assert_known(set(environment), names_read, f"compose service {name}")
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


# --- Kubernetes ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifests() -> dict[tuple[str, str], dict]:
    documents = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document and "kind" in document and "metadata" in document:
                documents[(document["kind"], document["metadata"]["name"])] = document
    return documents


def _container(manifests, kind: str, name: str) -> dict:
    return manifests[(kind, name)]["spec"]["template"]["spec"]["containers"][0]


def test_kustomization_lists_files_that_exist():
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    for resource in kustomization["resources"]:
        assert (DEPLOY / "k8s" / resource).is_file(), resource


def test_the_web_deployment_probes_healthz_and_readyz_on_the_platform_host(manifests):
    # given
    web = _container(manifests, "Deployment", "portal-web")
    platform_host = manifests[("ConfigMap", "portal-env")]["data"]["PLATFORM_HOST"]

    # then
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        headers = {h["name"]: h["value"] for h in web[probe]["httpGet"]["httpHeaders"]}
        assert headers["Host"] == platform_host, probe
    strategy = manifests[("Deployment", "portal-web")]["spec"]["strategy"]
    assert strategy["rollingUpdate"]["maxUnavailable"] == 0


def test_one_beat_never_two_and_a_migrate_job(manifests):
    beat = manifests[("Deployment", "portal-beat")]["spec"]
    assert beat["replicas"] == 1
    assert beat["strategy"]["type"] == "Recreate"
    job = manifests[("Job", "portal-migrate")]["spec"]["template"]["spec"]["containers"][0]
    assert "migrate_schemas --shared" in " ".join(job["args"])
    assert "migrate_schemas --tenant" in " ".join(job["args"])
    assert ("Service", "web") in manifests
    assert ("Ingress", "portal") in manifests


def test_kubernetes_env_sets_only_names_the_platform_reads_and_the_required_ones(
    manifests, names_read
):
    # given
    config = set(manifests[("ConfigMap", "portal-env")]["data"])
    secret = set(manifests[("Secret", "portal-secrets")]["stringData"])

    # then
    _assert_known(config | secret, names_read, "k8s ConfigMap/Secret")
    assert config | secret >= REQUIRED
    for kind, name in [
        ("Deployment", "portal-web"),
        ("Deployment", "portal-worker"),
        ("Deployment", "portal-beat"),
        ("Job", "portal-migrate"),
    ]:
        container = _container(manifests, kind, name)
        sources = {next(iter(source.values()))["name"] for source in container["envFrom"]}
        assert sources == {"portal-env", "portal-secrets"}, name
        _assert_known({item["name"] for item in container.get("env", [])}, names_read, name)


def test_the_ingress_allows_the_bodies_nginx_allows(manifests):
    annotations = manifests[("Ingress", "portal")]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == _client_max_body_size()


# --- the image -----------------------------------------------------------------------------


def test_the_image_installs_the_pinned_versions_and_collects_static_files():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim AS app" in dockerfile
    assert "pip install --no-cache-dir -c requirements/constraints.txt -e ." in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "render.py --profile container" in dockerfile


# --- nginx ---------------------------------------------------------------------------------


def _client_max_body_size() -> str:
    text = (DEPLOY / "nginx" / "snippets" / "portal-locations.conf").read_text()
    return re.search(r"^client_max_body_size (\S+);", text, re.MULTILINE).group(1)


def test_nginx_takes_the_largest_upload_the_platform_accepts_and_little_more():
    # given
    size = _client_max_body_size()
    largest = max(MAX_UPLOAD_BYTES, MAX_FILE_BYTES)

    # then
    assert size.endswith("m")
    allowed = int(size[:-1]) * 1024 * 1024
    assert largest < allowed <= largest + 2 * 1024 * 1024


def test_static_files_carry_the_permissions_policy_the_pages_carry():
    text = (DEPLOY / "nginx" / "snippets" / "static-headers.conf").read_text()
    assert f'add_header Permissions-Policy "{PERMISSIONS_POLICY}" always;' in text
    assert 'add_header X-Content-Type-Options "nosniff" always;' in text


def test_the_renderer_refuses_an_unknown_name_and_a_value_that_would_end_a_directive(tmp_path):
    with pytest.raises(ValueError, match="no file uses LISTN"):
        render.render("local", tmp_path / "a", {"LISTN": "127.0.0.1:1"})
    with pytest.raises(ValueError, match="UPSTREAM"):
        render.render("local", tmp_path / "b", {"UPSTREAM": "127.0.0.1:1; deny all"})
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()


def _nginx_t(conf: Path, prefix: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            NGINX or "nginx",
            "-t",
            "-p",
            f"{prefix}/",
            "-e",
            str(prefix / "error.log"),
            "-c",
            str(conf),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _private_paths(root: Path) -> dict[str, str]:
    return {
        "RUN_DIR": str(root / "run"),
        "TEMP_DIR": str(root / "tmp"),
        "CACHE_DIR": str(root / "cache"),
        "ACCESS_LOG": str(root / "log" / "access.log"),
        "ERROR_LOG": str(root / "log" / "error.log"),
        "USER": render.pwd.getpwuid(os.geteuid()).pw_name,
    }


@needs_nginx
@pytest.mark.parametrize("brotli", ["auto", "off"])
def test_nginx_accepts_the_real_server_configuration_with_tls(tmp_path, brotli):
    # given a self-signed certificate in place of the real one
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=hagiang.gov.vn", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    values = {
        **_private_paths(tmp_path),
        "TLS_CERTIFICATE": str(cert),
        "TLS_CERTIFICATE_KEY": str(key),
    }

    # when
    conf = render.render("server", tmp_path / "conf", values, brotli, make_dirs=True)
    result = _nginx_t(conf, tmp_path)

    # then
    assert result.returncode == 0, result.stderr
    site = (tmp_path / "conf" / "portal.conf").read_text()
    assert "listen 443 ssl http2;" in site
    assert "return 301 https://$host$request_uri;" in site
    assert "@@" not in "".join(p.read_text() for p in (tmp_path / "conf").rglob("*.conf"))


@needs_nginx
def test_nginx_accepts_the_local_configuration_of_ops_run_production(tmp_path):
    # when
    values = {
        **_private_paths(tmp_path),
        "LISTEN": "127.0.0.1:18080",
        "UPSTREAM": "127.0.0.1:18081",
    }
    conf = render.render("local", tmp_path / "conf", values, make_dirs=True)
    result = _nginx_t(conf, tmp_path)

    # then
    assert result.returncode == 0, result.stderr
    locations = (tmp_path / "conf" / "snippets" / "portal-locations.conf").read_text()
    # The cache rules are included where gunicorn is proxied; /metrics and /media/ stay inside.
    proxied = locations.split("location / {", 1)[1].split("}", 1)[0]
    assert "proxy_pass http://portal_web;" in proxied
    assert f"include {tmp_path / 'conf'}/snippets/portal-cache.conf;" in proxied
    assert re.search(r"location = /metrics \{\s+deny all;", locations)
    assert "location /media/" not in locations
    # Django checks a form's Origin (http://hagiang.localhost:8080) against the Host it gets:
    # the browser's, port included ($host would drop it and refuse every sign-in on :8080).
    proxy = (tmp_path / "conf" / "snippets" / "proxy.conf").read_text()
    assert "proxy_set_header Host $http_host;" in proxy
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in proxy
    http = (tmp_path / "conf" / "snippets" / "portal-http.conf").read_text()
    assert re.search(r"proxy_cache_path \S+ levels=1:2 keys_zone=portal:", http)


@needs_nginx
def test_nginx_accepts_the_container_configuration(tmp_path):
    values = {**_private_paths(tmp_path), "UPSTREAM": "127.0.0.1:8000"}  # `web` resolves in compose
    conf = render.render("container", tmp_path / "conf", values, "off", make_dirs=True)
    result = _nginx_t(conf, tmp_path)
    assert result.returncode == 0, result.stderr


# --- production static files ---------------------------------------------------------------

PRODUCTION_PAGE = r"""
import os, re, sys, tempfile
import django
from django.conf import settings
django.setup()
from django.core.management import call_command
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
setup_test_environment()
root = tempfile.mkdtemp()
with override_settings(STATIC_ROOT=root, ALLOWED_HOSTS=["hagiang.localhost", "testserver"]):
    call_command("collectstatic", "--noinput", "-v0")
    response = Client(HTTP_HOST="hagiang.localhost").get("/", secure=True)
    print("status=" + str(response.status_code))
    names = set(re.findall(r'/static/[^"\s)]+', response.content.decode()))
    print("static=" + " ".join(sorted(names)))
    call_command("check", "--deploy", "--fail-level", "WARNING")
"""


@pytest.mark.django_db
def test_production_pages_name_fingerprinted_static_files_and_pass_the_deploy_checks(
    provinces,
):
    # given the test database (its seeded provinces) under the production settings
    from tests.factories.celery import database_url

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60 + "production-test-key",
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": ".localhost",
        "PLATFORM_DEV_HOSTS": "1",
    }

    # when
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PAGE], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=240, check=False,
    )  # fmt: skip

    # then
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    status, urls = lines["status"], lines["static"]
    assert status == "200"
    immutable = re.compile(r"^/static/(.+\.[0-9a-f]{12}\.[A-Za-z0-9]+)$")  # portal-locations.conf
    assert urls
    assert all(immutable.match(url) for url in urls.split()), urls
    assert (
        'location ~ "^/static/(?<portal_static>.+\\.[0-9a-f]{12}\\.[A-Za-z0-9]+)$"'
        in (DEPLOY / "nginx" / "snippets" / "portal-locations.conf").read_text()
    )
