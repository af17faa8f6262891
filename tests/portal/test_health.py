import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_reports_each_dependency_as_json(client):
    response = client.get(reverse("portal:healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok" and body["checks"]["cache"] == "ok"
    assert "in-process" in body["checks"]["broker"]
    assert "no-cache" in response["Cache-Control"]


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_health_is_ok_with_the_real_redis_broker(client, settings):
    from trustnet.celery import app

    app.conf.broker_url = "redis://127.0.0.1:6379/15"
    try:
        response = client.get(reverse("portal:healthz"))
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"] == "ok"


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_health_is_503_when_the_broker_is_down(client, settings):
    from trustnet.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get(reverse("portal:healthz"))
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


def test_health_is_503_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get(reverse("portal:healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("error")
