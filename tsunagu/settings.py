"""Settings for tsunagu. Everything that differs between machines comes from the environment."""

import datetime
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("TSUNAGU_DATA_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("TSUNAGU_DEBUG", False)


def _local_secret(filename: str) -> str:
    """A random secret kept in a file of DATA_DIR (mode 600), made on first use.

    Used only when the environment gives none: a development machine or the `make run` demo. A production
    server must set the environment variable (several app servers must share the key, and `check --deploy`
    and the WSGI entry point refuse to run without it; see tsunagu/accounts/checks.py).
    """
    import secrets

    path = DATA_DIR / filename
    try:
        if not path.exists():
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first: use theirs
                pass
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_urlsafe(48) + "\n")
        return path.read_text().strip()
    except OSError:
        return ""


SECRET_KEY_FROM_ENV = bool(os.environ.get("TSUNAGU_SECRET_KEY", "").strip())
SECRET_KEY = os.environ.get("TSUNAGU_SECRET_KEY", "").strip() or _local_secret("secret-key")
# The audit chain's HMAC key (tsunagu/privacy/chain.py). It must not live in the database: whoever can write
# the audit table must not be able to recompute the chain. Read lazily, so tests can override it.
TSUNAGU_AUDIT_KEY = os.environ.get("TSUNAGU_AUDIT_KEY", "").strip()
TSUNAGU_AUDIT_KEY_FILE = os.environ.get("TSUNAGU_AUDIT_KEY_FILE", "").strip() or str(DATA_DIR / "audit-key")
# Signed checkpoints of the chain (head hash, count, time), written outside the database by
# `tsunagu audit checkpoint` (cron) and checked by `tsunagu audit verify`.
TSUNAGU_AUDIT_CHECKPOINT_DIR = os.environ.get("TSUNAGU_AUDIT_CHECKPOINT_DIR", "").strip() or str(
    DATA_DIR / "audit-checkpoints")
# Independent audit chains ("lanes") that writers share out (tsunagu/privacy/chain.py): 16 on PostgreSQL, so
# concurrent requests do not queue on one chain head; 1 on SQLite (which serialises writes anyway).
TSUNAGU_AUDIT_LANES = int(os.environ.get("TSUNAGU_AUDIT_LANES", "").strip() or 0) or None
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("TSUNAGU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # the API docs page serves Swagger UI from its own static files (CSP: self only)
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tsunagu.core",
    "tsunagu.accounts",
    "tsunagu.directory",
    "tsunagu.privacy",
    "tsunagu.people",
    "tsunagu.intake",
    "tsunagu.identity",
    "tsunagu.casework",
    "tsunagu.meetings",
    "tsunagu.evaluation",
    "tsunagu.community",
    "tsunagu.outreach",
    "tsunagu.participation",
    "tsunagu.notices",
    "tsunagu.attachments",
    "tsunagu.ledgers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tsunagu.accounts.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tsunagu.core.middleware.RejectNulMiddleware",
    "tsunagu.core.middleware.MunicipalityMiddleware",
    "tsunagu.core.middleware.SecurityHeadersMiddleware",
    # Last, so that it sees the login view's response and turns a lockout into the Japanese lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tsunagu.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tsunagu.core.context.municipality",
                "tsunagu.core.context.navigation",
            ],
        },
    },
]
WSGI_APPLICATION = "tsunagu.wsgi.application"

