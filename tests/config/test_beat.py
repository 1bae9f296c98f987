"""The beat schedule names only tasks that exist (a typo would fail silently in production)."""

from config.celery import app


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    registered = set(app.tasks)
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled
    assert scheduled <= registered, scheduled - registered
