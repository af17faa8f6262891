"""Settings for the test suite: real PostgreSQL, cheap hashing, tasks in-process."""

from trustnet.settings import *  # noqa: F403
from trustnet.settings import env

DATABASES = {"default": env.db("TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/trustnet")}
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_trustnet")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = "memory://localhost//"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Each test gets its own folder (tests/conftest.py audit_heads_folder); this is the fallback.
    "audit_heads": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
# No test reaches the real organisation register: a closed local port, unless a test starts the
# fixture server and points here (tests/members/register_server.py).
ORGANISATION_REGISTER_URL = "http://127.0.0.1:9/organisation-service"
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS}  # noqa: F405  (tests switch them off per test)
# Tasks run eagerly here, so a build on every register change would slow every test and mix
# the proxy into tests of other apps; the proxy's tests (and the journeys) switch it back on.
PROXY_BUILD_ON_CHANGE = False
