"""Patto settings: one file, driven by environment variables (see README, "Configuration").

PATTO_ENV=production switches on the hardened defaults and refuses to start without a secret key.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PATTO_ENV = env("PATTO_ENV", "development")
PRODUCTION = PATTO_ENV == "production"

DEBUG = env_bool("PATTO_DEBUG", False)
SECRET_KEY = env("PATTO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("PATTO_SECRET_KEY must be set in production.")
    SECRET_KEY = "development-only-not-secret-" + "x" * 40  # never used with PATTO_ENV=production
SECRET_KEY_FALLBACKS = env_list("PATTO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("PATTO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("PATTO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "template_partials",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "patto.core",
    "patto.accounts",
    "patto.audit",
    "patto.documents",
    "patto.territory",
    "patto.notifications",
    "patto.governance",
    "patto.cases",
    "patto.referrals",
    "patto.monitoring",
    "patto.funding",
    "patto.helpdesk",
    "patto.offer",
]
if not PRODUCTION:  # the fictional demo district (seed_demo, published passwords) never exists in production
    INSTALLED_APPS.append("patto.demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "patto.core.middleware.RequestContextMiddleware",
    # Before anything that needs the database (the three above do not: HSTS, static files, request id):
    # database down or hung → 503 in seconds.
    "patto.core.middleware.DatabaseGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "patto.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "patto.accounts.middleware.SessionLifetimeMiddleware",
    "patto.accounts.middleware.ActingMembershipMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "patto.accounts.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "patto.core.middleware.SecurityHeadersMiddleware",
    "patto.core.middleware.ServiceUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "patto.urls"
WSGI_APPLICATION = "patto.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "patto" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # ``{% url %}`` with its answers remembered and ``|date`` with its formats read once, in place of
            # Django's (core/templatetags/patto_urls.py, patto_formats.py)
            "builtins": ["patto.core.templatetags.patto_urls", "patto.core.templatetags.patto_formats"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "patto.core.context_processors.patto",
                "patto.accounts.context_processors.identity",
                "patto.notifications.context_processors.bell",
            ],
        },
    }
]
FORM_RENDERER = "patto.core.forms.PattoFormRenderer"

# --- Database -----------------------------------------------------------------------------------
# DATABASE_URL wins; otherwise PGDATABASE (with the other PG* variables, read by libpq) selects
# PostgreSQL; otherwise the embedded SQLite file under var/.
# In production the web app connects as a runtime role that owns nothing (it cannot change the audit trail);
# `migrate` and `grant_runtime_role` run with the owner role's credentials in their own environment
# (README, "Production"; patto/audit/dbroles.py).
if env("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60, conn_health_checks=True)}
elif env("PGDATABASE"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env("PGDATABASE"),
            "USER": env("PGUSER"),
            "PASSWORD": env("PGPASSWORD"),
            "HOST": env("PGHOST"),
            "PORT": env("PGPORT"),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("PATTO_SQLITE_PATH", str(BASE_DIR / "var" / "patto.sqlite3")),
            # Several people at once: write-ahead log (readers never wait for a writer), transactions that
            # take the write lock when they start (a read that turns into a write cannot fail with "database
            # is locked" half-way), and a busy timeout (s) to wait for that lock. Django 5.2's SQLite options.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": int(env("PATTO_SQLITE_TIMEOUT", "20")),
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
PATTO_DB_STATEMENT_TIMEOUT = float(env("PATTO_DB_STATEMENT_TIMEOUT", "30"))
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A database down or hung answers in seconds (patto.core.dbguard): connecting gives up after 2 s, a
    # statement after PATTO_DB_STATEMENT_TIMEOUT s (0 = none; set 0 for `migrate` on big tables), and TCP
    # keepalives find a peer that vanished from an idle connection. Connections are reused for a minute and
    # checked before reuse.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": 2,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        }
    )
    # No JIT compilation: Patto's statements (the monitoring's aggregates included) run in tens or hundreds of
    # milliseconds, and compiling them cost 0.2–0.45 s each, more than it saved (measured: bench_monitoring).
    server_options = ["-c jit=off"]
    if PATTO_DB_STATEMENT_TIMEOUT:
        server_options.append(f"-c statement_timeout={int(PATTO_DB_STATEMENT_TIMEOUT * 1000)}")
    DATABASES["default"]["OPTIONS"].setdefault("options", " ".join(server_options))
    # Server-side binding: the statement and its values travel apart, so that psycopg prepares a statement
    # the connection has run 5 times and PostgreSQL stops planning it again. The visibility queries (nested
    # EXISTS: seats, fit, standing, consent) took 1–1.5 ms to plan and 0.3 ms to run (measured: bench_floor).
    # PATTO_DB_PREPARED=0 turns this off, for a pooler in transaction mode that cannot keep prepared statements.
    if env_bool("PATTO_DB_PREPARED", True):
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5  # Django leaves psycopg's preparing off
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env("PGSSLMODE"):
        DATABASES["default"]["OPTIONS"]["sslmode"] = env("PGSSLMODE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "patto.accounts.backends.PasswordBackend",
]
PASSWORD_HASHERS = [
    "patto.accounts.hashers.PattoArgon2PasswordHasher",  # Argon2id, parameters and their cost in that file
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 3600
# A new account's invitation (the link to choose a password) lasts longer than a reset link; resending it
# (the institution's administrator) makes the previous link useless.
PATTO_INVITATION_HOURS = int(env("PATTO_INVITATION_HOURS", "72"))
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The client's address behind the reverse proxies in front of Patto (how many: 0 = none, REMOTE_ADDR is
# the client). Counted from the right of X-Forwarded-For, never its left-most entry, which the client
# writes. Used by the audit trail and the lockout (patto.core.context.client_ip).
PATTO_TRUSTED_PROXIES = int(env("PATTO_TRUSTED_PROXIES", "0"))

# Lockout: 5 failures per username + IP address (together: failures from elsewhere never lock the owner
# out from their usual address), 30 minutes cool-off. The message never says whether the account exists.
AXES_FAILURE_LIMIT = int(env("PATTO_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(env("PATTO_LOCKOUT_MINUTES", "30")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "patto.core.context.client_ip"
AXES_LOCKOUT_CALLABLE = "patto.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # our audit trail records sign-ins; axes keeps only the failure counters
AXES_VERBOSE = False

# Two-factor authentication: required for every account when on (production default).
PATTO_REQUIRE_MFA = env_bool("PATTO_REQUIRE_MFA", PRODUCTION)
# Step-up: changing the second factor (and exporting personal data) needs the password typed again within
# this many minutes (patto.accounts.stepup).
PATTO_STEP_UP_MINUTES = int(env("PATTO_STEP_UP_MINUTES", "10"))
OTP_TOTP_ISSUER = env("PATTO_OTP_ISSUER", "Patto")

# --- Sessions and cookies -----------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
PATTO_SESSION_IDLE_MINUTES = int(env("PATTO_SESSION_IDLE_MINUTES", "30"))
PATTO_SESSION_ABSOLUTE_HOURS = int(env("PATTO_SESSION_ABSOLUTE_HOURS", "12"))
SESSION_COOKIE_AGE = PATTO_SESSION_ABSOLUTE_HOURS * 3600
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("PATTO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("PATTO_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Strict CSP: only our own scripts, styles and fonts; nothing inline (see docs/architecture.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "patto" / "locale"]
FORMAT_MODULE_PATH = ["patto.formats"]  # prose dates "1 dicembre 2026"; day-month order in English too
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "patto" / "static"]
STATIC_ROOT = Path(env("PATTO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))  # collectstatic writes here
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Email --------------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "PATTO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("PATTO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("PATTO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = env("PATTO_EMAIL_USER")
EMAIL_HOST_PASSWORD = env("PATTO_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("PATTO_EMAIL_TLS", True)
EMAIL_USE_SSL = env_bool("PATTO_EMAIL_SSL", False)  # implicit TLS (port 465, as PEC providers offer): TLS off then
EMAIL_TIMEOUT = int(env("PATTO_EMAIL_TIMEOUT", "30"))  # a hung SMTP server must not hold the worker
DEFAULT_FROM_EMAIL = env("PATTO_EMAIL_FROM", "patto@localhost")
# The address of Patto as people reach it, for the links in e-mails (sent by the worker, which has no
# request to ask). In production, by default, https:// and the first of PATTO_ALLOWED_HOSTS.
PATTO_BASE_URL = env(
    "PATTO_BASE_URL",
    f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION and ALLOWED_HOSTS else "http://127.0.0.1:8000",
).rstrip("/")

# --- Background tasks (django-tasks, the backport of Django 6's django.tasks) ------------------------
# Queued in the database and run by `manage.py db_worker` (README, "Production"): a page never waits for an
# e-mail. The same backend in every environment; tests switch to the immediate one where they need to.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A failed e-mail is tried again by `send_reminders` after 10, 20, 40… minutes, this many times in all.
PATTO_EMAIL_MAX_ATTEMPTS = int(env("PATTO_EMAIL_MAX_ATTEMPTS", "8"))

# --- Exports in the background (patto.core.exportjobs) ------------------------------------------------
# An export bigger than PATTO_EXPORT_DIRECT_MAX rows (the monitoring report: commitments) is built by the worker
# while the user waits on a page that refreshes; the file is kept PATTO_EXPORT_KEEP_HOURS hours outside the web
# root, for the person who asked only, then removed by the nightly `maintenance`. Each export is built in a
# process of its own (PATTO_EXPORT_SUBPROCESS), stopped after PATTO_EXPORT_TIMEOUT_SECONDS, so the worker gives
# the memory of a big PDF back at once.
PATTO_EXPORT_ROOT = env("PATTO_EXPORT_ROOT", str(BASE_DIR / "var" / "exports"))
PATTO_EXPORT_KEEP_HOURS = int(env("PATTO_EXPORT_KEEP_HOURS", "24"))
PATTO_EXPORT_DIRECT_MAX = int(env("PATTO_EXPORT_DIRECT_MAX", "150"))
PATTO_EXPORT_SUBPROCESS = env_bool("PATTO_EXPORT_SUBPROCESS", True)
PATTO_EXPORT_TIMEOUT_SECONDS = int(env("PATTO_EXPORT_TIMEOUT_SECONDS", "900"))

# --- Patto --------------------------------------------------------------------------------------
# Shown after "Patto" before sign-in (e.g. "Distretto di Rimini"); none by default, so the title is not
# "Patto · Patto territoriale PIPPI".
PATTO_DEFAULT_DISTRICT_NAME = env("PATTO_DISTRICT_NAME", "")
PATTO_PAGE_SIZE = 25
# Closure ends the team's seats (all but the case manager's) after this many days; later reads of a
# closed path are reasoned archive accesses, each valid this many hours.
PATTO_CLOSURE_GRACE_DAYS = int(env("PATTO_CLOSURE_GRACE_DAYS", "30"))
# Response time of a request when no procedure of the pact sets one (working days).
PATTO_DEFAULT_RESPONSE_WORKING_DAYS = int(env("PATTO_DEFAULT_RESPONSE_WORKING_DAYS", "10"))
PATTO_ARCHIVE_ACCESS_HOURS = int(env("PATTO_ARCHIVE_ACCESS_HOURS", "8"))

# --- Audit retention (manage.py maintenance → archive_audit) ---------------------------------------
# Events older than this many whole months are written to a gzip JSON-lines file under the archive folder
# (its SHA-256 recorded), then removed. The Garante asks at least 24 months for access logs: fewer is refused.
PATTO_AUDIT_RETENTION_MONTHS = int(env("PATTO_AUDIT_RETENTION_MONTHS", "24"))
if PATTO_AUDIT_RETENTION_MONTHS < 24:
    raise ImproperlyConfigured("PATTO_AUDIT_RETENTION_MONTHS must be at least 24 (access logs are kept 24 months).")
PATTO_AUDIT_ARCHIVE_DIR = env("PATTO_AUDIT_ARCHIVE_DIR", str(BASE_DIR / "var" / "audit-archive"))

# --- Uploads (typed by content, scanned, never served inline) ----------------------------------------
# Stored outside the web root under random names, never served directly; checked by content; scanned by
# ClamAV's clamd. Set the reverse proxy's body limit a little above PATTO_UPLOAD_MAX_MB.
PATTO_UPLOAD_ROOT = env("PATTO_UPLOAD_ROOT", str(BASE_DIR / "var" / "uploads"))
PATTO_UPLOAD_MAX_MB = int(env("PATTO_UPLOAD_MAX_MB", "20"))
PATTO_UPLOAD_QUOTA_MB = int(env("PATTO_UPLOAD_QUOTA_MB", "500"))  # per pact, per family's path
PATTO_CLAMD_SOCKET = env("PATTO_CLAMD_SOCKET")  # e.g. /run/clamav/clamd.ctl
PATTO_CLAMD_ADDRESS = env("PATTO_CLAMD_ADDRESS")  # or host:port
PATTO_CLAMD_TIMEOUT = float(env("PATTO_CLAMD_TIMEOUT", "60"))
if PRODUCTION and not (PATTO_CLAMD_SOCKET or PATTO_CLAMD_ADDRESS):
    raise ImproperlyConfigured("Set PATTO_CLAMD_SOCKET or PATTO_CLAMD_ADDRESS: uploads must be scanned in production.")
FILE_UPLOAD_HANDLERS = [
    "patto.documents.uploadhandlers.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# --- Logging: one JSON object per line, with the request id; never personal data ---------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "patto.core.logging.RequestContextFilter"}},
    "formatters": {"json": {"()": "patto.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request"]},
    },
    "root": {"handlers": ["console"], "level": env("PATTO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
