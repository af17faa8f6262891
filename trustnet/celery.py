"""The Celery app. Tasks are plain functions that call one service; see DESIGN section 6."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustnet.settings")

# DjangoTask gives every task delay_on_commit(), so a task scheduled inside a
# transaction only reaches the broker once the rows it needs are committed.
app = Celery("trustnet", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
