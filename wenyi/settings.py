"""Settings for wenyi: one file, every value from the environment (see .env.example).

With no variable set at all, `wenyi setup && wenyi serve` works: SQLite under ./var,
a secret key generated on first use and kept in ./var/secret_key.
"""

import datetime
from pathlib import Path

import dj_database_url

from wenyi.env import (
    EnvError,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    load_or_create_secret,
    media_storage,
)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

DATA_DIR = Path(env_str("WENYI_DATA_DIR", str(Path.cwd() / "var"))).resolve()
MEDIA_ROOT = Path(env_str("WENYI_MEDIA_DIR", str(DATA_DIR / "media")))
CAMPAIGNS_DIR = Path(env_str("WENYI_CAMPAIGNS_DIR", str(PROJECT_DIR / "campaigns")))

SECRET_KEY = load_or_create_secret(DATA_DIR)
DEBUG = env_bool("WENYI_DEBUG", False)
ALLOWED_HOSTS = env_list("WENYI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("WENYI_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("WENYI_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "treebeard",
    "bootstrap",
    "axes",
    "csp",
    "wenyi.core",
    "wenyi.campaigns",
    "wenyi.orgs",
    "wenyi.activities",
    "wenyi.reporting",
    "wenyi.works",
    "wenyi.review",
    "wenyi.awards",
    "wenyi.documents",
    "wenyi.portal",
    "wenyi.dashboard",
    "wenyi.api",
    "ninja",  # the API's docs page from the package's own static files (no CDN)
    "wenyi.site",
]

MIDDLEWARE = [
    # first: a body over WENYI_REQUEST_MAX_MB is refused before anything reads it
    "wenyi.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # pages gzipped (with BREACH padding); files are sent as they are
    "wenyi.core.middleware.PageCompressionMiddleware",
    "csp.middleware.CSPMiddleware",
    "wenyi.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wenyi.core.middleware.ChineseFirstLocaleMiddleware",
    # under /api/ every error is problem details, whoever answered it
    "wenyi.core.middleware.ApiProblemMiddleware",
    # a token's read under /api/ answered again while the database has not changed
    "wenyi.api.cache.ReadCache",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # before the CSRF check reads the form: an unreadable upload gets a page saying why
    "wenyi.core.middleware.FormDataErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last: turns a login refused for too many wrong passwords into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wenyi.site.urls"
WSGI_APPLICATION = "wenyi.wsgi.application"

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
                "wenyi.site.views.navigation",
            ],
        },
    },
]
# a form's fields are drawn with Django's own widget templates for Jinja2: the same
# HTML, a few milliseconds less on every form page than the Django template engine
FORM_RENDERER = "django.forms.renderers.Jinja2"

