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
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "treebeard",
    "bootstrap",
    "wenyi.core",
    "wenyi.campaigns",
    "wenyi.orgs",
    "wenyi.activities",
    "wenyi.reporting",
    "wenyi.works",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wenyi.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "wenyi.urls"
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
                "wenyi.site.navigation",
            ],
        },
    },
]

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
    "rules.permissions.ObjectPermissionBackend",
    "wenyi.orgs.auth.UsernameOrMobileBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
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
# The app serves its own static files (no separate web server on the embedded
# default); finders avoid a collectstatic step.
WHITENOISE_USE_FINDERS = True
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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("WENYI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

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

WENYI_PAGE_SIZE = env_int("WENYI_PAGE_SIZE", 50, minimum=5)
WENYI_UPLOAD_MAX_MB = env_int("WENYI_UPLOAD_MAX_MB", 20, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = WENYI_UPLOAD_MAX_MB * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("WENYI_LOG_LEVEL", "INFO")},
}
