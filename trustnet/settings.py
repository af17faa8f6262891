"""Settings, read from the environment (see the configuration table in README.md).

The defaults give a local development site on SQLite that needs nothing else running.
`PRODUCTION=true` switches on everything `manage.py check --deploy` asks for.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PRODUCTION = env.bool("PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=False)
# Production refuses to start without a real key; development gets an obviously fake one.
SECRET_KEY = env.str("SECRET_KEY") if PRODUCTION else env.str("SECRET_KEY", default="dev-only-not-secret-" + "x" * 40)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base URL used in emails, PDFs and metadata (no trailing slash). Without one, the local
# development server's: `make run PORT=…` passes its port on, so the demo's links work.
_DEV_SERVER_PORT = env.int("PORT", default=8000)
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{_DEV_SERVER_PORT}").rstrip("/")

INSTALLED_APPS = [
    "accounts.apps.TrustnetAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI served from this site, pinned by the package version (no CDN, works offline).
    "drf_spectacular_sidecar",
    "csp",
    # trustnet's apps, bottom layer first (DESIGN section 6; import-linter keeps the order).
    "emails",
    "audit",
    "accounts",
    "members",
    "contracts",
    "steering",
    "proxy",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
]

ROOT_URLCONF = "trustnet.urls"
WSGI_APPLICATION = "trustnet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache (Redis) in production: login rate limits and debounce keys must be
# seen by every web and worker machine.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://trustnet")}

# Sessions live in the database so any web machine can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"

# django-allauth: email login, no open sign-up (people join by invitation), MFA.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Failed logins and second-factor codes (accounts/lockout.py): many people share one address (a
# school's NAT), so the per-address limits are only generous ceilings; the tight limit is per account
# and address, with a looser one per account across addresses.
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    # allauth's own: per address (a ceiling) and per account (key: the email).
    "login_failed": "100/5m/ip,20/5m/key",
    "login_failed_account_address": "5/5m/key",
    # Wrong TOTP or recovery codes: per user and address, per user. allauth's own check of the
    # codes shares "login_failed" above (its ceiling per address).
    "mfa_failed_user_address": "5/5m/key",
    "mfa_failed": "10/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    # The public agreement verification page (contracts.views.verify): a person checks a few files.
    "verify_document": "20/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[trustnet] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "trustnet"
MFA_FORMS = {
    "authenticate": "accounts.mfa_forms.AuthenticateForm",
    "reauthenticate": "accounts.mfa_forms.ReauthenticateForm",
}
# The client's address for the limits above is REMOTE_ADDR unless a number of reverse proxies in
# front is declared; X-Forwarded-For is never trusted by default (anyone can send it).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Members' users may be required to use MFA too (DESIGN section 1).
TRUSTNET_MEMBER_MFA_REQUIRED = env.bool("MEMBER_MFA_REQUIRED", default=False)
# How long an invitation link stays valid.
TRUSTNET_INVITATION_VALIDITY = timedelta(days=env.int("INVITATION_VALIDITY_DAYS", default=14))

# Member register (members/): metadata upload/fetch limits and the key that encrypts OIDC client
# secrets. MEMBERS_SECRET_KEY is a Fernet key (comma-separated: newest first, older ones still decrypt).
TRUSTNET_METADATA_MAX_BYTES = env.int("METADATA_MAX_BYTES", default=512 * 1024)
# Login sources' logos on the MPASSid login page (members/logos.py): at most this many bytes.
TRUSTNET_LOGO_MAX_BYTES = env.int("LOGO_MAX_BYTES", default=200 * 1024)
TRUSTNET_METADATA_FETCH_TIMEOUT = env.float("METADATA_FETCH_TIMEOUT", default=10.0)
# The whole fetch (redirects and a slowly trickled body included) must end within this many seconds.
TRUSTNET_METADATA_FETCH_DEADLINE = env.float("METADATA_FETCH_DEADLINE", default=30.0)
TRUSTNET_SECRET_KEYS = (
    env.list("MEMBERS_SECRET_KEY")
    if PRODUCTION
    else env.list("MEMBERS_SECRET_KEY", default=["ZGV2LW9ubHktbm90LXNlY3JldC1mZXJuZXQta2V5LTA="])
)
# The audit log's chain key (audit/keys.py): HMAC keys, newest first, kept out of the database so
# that whoever can write the database cannot recompute the chain. Older keys stay listed after a
# rotation so the entries written under them still verify.
AUDIT_CHAIN_KEYS = (
    env.list("AUDIT_CHAIN_KEY")
    if PRODUCTION
    else env.list("AUDIT_CHAIN_KEY", default=["dev-only-not-secret-audit-chain-key"])
)
# Certificates expiring within this many days are flagged in lists and on the dashboard.
TRUSTNET_CERTIFICATE_WARNING_DAYS = env.int("CERTIFICATE_WARNING_DAYS", default=60)

# Opetushallitus' Organisaatiopalvelu, the national organisation register (DESIGN section 2).
# Every request names trustnet in the Caller-Id header, as the register asks of its callers.
# In DEBUG (make run) the default is the site's own offline stand-in (members/demo_register.py).
ORGANISATION_REGISTER_URL = env.str(
    "ORGANISATION_REGISTER_URL",
    default=f"{SITE_URL}/dev/organisation-register/organisaatio-service"
    if DEBUG
    else "https://virkailija.opintopolku.fi/organisaatio-service",
).rstrip("/")
ORGANISATION_REGISTER_CALLER_ID = env.str(
    "ORGANISATION_REGISTER_CALLER_ID", default="1.2.246.562.10.00000000001.trustnet"
)
ORGANISATION_REGISTER_TIMEOUT = env.float("ORGANISATION_REGISTER_TIMEOUT", default=10.0)
ORGANISATION_REGISTER_RETRIES = env.int("ORGANISATION_REGISTER_RETRIES", default=2)

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date and number formats for English and Swedish as read in Finland (Finnish uses Django's own).
FORMAT_MODULE_PATH = ["trustnet.formats"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Where the audit chain head is exported (audit/heads.py): in production an append-only bucket,
    # e.g. django-storages' S3 backend on a bucket with Object Lock, given by these two settings.
    "audit_heads": {
        "BACKEND": env.str("AUDIT_HEAD_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("AUDIT_HEAD_STORAGE_OPTIONS", default={"location": str(BASE_DIR / "var" / "audit-heads")}),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="trustnet <noreply@trustnet.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: without a broker (the `make run` default) tasks run in-process, eagerly.
CELERY_TASK_ALWAYS_EAGER = not env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://localhost//"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_EAGER_PROPAGATES = True
# One queue name per deployment, so several deployments (or test runs) can share a Redis.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="trustnet")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# The beat schedule lives here so every deployment runs the same periodic work.
CELERY_BEAT_SCHEDULE: dict = {
    "audit-chain-check": {
        "task": "audit.tasks.audit_chain_check",
        "schedule": crontab(minute=15, hour=3),
    },
    # Exports the chain head out of the database (log line, staff email, append-only storage).
    "audit-head-export": {
        "task": "audit.tasks.audit_head_export",
        "schedule": crontab(minute=20, hour=3),
    },
    # Ends memberships whose end date has come (DESIGN 3.6); idempotent, so a late or double run is safe.
    "contracts-memberships-end": {
        "task": "contracts.tasks.memberships_end",
        "schedule": crontab(minute=5, hour=0),
    },
    "steering-changes-apply": {
        "task": "steering.tasks.steering_changes_apply",
        "schedule": crontab(minute=10, hour=0),
    },
    # Re-checks login sources' IdP metadata (entityID, signing certificate expiry).
    "login-sources-metadata-check": {
        "task": "members.tasks.login_sources_metadata_check_all",
        "schedule": crontab(minute=40, hour=4),
    },
    "steering-proposals-close-due": {
        "task": "steering.tasks.steering_proposals_close_due",
        "schedule": crontab(minute="*/15"),
    },
    # Reminds seat holders who have not voted, two days before the deadline; each seat once per proposal.
    "steering-vote-reminders-send": {
        "task": "steering.tasks.steering_vote_reminders_send",
        "schedule": crontab(minute=25),
    },
    # Compares linked home organisations with the national organisation register; mails changes.
    "members-organisation-register-check": {
        "task": "members.tasks.organisation_register_check_all",
        "schedule": crontab(minute=20, hour=5),
    },
    # Warns providers whose live certificates expire within TRUSTNET_CERTIFICATE_WARNING_DAYS.
    "members-certificate-expiry-warn": {
        "task": "members.tasks.certificate_expiry_warn",
        "schedule": crontab(minute=30, hour=7),
    },
    # Drops rotated-out OIDC client secrets whose overlap has ended (oidc-clients.json then rebuilds).
    "members-previous-client-secrets-prune": {
        "task": "members.tasks.previous_client_secrets_prune",
        "schedule": crontab(minute=0),
    },
    # Re-signs unchanged metadata once less than half its validity is left (DESIGN section 5).
    "proxy-refresh": {
        "task": "proxy.tasks.proxy_refresh",
        "schedule": crontab(minute=5),
    },
    # Deletes proxy snapshots older than PROXY_SNAPSHOT_RETENTION_DAYS (idempotent, under the builder lock).
    "proxy-prune": {
        "task": "proxy.tasks.proxy_prune",
        "schedule": crontab(minute=35, hour=3),
    },
}

# The proxy configuration (DESIGN section 5; docs/proxy-configuration.md).
# The inputs seam: a function (environment=, on=) -> proxy.inputs.ProxyInputs.
# The proxy's login of each environment where a login source's test link starts; the link adds
# authnContextClassRef=urn:mpass.id:authnsource:<flow name> to pick that source directly (e.g. the
# operator's attribute test service's login address). Empty: no link is shown. The demo (DEBUG)
# shows example addresses, so its login sources' pages have their test links.
PROXY_TEST_LOGIN_URL = {
    "test": env.str(
        "PROXY_TEST_LOGIN_URL_TEST", default="https://mpass-proxy-test.example/attributetest/login" if DEBUG else ""
    ),
    "production": env.str(
        "PROXY_TEST_LOGIN_URL_PRODUCTION", default="https://mpass-proxy.example/attributetest/login" if DEBUG else ""
    ),
}
# The operator's default test service (client_id or entityID). A new test login source of an
# organisation that limits its users to an allow-list gets it on that list, so the source can be
# tried at once (members.services.login_source_save). Empty: off.
TRUSTNET_TEST_DEFAULT_SERVICE = env.str("TEST_DEFAULT_SERVICE", default="")
PROXY_COLLECT_INPUTS = env.str("PROXY_COLLECT_INPUTS", default="proxy.register.collect_inputs")
PROXY_SIGNING_KEY_FILE = env.path("PROXY_SIGNING_KEY_FILE", default=BASE_DIR / "var" / "proxy" / "signing-key.pem")
PROXY_SIGNING_CERT_FILE = env.path("PROXY_SIGNING_CERT_FILE", default=BASE_DIR / "var" / "proxy" / "signing-cert.pem")
# During a key rollover: the next certificate, published beside the current one.
PROXY_NEXT_SIGNING_CERT_FILE = env.str("PROXY_NEXT_SIGNING_CERT_FILE", default="")
PROXY_METADATA_NAME = env.str("PROXY_METADATA_NAME", default="urn:mace:trustnet:metadata")
PROXY_PUBLISHER = env.str("PROXY_PUBLISHER", default=SITE_URL)
PROXY_REGISTRATION_AUTHORITY = env.str("PROXY_REGISTRATION_AUTHORITY", default=SITE_URL)
# mdrpi:RegistrationPolicy of every published entity, by language (en first; fi and sv if given):
# the page stating the rules under which the operator registers services.
REGISTRATION_POLICY_URLS = {
    lang: url
    for lang, url in (
        ("en", env.str("REGISTRATION_POLICY_URL_EN", default="")),
        ("fi", env.str("REGISTRATION_POLICY_URL_FI", default="")),
        ("sv", env.str("REGISTRATION_POLICY_URL_SV", default="")),
    )
    if url
}
# validUntil: default 10 days, never over 14 (Shibboleth's default maxValidityInterval).
PROXY_VALIDITY = timedelta(days=env.int("PROXY_VALIDITY_DAYS", default=10))
PROXY_CACHE_DURATION = env.str("PROXY_CACHE_DURATION", default="PT6H")
# Rebuild when the register or a membership changes (off in most tests: eager tasks would build
# on every change a test makes).
PROXY_BUILD_ON_CHANGE = env.bool("PROXY_BUILD_ON_CHANGE", default=True)
PROXY_BUILD_DEBOUNCE_SECONDS = env.int("PROXY_BUILD_DEBOUNCE_SECONDS", default=10)
# Rendered entity fragments each worker keeps in memory between builds.
PROXY_FRAGMENT_MEMORY_BYTES = env.int("PROXY_FRAGMENT_MEMORY_BYTES", default=256 * 1024 * 1024)
# How long each web process trusts its lookup of what is in service when answering a matching
# If-None-Match for metadata.xml with 304 (trustnet/proxy/fastpath.py), seconds.
PROXY_PUBLICATION_CACHE_SECONDS = env.float("PROXY_PUBLICATION_CACHE_SECONDS", default=2.0)
# Snapshots (and their files, unused fragments and entity documents) older than this are
# deleted daily, except the snapshot in service and the previous valid one per environment.
PROXY_SNAPSHOT_RETENTION_DAYS = env.int("PROXY_SNAPSHOT_RETENTION_DAYS", default=90)
if PROXY_SNAPSHOT_RETENTION_DAYS < 1:
    raise ValueError("PROXY_SNAPSHOT_RETENTION_DAYS: at least 1")
# Cache-Control max-age of served configuration, seconds.
PROXY_MAX_AGE = env.int("PROXY_MAX_AGE", default=300)
if PROXY_VALIDITY.total_seconds() > 14 * 86400:
    raise ValueError("PROXY_VALIDITY_DAYS: at most 14 (Shibboleth's default maxValidityInterval)")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Personal API tokens first: its WWW-Authenticate header makes unauthenticated calls 401.
        "accounts.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.api_auth.MfaRequirementMet",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON for every API error, a too large body (413) included.
    "EXCEPTION_HANDLER": "members.api_errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "trustnet API",
    "DESCRIPTION": "Member register of the MPASSid trust network.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files, not a CDN (pinned, offline, CSP 'self').
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge image from validator.swagger.io: the page loads nothing from elsewhere.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Organisations and login sources both have a `kind`; name each choice set.
    "ENUM_NAME_OVERRIDES": {"LoginSourceKindEnum": "members.models.LoginSourceKind.choices"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "members.api_schema.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Per-page PDF progress and per-task success lines drown what an operator needs to see.
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # httpx logs every request at INFO; the organisation register client reports its own failures.
        "httpx": {"level": "WARNING"},
        "celery.app.trace": {"level": env.str("CELERY_TRACE_LOG_LEVEL", default="WARNING")},
    },
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    MFA_TRUST_COOKIE_SECURE = True
    if env.bool("BEHIND_TLS_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy on every response (django-csp; docs/security-headers.md): only this
# site's own files run or style a page, no inline script, style or event handler anywhere, no
# framing, no form posting elsewhere. Views that need more say so with csp_update (only the API
# docs: Swagger UI's stylesheet draws its icons from data: images).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
