"""Yishi settings: one module, read from the environment.

Nothing set gives a site for this machine only (127.0.0.1, DEBUG off) on a SQLite file.
Production sets at least YISHI_SECRET_KEY, YISHI_ALLOWED_HOSTS and DATABASE_URL (PostgreSQL),
and YISHI_HTTPS=1 once the site is served over HTTPS.
A setting that cannot be understood stops start-up with a message that names it.
"""

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated IP addresses and networks ("10.0.0.1, 10.1.0.0/16, ::1")."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (10.0.0.1, 10.0.0.0/8, ::1)."
            ) from None
    return tuple(networks)


def database_from_url(url: str) -> dict:
    """Turn DATABASE_URL into Django's DATABASES entry.

    Accepts sqlite:///relative.db, sqlite:////abs/path.db and
    postgres[ql]://user:password@host:port/name (a Unix socket as ?host=/path).
    """
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path)
        if not path:
            raise ImproperlyConfigured(
                "DATABASE_URL: a sqlite URL needs a file, sqlite:///yishi.db"
            )
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / path)}
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL: name the database, postgresql://…/yishi")
        query = parse_qs(parsed.query)
        host = query.get("host", [parsed.hostname or ""])[0]
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": unquote(host),
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("YISHI_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parsed.scheme!r} is not supported: use sqlite:/// or postgresql://"
    )


def local_secret_key(path: Path) -> str:
    """A key for a site only this machine reaches, made on first use and kept in var/ (which
    git ignores). Processes starting together all end up with the first key written."""
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    except OSError as exc:
        raise ImproperlyConfigured(
            f"Set YISHI_SECRET_KEY ({path} cannot be read: {exc})."
        ) from None
    if key:
        return key
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(draft, path)  # atomic, and never replaces a key another process wrote
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"Set YISHI_SECRET_KEY ({path} cannot be made: {exc})."
        ) from None