# Database: DATABASE_URL (PostgreSQL in production); embedded SQLite in WAL mode when unset.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("TSUNAGU_SQLITE_PATH", str(DATA_DIR / "tsunagu.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE: a writer takes the lock at BEGIN, so read-then-write (audit chain) never deadlocks.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            # Tests use a file too, not Django's shared in-memory database: its table locks fail at once where
            # a real SQLite file waits (busy timeout), so parallel sessions could not be tested on it.
            "TEST": {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "directory.Staff"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("TSUNAGU_FAST_HASHER"):
    # Tests only: argon2 by design costs ~50 ms per hash.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name or address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Every place a password is set goes through these (the password-change page, create_staff, admin reset).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "display_name", "first_name", "last_name", "email")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login protection (django-axes): a user name is locked after AXES_FAILURE_LIMIT failures, an address after
# TSUNAGU_LOCKOUT_IP_FAILURES (higher: a city office often reaches the server through one address), for
# TSUNAGU_LOCKOUT_MINUTES or until an administrator unlocks it on the staff page (tsunagu/accounts).
AXES_FAILURE_LIMIT = int(os.environ.get("TSUNAGU_LOCKOUT_FAILURES", "5"))
TSUNAGU_LOCKOUT_IP_FAILURES = int(os.environ.get("TSUNAGU_LOCKOUT_IP_FAILURES", "20"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("TSUNAGU_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "tsunagu.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "tsunagu.accounts.lockout.lockout_response"
# Failures are forgotten only when the whole sign-in succeeds — after the second factor where one is needed
# (tsunagu.accounts.lockout.signed_in): wrong codes count like wrong passwords, and a correct password alone does
# not wipe them.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
AXES_IPWARE_PROXY_COUNT = int(os.environ["TSUNAGU_PROXY_COUNT"]) if os.environ.get("TSUNAGU_PROXY_COUNT") else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (["HTTP_X_FORWARDED_FOR"] if AXES_IPWARE_PROXY_COUNT else []) + ["REMOTE_ADDR"]

# Two-factor authentication (django-otp TOTP + recovery codes) for privileged roles: tsunagu/accounts/policy.py.
OTP_TOTP_ISSUER = "tsunagu"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Sessions: the idle timeout comes from the municipality profile (security.idle_timeout_minutes, default 30);
# the absolute timeout caps a session however busy it is. Both are enforced by SessionSecurityMiddleware.
TSUNAGU_SESSION_MAX_HOURS = float(os.environ.get("TSUNAGU_SESSION_MAX_HOURS", "10"))
SESSION_COOKIE_AGE = int(TSUNAGU_SESSION_MAX_HOURS * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS (TSUNAGU_HTTPS=1; the older name TSUNAGU_SECURE_COOKIES=1 means the same): secure cookies, a redirect
# from http to https (except /healthz for load balancers), and HSTS for a year.
HTTPS = env_bool("TSUNAGU_HTTPS", False) or env_bool("TSUNAGU_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("TSUNAGU_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TSUNAGU_HSTS_SUBDOMAINS", False)
if env_bool("TSUNAGU_BEHIND_PROXY", False):
    # Only behind a proxy that sets this header itself: otherwise a client could claim https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request when it is missing
# Static files are served by WhiteNoise straight from the app folders: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TSUNAGU_LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "tsunagu.core.views.csrf_failure"

# お知らせの日次メール (`tsunagu notices daily --mail`): Django's mail settings; the link in it starts here.
TSUNAGU_BASE_URL = os.environ.get("TSUNAGU_BASE_URL", "")
if os.environ.get("TSUNAGU_EMAIL_HOST"):
    EMAIL_HOST = os.environ["TSUNAGU_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("TSUNAGU_EMAIL_PORT", "25"))
    EMAIL_USE_TLS = os.environ.get("TSUNAGU_EMAIL_TLS") == "1"
    EMAIL_HOST_USER = os.environ.get("TSUNAGU_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("TSUNAGU_EMAIL_PASSWORD", "")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # no mail server configured: print
DEFAULT_FROM_EMAIL = os.environ.get("TSUNAGU_EMAIL_FROM", "tsunagu@localhost")

# 添付ファイル: kept outside the web root, under random names; PDF/JPEG/PNG by content; size limit in MB.
TSUNAGU_ATTACHMENT_DIR = os.environ.get("TSUNAGU_ATTACHMENT_DIR", "").strip() or str(DATA_DIR / "attachments")
TSUNAGU_ATTACHMENT_MAX_MB = int(os.environ.get("TSUNAGU_ATTACHMENT_MAX_MB", "10"))
