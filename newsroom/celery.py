"""The Celery app. Tasks live in each capability's tasks.py and take ids, never model instances."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live beside the services they call, one tasks.py per capability. Each task has an
# explicit name ("annotations.<task>"), so moving a module never strands queued messages.
app.autodiscover_tasks(
    [
        f"annotations.{capability}"
        for capability in ("ingest", "workspace", "review", "coverage", "jobs")
    ]
)
