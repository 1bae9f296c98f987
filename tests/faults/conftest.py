"""Faults made real: Redis unreachable for the cache and the task broker (a closed port, or a
socket that accepts and never answers), with this process's Celery app really publishing (not
eager), so what a citizen meets is what production meets during an outage."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.test import override_settings

from config import celery_app
from core import limits


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections and never answers (a stalled Redis)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


def _reset_broker_connections() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def redis_at(url: str, *, eager: bool = False) -> Iterator[None]:
    """The cache and the broker at `url` (a fresh cache connection, a fresh broker pool), tasks
    published for real unless `eager`; everything restored afterwards."""
    cache_settings = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = url, eager
    _reset_broker_connections()
    limits.LOCAL.clear()
    try:
        with override_settings(CACHES=cache_settings, CELERY_BROKER_URL=url):
            yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
        _reset_broker_connections()
        limits.LOCAL.clear()


@pytest.fixture
def redis_down() -> Iterator[str]:
    """Redis unreachable (connection refused) for the cache and the broker."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    with redis_at(url):
        yield url
