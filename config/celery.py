"""The Celery app.

With REDIS_URL set, tasks go through Redis to real workers. Without it (the embedded default
of `make run`), tasks execute in-process, eagerly, so the app works on one machine with no
broker.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("wijkregie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
