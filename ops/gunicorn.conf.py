"""gunicorn settings for production, read from the environment.

    gunicorn -c ops/gunicorn.conf.py config.wsgi:application

Behind a reverse proxy (nginx) on the same host the default bind (127.0.0.1:$PORT) is right; in
a container set GUNICORN_BIND=0.0.0.0:8000. Workers are stateless: scale out by adding hosts.
"""

import multiprocessing
import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


port = _int("PORT", 8000)
bind = [item.strip() for item in os.environ.get("GUNICORN_BIND", f"127.0.0.1:{port}").split(",")]

# Sync workers: Django's ORM is blocking; 2 × CPUs + 1, capped, unless WEB_CONCURRENCY says.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

timeout = _int("GUNICORN_TIMEOUT", 30)  # kill a worker stuck longer than this
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak can never take a host down.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Load the app in each worker: database connections are never shared across a fork.
preload_app = False

# Heartbeat files on tmpfs: a worker on a slow disk is not taken for a hung one.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"

# Trust X-Forwarded-* only from the proxy (settings.production reads X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
capture_output = True
proc_name = "portal-web"


# --- Prometheus multiprocess mode (config.metrics, ADR 0026) ---------------------------------
# With PROMETHEUS_MULTIPROC_DIR set, every worker writes its counters to files there and a
# scrape of any worker adds them up. The directory is emptied when the master starts (figures
# of a previous run would be added to this one's) and a dead worker's live gauges are dropped.
def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
