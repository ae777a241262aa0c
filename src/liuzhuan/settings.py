"""Django settings for liuzhuan.

Configuration comes from the environment only (see README "配置"). Development defaults are
safe to run on a laptop: SQLite under ``var/``, a generated secret key kept in ``var/``.
Production: set ``LIUZHUAN_DEBUG=false``, ``LIUZHUAN_HTTPS=true``, ``DATABASE_URL``,
``LIUZHUAN_SECRET_KEY`` (or ``LIUZHUAN_SECRET_KEY_FILE``) and ``LIUZHUAN_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import datetime as _dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("LIUZHUAN_VAR_DIR", BASE_DIR / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    """Strict boolean: only 'true' or 'false' (any case). 'yes', '1', '' are refused."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    raise ImproperlyConfigured(f"{name} must be 'true' or 'false', got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _secret_key() -> str:
    if key := os.environ.get("LIUZHUAN_SECRET_KEY"):
        return key
    if path := os.environ.get("LIUZHUAN_SECRET_KEY_FILE"):
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"cannot read LIUZHUAN_SECRET_KEY_FILE {path}: {exc}") from exc
    if not DEBUG and HTTPS:
        raise ImproperlyConfigured("production (LIUZHUAN_HTTPS=true) needs LIUZHUAN_SECRET_KEY(_FILE)")
    # Development: generate once and keep it under var/ so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    keyfile = VAR_DIR / "secret_key"
    if not keyfile.exists():
        fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(64))
    return keyfile.read_text(encoding="utf-8").strip()


DEBUG = env_bool("LIUZHUAN_DEBUG", False)
HTTPS = env_bool("LIUZHUAN_HTTPS", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("LIUZHUAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("LIUZHUAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "liuzhuan.core",
    "liuzhuan.members",
    "liuzhuan.supervision",
    "liuzhuan.certificates",
    "liuzhuan.netting",
    "liuzhuan.bridge",
    "liuzhuan.setoff",
    "liuzhuan.housing",
    "liuzhuan.merchants",
]

# Work that must not run in a web request (set-off runs, large uploads) goes to Django's Tasks API;
# the database backend stores the queue in the same database, and `liuzhuan db_worker` (started by
# ./run beside gunicorn) executes it. LIUZHUAN_TASKS_IMMEDIATE=true runs tasks in-process instead.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("LIUZHUAN_TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

MIDDLEWARE = [
    "liuzhuan.core.middleware.ContentSecurityPolicyMiddleware",  # outermost: every answer carries it
    "liuzhuan.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "liuzhuan.core.middleware.OrganisationRequiredMiddleware",
    "liuzhuan.core.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "liuzhuan.urls"
WSGI_APPLICATION = "liuzhuan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "liuzhuan.core.context.navigation",
            ],
            "builtins": ["liuzhuan.core.templatetags.liuzhuan_tags"],
        },
    }
]

# --- database -----------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "liuzhuan.sqlite3"
SQLITE_OPTIONS = {
    # Writers take the lock at BEGIN and wait (busy timeout) instead of failing halfway with
    # "database is locked" on lock upgrade.
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def _sqlite_database(name) -> dict:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "liuzhuan.core.sqlite",
        "NAME": name,
        "OPTIONS": SQLITE_OPTIONS,
        # A file (not :memory:) so multi-process tests see the same database; per process so two
        # test runs on one machine never share it.
        "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
    }


_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url, conn_max_age=int(os.environ.get("LIUZHUAN_DB_CONN_MAX_AGE", "60")), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # sqlite:///… : the same entry as the default
        DATABASES["default"] = _sqlite_database(DATABASES["default"]["NAME"])
    elif suffix := os.environ.get("LIUZHUAN_TEST_DB_SUFFIX", ""):
        # Test runs create test_<name>; the suffix keeps parallel runs on one server apart.
        DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default'].get('NAME') or 'liuzhuan'}_{suffix}"}
else:
    DATABASES = {"default": _sqlite_database(SQLITE_PATH)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
#: failed logins before the account is locked, and for how long
LOGIN_MAX_FAILURES = int(os.environ.get("LIUZHUAN_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_MINUTES = int(os.environ.get("LIUZHUAN_LOGIN_LOCK_MINUTES", "15"))
#: how many reverse proxies in front append to X-Forwarded-For (0: the client is REMOTE_ADDR);
#: the login lockout and the public verify page's rate limit key on the client's address
TRUSTED_PROXIES = int(os.environ.get("LIUZHUAN_TRUSTED_PROXIES", "0"))
#: public verify page (/verify/…): requests per client address per minute
VERIFY_RATE_PER_MINUTE = int(os.environ.get("LIUZHUAN_VERIFY_RATE_PER_MINUTE", "30"))

# --- caches -----------------------------------------------------------------------------------
#: "throttle" holds rate-limit counters in files under var/ so every server process (gunicorn
#: workers) counts against the same window; nothing else is cached.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "throttle"),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

# --- request bodies -------------------------------------------------------------------------
#: the largest request body taken at all (the obligation import's 40 MB file plus the form around
#: it): a larger Content-Length is answered 413 before a byte of the body is read. Put the same
#: limit in front of the server (nginx client_max_body_size) in production.
MAX_REQUEST_BYTES = int(os.environ.get("LIUZHUAN_MAX_REQUEST_MB", "45")) * 1024 * 1024
# /healthz: 503 below this much free disk under VAR_DIR; "degraded" when a due task has waited longer
HEALTH_MIN_FREE_MB = int(os.environ.get("LIUZHUAN_HEALTH_MIN_FREE_MB", "200"))
HEALTH_MAX_TASK_WAIT_S = int(os.environ.get("LIUZHUAN_HEALTH_MAX_TASK_WAIT_S", "300"))
#: uploaded files above this go to a temporary file while the request is parsed, not to memory
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- i18n ---------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# --- security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = False  # the API reads it for session-authenticated JS clients
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
#: Content-Security-Policy (core.middleware.ContentSecurityPolicyMiddleware): scripts, styles,
#: fonts and images from this site only, no inline scripts; style attributes (style="…") are
#: allowed, <style> blocks are not. Swagger UI (/api/v1/docs) draws its icons as data: images.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:", "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'self'",
    "form-action 'self'", "frame-ancestors 'none'",
])
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("LIUZHUAN_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("LIUZHUAN_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIUZHUAN_LOG_LEVEL", "WARNING")},
}

# --- business parameters ------------------------------------------------------------------
#: largest single amount accepted anywhere, in fen (default one trillion yuan)
# 存量业务 (seed 000 六（三）): certificates the operator records with an original issue date before
# this day are business that predates the plan (YYYY-MM-DD; anything else is refused)
try:
    LIUZHUAN_POLICY_START_DATE = _dt.date.fromisoformat(os.environ.get("LIUZHUAN_POLICY_START_DATE", "2025-09-01").strip())
except ValueError as _exc:
    raise ImproperlyConfigured(f"LIUZHUAN_POLICY_START_DATE must be YYYY-MM-DD: {_exc}") from _exc
LIUZHUAN_AMOUNT_CEILING_FEN = int(os.environ.get("LIUZHUAN_AMOUNT_CEILING_FEN", str(10**14)))
NINJA_PAGINATION_PER_PAGE = 50