# Database: SQLite under WENYI_DATA_DIR unless DATABASE_URL names another.
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    except Exception as exc:  # dj-database-url raises several kinds
        raise EnvError(f"DATABASE_URL: cannot be read ({exc})") from None
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "wenyi.sqlite3",
            # a connection kept for the next request: opening one reads the whole
            # schema again, several milliseconds of every page (bench/bench_load.py)
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                # WAL lets readers work while a writer commits; IMMEDIATE takes the
                # write lock at BEGIN so two writers queue instead of failing.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # first: refuses a login or address locked out for too many wrong passwords
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "wenyi.orgs.auth.UsernameOrMobileBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Wrong passwords (wenyi.orgs.throttle): per login, and per address (higher: an office
# often shares one address); the lock ends COOLOFF minutes after the last failure.
# The dashboard while people keep saving: shown again for up to this many seconds (with
# the time it was counted and a link to count again) instead of counted afresh after
# every save anywhere; 0: always exactly as the data is
WENYI_DASHBOARD_LAG_SECONDS = env_int("WENYI_DASHBOARD_LAG_SECONDS", 30, minimum=0)
WENYI_LOGIN_FAILURES = env_int("WENYI_LOGIN_FAILURES", 5, minimum=1)
WENYI_LOGIN_FAILURES_PER_ADDRESS = env_int("WENYI_LOGIN_FAILURES_PER_ADDRESS", 30, minimum=1)
WENYI_TRUSTED_PROXIES = env_int("WENYI_TRUSTED_PROXIES", 0, minimum=0)
AXES_FAILURE_LIMIT = WENYI_LOGIN_FAILURES
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env_int("WENYI_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "wenyi.orgs.throttle.LoginThrottle"
AXES_USERNAME_CALLABLE = "wenyi.orgs.throttle.canonical_login"
AXES_CLIENT_IP_CALLABLE = "wenyi.orgs.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "wenyi.orgs.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("WENYI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Apache ECharts (the dashboard's charts) from the npm registry: `make` runs `npm ci`
# (package.json pins the release); its echarts.min.js alone is served as
# static/echarts/echarts.min.js (wenyi.dashboard.finders), no CDN
ECHARTS_DIR = PROJECT_DIR / "node_modules" / "echarts" / "dist"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "wenyi.dashboard.finders.EChartsFinder",
]
# The app serves its own static files (WhiteNoise; no separate web server on the
# embedded default). `wenyi setup` and `wenyi serve` run collectstatic into STATIC_ROOT:
# every file gets a name with a hash of its content (app.3f2a….css) and a gzip copy, so
# pages name files that browsers may keep for a year (WhiteNoise sends "immutable" for
# hashed names) and a phone downloads ~74 KB instead of ~370 KB. With DEBUG on, the
# storage hands out plain names and finders serve the files, no collectstatic needed.
# Pages (HTML) are compressed by the app (core.middleware.PageCompressionMiddleware):
# Django's gzip pads every answer with random bytes against BREACH, the CSRF token is
# masked anew on each page and the session cookie is SameSite=Lax.
# Uploaded files: under MEDIA_ROOT, or in the private S3-compatible bucket WENYI_S3_BUCKET
# (wenyi.core.storage; docs/deploy.md) when the app runs on several machines.
STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# only the collected files are served (finders would add uncompressed copies under the
# plain names); with DEBUG on, files are found where they are, no collectstatic needed
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"

TASKS = {"default": {"BACKEND": env_str("WENYI_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Mail: SMTP when WENYI_EMAIL_HOST is set, otherwise messages are written as files
# to WENYI_DATA_DIR/outbox so nothing is lost on a machine without a mail server.
EMAIL_HOST = env_str("WENYI_EMAIL_HOST", "")
EMAIL_PORT = env_int("WENYI_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("WENYI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("WENYI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("WENYI_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("WENYI_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise EnvError("WENYI_EMAIL_USE_TLS and WENYI_EMAIL_USE_SSL: set at most one of them")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("WENYI_EMAIL_FROM", "wenyi@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"

# Text messages (the public vote's phone codes, wenyi.core.sms): a dotted path to a
# backend; the default writes them to the log (no gateway on a closed network).
WENYI_SMS_BACKEND = env_str("WENYI_SMS_BACKEND", "wenyi.core.sms.LogBackend")

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS: cookies only over TLS, plain HTTP redirected, and browsers told to come back
# by HTTPS only (HSTS). Behind a reverse proxy that ends TLS, WENYI_TRUSTED_PROXIES
# says how many proxies to trust for X-Forwarded-Proto and the client's address.
WENYI_HTTPS = env_bool("WENYI_HTTPS", env_bool("WENYI_SECURE_COOKIES", False))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = WENYI_HTTPS
if WENYI_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("WENYI_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("WENYI_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("WENYI_HSTS_PRELOAD", False)
    if WENYI_TRUSTED_PROXIES:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # including sub-domains and preloading bind every host of the domain to HTTPS for
    # years: the domain's owner decides that, so leaving them off is no warning here
    SILENCED_SYSTEM_CHECKS = [
        *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
        *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
    ]

# Content-Security-Policy (django-csp): scripts, styles, fonts and pictures from this
# site only, no inline script or style, no plug-ins, no framing. Files people uploaded
# get a stricter sandboxing policy of their own (core.uploads.served_file_policy).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

_today = env_str("WENYI_TODAY", "")
try:
    WENYI_TODAY = datetime.date.fromisoformat(_today) if _today else None
except ValueError:
    raise EnvError(f"WENYI_TODAY={_today!r}: expected a date as YYYY-MM-DD, or nothing") from None

# originality: a pair of images is a possible copy at this many differing bits of 64
WENYI_IMAGE_DISTANCE = env_int("WENYI_IMAGE_DISTANCE", 10, minimum=0)
# originality of texts: a pair is a possible copy at this Jaccard similarity, or when
# either text is contained in the other to this share, or when one matching passage is
# at least LONG_PASSAGE characters; passages shorter than MIN_PASSAGE are ignored
WENYI_SIMILARITY_JACCARD = env_float("WENYI_SIMILARITY_JACCARD", 0.5)
WENYI_SIMILARITY_CONTAINMENT = env_float("WENYI_SIMILARITY_CONTAINMENT", 0.4)
WENYI_SIMILARITY_MIN_PASSAGE = env_int("WENYI_SIMILARITY_MIN_PASSAGE", 20, minimum=5)
WENYI_SIMILARITY_LONG_PASSAGE = env_int("WENYI_SIMILARITY_LONG_PASSAGE", 200, minimum=20)

WENYI_UPLOAD_MAX_MB = env_int("WENYI_UPLOAD_MAX_MB", 20, minimum=1)

# Folders of extra fonts for PDFs (comma-separated), besides the system's (core.typst).
WENYI_FONT_DIRS = env_list("WENYI_FONT_DIRS", [])
DATA_UPLOAD_MAX_MEMORY_SIZE = WENYI_UPLOAD_MAX_MB * 1024 * 1024
# a whole request (a form with several files); larger bodies are refused unread
WENYI_REQUEST_MAX_MB = env_int("WENYI_REQUEST_MAX_MB", 200, minimum=1)
DATA_UPLOAD_MAX_NUMBER_FILES = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("WENYI_LOG_LEVEL", "INFO")},
}