# ---- Production-safe defaults: nothing set is a site for this machine only, with DEBUG off.
# Developers set YISHI_DEBUG=1 themselves. A site that answers other host names
# (YISHI_ALLOWED_HOSTS, as in production) must be given its own YISHI_SECRET_KEY.
DEBUG = env_bool("YISHI_DEBUG", False)
LOCAL_ONLY = not env_list("YISHI_ALLOWED_HOSTS", [])
ALLOWED_HOSTS = env_list("YISHI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
SECRET_KEY = env_str("YISHI_SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or LOCAL_ONLY):
        raise ImproperlyConfigured(
            "YISHI_SECRET_KEY must be set when the site serves YISHI_ALLOWED_HOSTS "
            "(a long random string, the same for every worker)."
        )
    SECRET_KEY = local_secret_key(BASE_DIR / "var" / "secret_key")
CSRF_TRUSTED_ORIGINS = env_list("YISHI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    # The workflow, in the order its parts depend on each other.
    "core",
    "yishi",
    "timeline",
    "places",
    "accounts",
    "concerns",
    "consultations",
    "accountability",
    "opinions",
    "insights",
    "open311",
    "wechat",
    "notifications",
]

MIDDLEWARE = [
    "yishi.middleware.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files without DEBUG (`make run`, or a server without nginx in front), and CSP.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yishi.middleware.OutOfRangeMiddleware",
]

ROOT_URLCONF = "yishi.urls"
WSGI_APPLICATION = "yishi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yishi.context.navigation",
                "yishi.context.sharing",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL", "sqlite:///db.sqlite3")),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Wait for the writer instead of failing at once when two requests write together.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL: the few hand-written statements of a submit (yishi/sql.py) are prepared once per
# connection. Set 0 behind a pooler in transaction mode (PgBouncer without prepared-statement
# support), where a connection's prepared statements are not the next transaction's.
DB_PREPARED_STATEMENTS = env_bool("YISHI_DB_PREPARED_STATEMENTS", True)

CACHES = {
    # The database cache is shared by every worker process, so login throttling and
    # submit rate limits hold behind several gunicorn workers.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "yishi_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "yishi:workbench"
LOGOUT_REDIRECT_URL = "yishi:home"
# Failed logins before a pause: per username (from any address), and per client address (over
# any usernames; higher, as one office or a mobile carrier's NAT may share an address).
LOGIN_FAILURE_LIMIT = env_int("YISHI_LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("YISHI_LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
LOGIN_LOCKOUT_SECONDS = env_int("YISHI_LOGIN_LOCKOUT_SECONDS", 900)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS: list[Path] = []  # each app keeps its own locale/ folder
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist")]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("YISHI_MEDIA_ROOT", str(BASE_DIR / "media")))

EMAIL_BACKEND = env_str("YISHI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("YISHI_FROM_EMAIL", "yishi@localhost")
# The SMS sender: log (default), aliyun, tencent, or a dotted path (notifications/sms.py).
SMS_SENDER = env_str("YISHI_SMS_SENDER", "log")
# The gateway's credentials (Alibaba AccessKey ID/Secret, Tencent SecretId/SecretKey), its
# approved signature (签名), Tencent's SmsSdkAppId, region, and an endpoint override for an
# intranet gateway or proxy ("http://10.1.2.3:8080"; https is assumed for a bare host).
SMS_ACCESS_KEY_ID = env_str("YISHI_SMS_ACCESS_KEY_ID")
SMS_ACCESS_KEY_SECRET = env_str("YISHI_SMS_ACCESS_KEY_SECRET")
SMS_SIGN_NAME = env_str("YISHI_SMS_SIGN_NAME")
SMS_SDK_APP_ID = env_str("YISHI_SMS_SDK_APP_ID")
SMS_REGION = env_str("YISHI_SMS_REGION")
SMS_ENDPOINT = env_str("YISHI_SMS_ENDPOINT")
SMS_TIMEOUT = env_int("YISHI_SMS_TIMEOUT", 10)
# {kind: {"template": "SMS_123456789", "params": ["words", "code", "path"]}} (JSON): the
# gateway's approved template for each kind of message (notifications.sms.KINDS).
SMS_TEMPLATES = env_str("YISHI_SMS_TEMPLATES", "{}")
# Longest value of one template variable; longer ones are cut between words.
SMS_PARAM_MAX = env_int("YISHI_SMS_PARAM_MAX", 35)
# Minutes to wait before each new try of a refused message; then it is marked failed.
SMS_RETRY_MINUTES = [float(m) for m in env_list("YISHI_SMS_RETRY_MINUTES", ["1", "5", "30", "120"])]

# The demo data loaders, in dependency order; each is idempotent.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("YISHI_LOG_LEVEL", "WARNING")},
    "loggers": {"yishi.sms": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

SITE_NAME = _("Yishi community consultation")

# ---- Client addresses (core.ratelimit.client_ip): X-Forwarded-For is read only when the
# peer is one of these reverse proxies, and then only from the right, up to the first address
# that is not one of them. Empty: the peer's own address counts and the header is ignored.
TRUSTED_PROXIES = env_networks("YISHI_TRUSTED_PROXIES")

# ---- HTTPS (YISHI_HTTPS=1 once the site is served over HTTPS): plain-HTTP requests are
# redirected, browsers are told to use HTTPS only (HSTS, for a year by default, the site's own
# subdomains included: the header of yishi.example.gov.cn never binds example.gov.cn), and the
# session and CSRF cookies travel over HTTPS only. Behind a proxy that ends TLS, the proxy's
# X-Forwarded-Proto says whether the resident's request was HTTPS; it is believed only when
# YISHI_TRUSTED_PROXIES is set (and yishi.middleware drops it from any other peer).
HTTPS = env_bool("YISHI_HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("YISHI_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("YISHI_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("YISHI_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if TRUSTED_PROXIES:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not SECURE_HSTS_PRELOAD:
        # Entering browsers' preload list is decided for a whole registrable domain (the
        # government's, usually), not by one site on it: the warning asks for what is not ours.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# ---- Content Security Policy (django-csp): scripts and styles only from this site's static
# files, no inline script (a template that needs one gives it nonce="{{ request.csp_nonce }}"),
# no plugins, no framing, forms and <base> to this site only. Inline style *attributes* are
# allowed (style-src-attr): ECharts writes its tooltips as HTML with style attributes (without
# them, hovering a chart logs violations and shows an unstyled tooltip; see
# yishi/tests/test_csp_browser.py), and an attribute cannot carry selectors, so it cannot read
# the page the way an injected <style> element can. <style> elements stay forbidden.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

# One style of pagination for every JSON list: ?page=&page_size= → {"items": [...], "count": n}
NINJA_PAGINATION_CLASS = "core.pagination.Pagination"
NINJA_PAGINATION_PER_PAGE = 50
NINJA_MAX_PER_PAGE_SIZE = 200

# concerns: anonymous submits per client address and per phone number in a window (seconds).
# Generous for a busy community behind one address (a WeChat gateway, a library's Wi-Fi).
CONCERN_SUBMIT_WINDOW = env_int("YISHI_CONCERN_SUBMIT_WINDOW", 3600)
CONCERN_SUBMIT_PER_IP = env_int("YISHI_CONCERN_SUBMIT_PER_IP", 120)
CONCERN_SUBMIT_PER_PHONE = env_int("YISHI_CONCERN_SUBMIT_PER_PHONE", 10)
# Lookups by tracking code (tracking pages, the API, rating) per client address and window:
# a resident looks their own code up a few times; a guesser misses, and misses weigh most.
CODE_LOOKUP_WINDOW = env_int("YISHI_CODE_LOOKUP_WINDOW", 600)
CODE_LOOKUPS_PER_IP = env_int("YISHI_CODE_LOOKUPS_PER_IP", 60)
CODE_MISSES_PER_IP = env_int("YISHI_CODE_MISSES_PER_IP", 10)

# notifications: with 1, a state change only records who is to be told (in its request) and
# `manage.py send_notifications` (cron, every minute) talks to the SMS gateway and the mail
# server, so no resident's submit waits on them. Off by default, so a development server
# shows messages at once.
NOTIFICATIONS_DEFER = env_bool("YISHI_NOTIFICATIONS_DEFER", False)

# The address residents open from an SMS (e.g. https://yishi.example.gov.cn); links in messages
# are this followed by the page's path.
SITE_URL = env_str("YISHI_SITE_URL", "")

# ---- WeChat official accounts (wechat/): requests whose timestamp is further than this from
# the server's clock (seconds) are refused, and a timestamp + nonce is accepted once; messages
# per follower in CONCERN_SUBMIT_WINDOW; the class sending template messages (tests: a fake).
WECHAT_MAX_CLOCK_SKEW = env_int("YISHI_WECHAT_MAX_CLOCK_SKEW", 300)
WECHAT_MESSAGES_PER_FOLLOWER = env_int("YISHI_WECHAT_MESSAGES_PER_FOLLOWER", 60)
WECHAT_TEMPLATE_SENDER = env_str("YISHI_WECHAT_TEMPLATE_SENDER", "wechat.sender.ClientSender")
# The key sealing secrets kept in the database (an account's token, EncodingAESKey and
# AppSecret; wechat/sealed.py). Empty: derived from SECRET_KEY, so changing SECRET_KEY then
# means entering those secrets again. Set it to a long random string of its own to rotate
# SECRET_KEY freely.
FIELD_KEY = env_str("YISHI_FIELD_KEY", "")

# ---- Uploads and request size: photos are re-encoded by core/uploads.py and served
# by permission-checked views, never from MEDIA_URL.
# A request declaring a larger body is refused with 413 before it is read
# (yishi.middleware.RequestSizeLimitMiddleware): room for several phone photos at once, each at
# most 10 MB. Keep nginx's client_max_body_size the same.
REQUEST_MAX_BYTES = env_int("YISHI_REQUEST_MAX_MB", 25) * 1024 * 1024
# Form fields and JSON bodies (files not counted) are small: a concern is at most
# 20,000 characters (60 kB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Uploaded files above this go to a temporary file instead of memory while they are checked.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# With nginx in front: the path of an `internal` location aliasing MEDIA_ROOT (for example
# /protected-media/). Photo views then answer with X-Accel-Redirect and nginx sends the file.
MEDIA_ACCEL_REDIRECT = env_str("YISHI_MEDIA_ACCEL_REDIRECT", "")
# Before anything that may read the body (CSRF reads the form), after the language is chosen
# (the 413 page speaks the visitor's language).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.locale.LocaleMiddleware") + 1,
    "yishi.middleware.RequestSizeLimitMiddleware",
)
