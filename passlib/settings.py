"""passlib settings: one file, read from the environment (django-environ).

Development needs nothing: with DEBUG on, a SQLite file and a development secret
are used. With DEBUG off (the default), SECRET_KEY and ALLOWED_HOSTS are required
and startup stops with a clear message when they are missing.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off (production), set SECRET_KEY in the "
            "environment or in .env (see .env.example); for local development set DEBUG=true."
        )
    SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off (production), set ALLOWED_HOSTS to the "
        "comma-separated host names the site answers on (see .env.example)."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Whom a library writes to when no territory officer covers its département (the
# national team, site staff, reviews those signups).
NATIONAL_REVIEW_EMAIL = env.str(
    "NATIONAL_REVIEW_EMAIL", default="equipe-nationale@passlib.example.org"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Form widgets render through TEMPLATES (FORM_RENDERER below), so templates/ can
    # override one of Django's widget templates; Django's own stay found here.
    "django.forms",
    "django_htmx",
    "axes",
    "accounts",
    "catalog",
    "offers",
    # Reimbursements: bank details, statements, transfer files (docs/finance.md).
    "finance",
    # The pro home's panels and the statistics (above offers and finance).
    "reporting",
    # The persistent task queue (django.tasks' database backend): e-mails, reminders.
    "django_tasks_db",
    # The project package: commands above both apps (seed_demo).
    "passlib",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 405 to every method but GET, HEAD and POST, before any view (passlib/middleware.py).
    "passlib.middleware.AllowedMethodsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store on every answer with personal data.
    "passlib.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A refusal no view caught answers 400 with its French message (passlib/refusal.py).
    "passlib.refusal.RefusalMiddleware",
    # Last, as django-axes asks: it turns lockouts into the French lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "passlib.urls"
WSGI_APPLICATION = "passlib.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "passlib.context_processors.navigation",
            ],
            # The project's date, time and plural filters, in every template.
            "builtins": ["passlib.templatetags.french"],
        },
    },
]

# E-mails' subjects and plain-text bodies are text, not HTML: they render through an
# engine without auto-escaping ("Carte d'abonnement", not "d&#x27;abonnement"); their
# HTML parts go through the default engine and stay escaped (passlib/emails.py).
TEMPLATES.append(
    {
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": False, "builtins": ["passlib.templatetags.french"]},
    }
)

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# SQLite by default (nothing to install); PostgreSQL when DATABASE_URL is set.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side parameter binding: the same SQL text is reused, so psycopg prepares
    # a statement once it has run DATABASE_PREPARE_THRESHOLD times on a connection and
    # PostgreSQL no longer plans the list pages' joins on every request (planning cost
    # more than executing). Django turns preparing off by default for the sake of
    # transaction-mode poolers (PgBouncer < 1.21): set DATABASE_PREPARE_THRESHOLD to
    # an empty value behind such a pooler.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["server_side_binding"] = env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
    threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="5")
    options["prepare_threshold"] = int(threshold) if threshold else None
    server_settings = []
    plan_cache_mode = env.str("DATABASE_PLAN_CACHE_MODE", default="")
    if plan_cache_mode:
        server_settings.append(f"-c plan_cache_mode={plan_cache_mode}")
    # PostgreSQL's JIT compiles a query whose estimated cost is high: the catalogue's
    # search (a GIN index's estimate) then spent 36 ms compiling for a 20 ms query.
    # Short OLTP queries never gain from it (docs/performance.md): off unless asked.
    if not env.bool("DATABASE_JIT", default=False):
        server_settings.append("-c jit=off")
    if server_settings:
        options["options"] = " ".join(server_settings)
    if env.bool("DATABASE_POOL", default=False):
        # psycopg's pool: persistent connections are then handled by the pool.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so that a locked-out username+IP is refused before checking.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: lock a username+IP pair after 5 failures, for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# The identity typed, normalised as the login form does (case, spaces, controls).
AXES_USERNAME_CALLABLE = "accounts.identity.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_VERBOSE = False

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded images (passlib/images.py). One node: local files under MEDIA_ROOT, served
# at MEDIA_URL by the app (passlib/urls.py) or the front web server. Several nodes:
# an S3-compatible bucket through django-storages, when MEDIA_S3_BUCKET is set
# (docs/operations.md).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("MEDIA_S3_REGION", default="") or None,
            "custom_domain": env.str("MEDIA_S3_CUSTOM_DOMAIN", default="") or None,
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Tests and `runserver` serve from the finders; production serves collected,
# hashed files (run `collectstatic`).
WHITENOISE_USE_FINDERS = DEBUG

# Sessions in the database: web processes stay stateless behind a load balancer.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Security headers. HSTS and the SSL redirect are configurable because TLS may be
# terminated by a proxy (then set SECURE_PROXY_SSL_HEADER_ENABLED).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("SECURE_PROXY_SSL_HEADER_ENABLED", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (Django's middleware): everything from our own origin,
# no inline script or style, no CDN.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Email (Django 6.1 MAILERS): SMTP from EMAIL_URL (smtp+tls://user:pass@host:587);
# without it, the console in development and SMTP on localhost:25 in production.
if EMAIL_URL := env.str("EMAIL_URL", default=""):
    _email = env.email_url_config(EMAIL_URL)
    MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"]}}
    # Only the SMTP backend takes a server's options; the console, file and memory
    # backends (consolemail://, filemail://, memorymail://) refuse them.
    if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
        MAILERS["default"]["OPTIONS"] = {
            "host": _email.get("EMAIL_HOST", "localhost"),
            "port": _email.get("EMAIL_PORT", 25),
            "username": _email.get("EMAIL_HOST_USER", ""),
            "password": _email.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": _email.get("EMAIL_USE_TLS", False),
            "use_ssl": _email.get("EMAIL_USE_SSL", False),
            "timeout": 10,
        }
    elif _email.get("EMAIL_FILE_PATH"):
        MAILERS["default"]["OPTIONS"] = {"file_path": _email["EMAIL_FILE_PATH"]}
elif DEBUG:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
# Background work (passlib/tasks.py): the database backend, run by `manage.py db_worker`
# (make run starts one); TASKS_IMMEDIATE=true runs each task at once after the commit
# (the tests, the demo's seed).
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if env.bool("TASKS_IMMEDIATE", default=False)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# How long a freed place is held for the first on a waiting list (offers/rules.py
# `hold_until` shortens it when the session is near).
WAITLIST_HOLD_HOURS = env.int("WAITLIST_HOLD_HOURS", default=24)

DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="passlib <ne-pas-repondre@passlib.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sirene lookups: "offline" (checksum only) or "recherche-entreprises" (public API).
SIRENE_BACKEND = env.str("SIRENE_BACKEND", default="offline")
SIRENE_API_URL = env.str("SIRENE_API_URL", default="https://recherche-entreprises.api.gouv.fr")
SIRENE_TIMEOUT = env.float("SIRENE_TIMEOUT", default=3.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # One line per task run and state is noise; failures and retries still show
    # (passlib.tasks logs each retry as a warning).
    "loggers": {"django.tasks": {"level": "WARNING"}},
}

# Beneficiaries: individual credit by age (euros), granted at sign-up and on each
# birthday up to 18. Format: "15=0,16=0,17=50,18=150". The defaults are the scheme's
# since its 2025 reform (pass Culture, part individuelle: 50 € at 17, 150 € at 18,
# nothing at 15 and 16, who keep free offers and the collective share); docs/bookings.md.
BENEFICIARY_CREDIT_BY_AGE = {
    int(age): int(euros) * 100
    for age, euros in (
        item.split("=")
        for item in env.list(
            "BENEFICIARY_CREDIT_BY_AGE", default=["15=0", "16=0", "17=50", "18=150"]
        )
    )
}
BENEFICIARY_MIN_AGE = 15
BENEFICIARY_MAX_AGE = 18

# The cache every web process shares (rate limits, list counts: passlib/cache.py).
# Development (DEBUG): local memory, for one runserver process. Otherwise Django's
# database cache in the table `passlib_cache` (created by `migrate`), unless CACHE_URL
# names another: redis://… for several nodes or heavy traffic. `check --deploy`
# refuses local memory with more than one web process (WEB_CONCURRENCY).
CACHE_URL = env.str("CACHE_URL", default="") or (
    "locmemcache://" if DEBUG else "dbcache://passlib_cache"
)
CACHES = {"default": env.cache_url_config(CACHE_URL)}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # Ours: an atomic incr that keeps the expiry (passlib/cache.py).
    CACHES["default"]["BACKEND"] = "passlib.cache.DatabaseCache"
    # Django culls a third of the table past 300 rows: live counters would go with it.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 20_000)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Its own connection to the same database, outside the request's transaction.
        DATABASES["cache"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["passlib.cache.CacheRouter"]
# The number of web processes: gunicorn reads it for its workers (gunicorn.conf.py).
WEB_CONCURRENCY = env.int("WEB_CONCURRENCY", default=1)
# A prefix for every key, when several applications (or test runs) share one Redis.
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="passlib")
GUICHET_LOOKUPS_PER_MINUTE = env.int("GUICHET_LOOKUPS_PER_MINUTE", default=60)


def _rate(name: str, default: str) -> tuple[int, int]:
    """RATE_<NAME>="count/seconds", e.g. RATE_SIGNUP="10/3600"."""
    count, _, seconds = env.str(f"RATE_{name.upper()}", default=default).partition("/")
    return int(count), int(seconds)


# Shared-cache rate limits (passlib/ratelimit.py): attempts per sliding window, counted
# per client IP (NAME) and per target (NAME_target: the e-mail address, the member at
# the guichet). A library's staff often share one public IP: the IP limits are wider.
RATE_LIMITS = {
    "signup": _rate("signup", "20/3600"),
    "signup_target": _rate("signup_target", "3/3600"),
    "password_reset": _rate("password_reset", "20/3600"),
    "password_reset_target": _rate("password_reset_target", "3/3600"),
    "resend_confirmation": _rate("resend_confirmation", "20/3600"),
    "resend_confirmation_target": _rate("resend_confirmation_target", "3/3600"),
    "guichet": _rate("guichet", f"{5 * GUICHET_LOOKUPS_PER_MINUTE}/60"),
    "guichet_target": _rate("guichet_target", f"{GUICHET_LOOKUPS_PER_MINUTE}/60"),
    # Bank details: the password typed to confirm a change, per person.
    "bank_password_target": _rate("bank_password_target", "5/900"),
}

# Reimbursements (finance/): the platform's account the transfers leave from (the SEPA
# file's debtor), and how long after a change of bank details a payment is held for staff.
FINANCE_DEBTOR_NAME = env.str("FINANCE_DEBTOR_NAME", default="pass Culture (démonstration)")
FINANCE_DEBTOR_IBAN = env.str("FINANCE_DEBTOR_IBAN", default="FR7630001007941234567890185")
FINANCE_DEBTOR_BIC = env.str("FINANCE_DEBTOR_BIC", default="BDFEFRPPCCT")
FINANCE_RECENT_CHANGE_DAYS = env.int("FINANCE_RECENT_CHANGE_DAYS", default=10)

# Benchmark only (bench/run.py): route the framework-floor view /bench/floor.
BENCH_FLOOR_VIEW = env.bool("BENCH_FLOOR_VIEW", default=False)
