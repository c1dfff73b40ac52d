"""Settings, read from the environment.

DATABASE_URL      default: SQLite file var/dangjian.sqlite3 (WAL); postgres://user@host/db for PostgreSQL
DANGJIAN_SECRET_KEY, DANGJIAN_DEBUG (0/1), DANGJIAN_ALLOWED_HOSTS (comma-separated)
DANGJIAN_SECRET_KEY_FILE  default: var/secret_key of the checkout, written by `make setup` (local use)
HTTPS behind a proxy: DANGJIAN_SECURE_COOKIES, DANGJIAN_SSL_REDIRECT, DANGJIAN_PROXY_SSL_HEADER,
DANGJIAN_HSTS_SECONDS, DANGJIAN_HSTS_INCLUDE_SUBDOMAINS, DANGJIAN_HSTS_PRELOAD, DANGJIAN_CSRF_TRUSTED_ORIGINS,
DANGJIAN_TRUSTED_PROXIES (see docs/deploy.md for the production values)
"""

import datetime
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("DANGJIAN_HOME", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("DANGJIAN_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DANGJIAN_DEBUG", False)
SECRET_KEY_FILE = Path(os.environ.get("DANGJIAN_SECRET_KEY_FILE", PROJECT_DIR / "var" / "secret_key"))


def _secret_key() -> str:
    """The environment's key; else the checkout's own random key file (`make setup` writes it, for the demo and
    the tests); else, with DEBUG on only, a fixed development key. Otherwise refuse to start: a server must
    not sign sessions and password-reset links with a key that anyone can read in this file."""
    if key := os.environ.get("DANGJIAN_SECRET_KEY", "").strip():
        return key
    if SECRET_KEY_FILE.is_file() and (key := SECRET_KEY_FILE.read_text(encoding="utf-8").strip()):
        return key
    if DEBUG:
        return "insecure-development-key-set-DANGJIAN_SECRET_KEY"
    raise ImproperlyConfigured(
        f"DANGJIAN_SECRET_KEY is not set. Set it to a long random value in production (docs/deploy.md); "
        f"for local use run `make setup`, which writes a random key to {SECRET_KEY_FILE}, or set DANGJIAN_DEBUG=1."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DANGJIAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_htmx",
    "csp",
    "ninja",
    "dangjian.core",
    "dangjian.accounts",
    # Background jobs: django-tasks with its database backend; `dangjian db_worker` runs them.
    "django_tasks",
    "django_tasks_db",
    "dangjian.jobs",
    "dangjian.organizations",
    "dangjian.training",
    "dangjian.outbox",
    "dangjian.ledger",
    "dangjian.enrollment",
    "dangjian.attendance",
    "dangjian.completion",
    "dangjian.evaluation",
    "dangjian.certificates",
    "dangjian.followup",
    "dangjian.web",
    "dangjian.api",
    "dangjian.demo",
    # The news portal (Wagtail 8): page tree = channel tree, revisions, moderation.
    "dangjian.portal",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.sites",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Portal search (jieba-segmented full-text index), feeds and sitemap.
    "dangjian.search",
    "django.contrib.sitemaps",
    "wagtail.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dangjian.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A signed-in user without editor rights gets a 403 page under /cms/ (not Wagtail's redirect to the login).
    "dangjian.core.middleware.EditorAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's middleware, with a wider policy for the Wagtail editor under /cms/ only.
    "dangjian.core.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dangjian.core.audit.AuditOriginMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

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
                "dangjian.web.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite in WAL mode unless DATABASE_URL says otherwise.
_sqlite_path = VAR_DIR / "dangjian.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_sqlite_path}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    # UTF-8 with C.UTF-8 character classes, so that trigram search works on Chinese text.
    DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
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

# Login lockout (django-axes): 5 failures for a username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("DANGJIAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The same client address as the audit trail: X-Forwarded-For only from TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "dangjian.core.client_ip.client_ip"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DANGJIAN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS: off by default (the demo runs on plain http://127.0.0.1); docs/deploy.md gives the production values.
# The proxy header is trusted only when the proxy sets (overwrites) X-Forwarded-Proto itself.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DANGJIAN_PROXY_SSL_HEADER", False) else None
SECURE_SSL_REDIRECT = env_bool("DANGJIAN_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("DANGJIAN_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DANGJIAN_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DANGJIAN_HSTS_PRELOAD", False)
CSRF_TRUSTED_ORIGINS = env_list("DANGJIAN_CSRF_TRUSTED_ORIGINS")


def _networks(name: str) -> list[str]:
    try:
        return [str(ipaddress.ip_network(item, strict=False)) for item in env_list(name)]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error} (give IP addresses or networks, comma-separated)") from error


# Reverse proxies whose X-Forwarded-For is believed (addresses or networks); none by default, then the client
# address is REMOTE_ADDR. Used by the audit trail and the login lockout alike (dangjian.core.client_ip).
TRUSTED_PROXIES = _networks("DANGJIAN_TRUSTED_PROXIES")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# The Wagtail editor (/cms/) needs inline scripts and styles that the rest of the site refuses (checked in
# Chromium with the strict policy: Wagtail 8's admin pages run inline <script> blocks, 8 CSP violations on
# the dashboard and page editor). Only paths under this prefix
# get CMS_CONTENT_SECURITY_POLICY; the public portal (/portal/) keeps the strict policy above.
CMS_URL_PREFIX = "/cms/"
CMS_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "frame-ancestors": ["'self'"],  # the page preview panel is an iframe of the editor
        "frame-src": ["'self'"],
    }
}

# Internationalization: Chinese first, English complete.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Front-end packages from npm (package.json, installed by `make setup` with `npm ci`), served as-is.
STATICFILES_DIRS = [("vendor/echarts", PROJECT_DIR / "node_modules" / "echarts" / "dist")]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("DANGJIAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DANGJIAN_FROM_EMAIL", "dangjian@localhost")

# Messages (dangjian.outbox): composed into the outbox, previewed, sent by a background job. SMS go through the
# backend named here (docs/deploy.md, "Messages"); the default only writes them to the log: nothing is sent.
DANGJIAN_SMS_BACKEND = os.environ.get("DANGJIAN_SMS_BACKEND", "dangjian.outbox.backends.LoggingSmsBackend")
OUTBOX_SENDER_NAME = os.environ.get("DANGJIAN_OUTBOX_SENDER_NAME", "中共南阳市委市直机关工作委员会")
OUTBOX_SMS_SIGNATURE = os.environ.get("DANGJIAN_SMS_SIGNATURE", "南阳市直机关工委")  # the SMS sign, 【…】
# Attachments of messages (an admission notice's PDF): never served; app processes and workers share the folder.
# Closing packs (结业材料): never served either; the download views check who runs the class.
CLOSING_PACK_ROOT = Path(os.environ.get("DANGJIAN_CLOSING_PACK_ROOT", VAR_DIR / "closing-packs"))
# Certificate PDFs (结业证书): a private folder, never served; the download views hand them out.
CERTIFICATE_ROOT = Path(os.environ.get("DANGJIAN_CERTIFICATE_ROOT", VAR_DIR / "certificates"))
# Reflections' files (心得体会 attachments): never served; the download view checks the author or the head teacher.
REFLECTION_FILE_ROOT = Path(os.environ.get("DANGJIAN_REFLECTION_FILE_ROOT", VAR_DIR / "reflection-files"))
REFLECTION_FILE_MAX_MB = 10
OUTBOX_ATTACHMENT_ROOT = Path(os.environ.get("DANGJIAN_OUTBOX_ATTACHMENT_ROOT", VAR_DIR / "outbox-attachments"))
OUTBOX_PROGRESS_EVERY = 10  # a sending job reports its progress after this many messages

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"denials_without_traceback": {"()": "dangjian.core.log_filters.DenialsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # A 403 is an answer, not an error: one line in the log, without the PermissionDenied traceback.
    "loggers": {"django.request": {"filters": ["denials_without_traceback"]}},
}

# Rules from the regulations, held as data (see docs and shared/domain/rules.md).
# Each can be overridden per deployment; code reads them through dangjian.core.conf.
DANGJIAN_RULES = {
    # Term of office in years by party-organization type (organs regulation 2019, arts. 5-7). Each party
    # organization stores its term's end: after changing these, run `dangjian refresh_term_ends`.
    "term_years": {"committee": 5, "general_branch": 3, "branch": 3, "temporary_branch": 1},
    # A 换届 is "due" this many months before the term ends.
    "term_warning_months": 6,
    # A secretary is "newly appointed" when the first secretary post began within this many months.
    "newly_appointed_months": 12,
    # Induction training deadline after appointment (2019-2023 member-education plan: half a year).
    "induction_deadline_months": 6,
    # 学时 credited per training day: 90 hours / 12 days (cadre regulation 2023); many cities use 8.
    "hours_per_day": "7.5",
    # Cumulative leave during a class may not exceed this share of its 学时, otherwise withdrawal (退学): 1/7
    # (cadre education regulation), rounded up. The default of each program's completion rules.
    "max_leave_ratio": "0.14286",
    # Evaluation (issue 13): a session's card can be answered from its end until this many days after it; the
    # program questionnaire from this many days before the last day of the participant's phase until this many
    # days after it.
    "evaluation_card_days": 7,
    "evaluation_questionnaire_days_before_end": 0,
    "evaluation_questionnaire_days_after_end": 14,
    # Below this many answers a group's scores and open answers are hidden everywhere (pages, API, exports):
    # with fewer, the response receipts and the answers together could tell who said what.
    "evaluation_min_answers": 5,
    # Follow-up (成果转化): the implementation plan is filed within this many days after the last day of the
    # participant's phase; the follow-up survey is due this many months after it (evaluation.yaml: 3).
    "follow_up_plan_days": 30,
    "follow_up_months": 3,
}

# QR check-in (扫码签到, attendance/checkin.py): the code on the head teacher's screen changes every
# ATTENDANCE_CHECKIN_STEP_SECONDS; the current and the previous code are accepted (an older one is a replay: a
# relayed photo of the screen). Check-in is open from ATTENDANCE_CHECKIN_OPENS_MINUTES before a session starts
# until it ends; a participant checking in up to ATTENDANCE_CHECKIN_GRACE_MINUTES after the start is present,
# later is late.
ATTENDANCE_CHECKIN_STEP_SECONDS = int(os.environ.get("DANGJIAN_CHECKIN_STEP_SECONDS", "30"))
ATTENDANCE_CHECKIN_OPENS_MINUTES = int(os.environ.get("DANGJIAN_CHECKIN_OPENS_MINUTES", "30"))
ATTENDANCE_CHECKIN_GRACE_MINUTES = int(os.environ.get("DANGJIAN_CHECKIN_GRACE_MINUTES", "5"))

PAGE_SIZE = 25

# A participant's one-time activation link (first sign-in) works for this many days.
ENROLLMENT_ACTIVATION_DAYS = int(os.environ.get("DANGJIAN_ACTIVATION_DAYS", "14"))

# News portal (Wagtail). The Wagtail admin follows the interface language (no WAGTAIL_I18N: the pages
# themselves are not translated objects); sign-in is the platform's own login page.
WAGTAIL_SITE_NAME = _("Nanyang Organ Party Building Network")
WAGTAILADMIN_BASE_URL = os.environ.get("DANGJIAN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "doc", "docx", "odt", "ods", "pdf", "rtf", "txt", "xls", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# The editor never calls out to wagtail.org (a government intranet often cannot, and should not): no check for new
# releases, no "what's new" banner (its dismissal is a query on every dashboard visit).
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Nobody holds `publish`: the final approval of the three-step review (三审) publishes (portal/workflow.py).
WAGTAIL_FINISH_WORKFLOW_ACTION = "dangjian.portal.workflow.publish_workflow_state"
PORTAL_PAGE_SIZE = 15  # items per channel list page
PORTAL_HOME_ITEMS = 6  # items per block on the front page
# Public portal pages are cached this many seconds per URL and language (0: off); publishing empties the cache at
# once (dangjian.portal.cache). Several app processes need a shared cache (Redis) for that, see docs/deploy.md.
PORTAL_CACHE_SECONDS = int(os.environ.get("DANGJIAN_PORTAL_CACHE_SECONDS", "300"))
# Background work (django-tasks): enqueued into the database and run by a separate worker process,
# `dangjian db_worker` (`make demo` starts one beside the server; docs/deploy.md for production). The
# tests run every task at once (tests/conftest.py: ImmediateBackend).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Uploads waiting for their background job (an import's workbook): never served, deleted when the job ends.
# App processes and workers must share this folder.
JOB_UPLOAD_ROOT = Path(os.environ.get("DANGJIAN_JOB_UPLOAD_ROOT", VAR_DIR / "job-uploads"))
IMPORT_PROGRESS_EVERY = 1000
# A running job that has reported nothing (progress, stage) for this long lost its worker (killed, out of memory):
# it is ended as failed when its page is read, or by `dangjian fail_abandoned_jobs` (jobs/services.py).
JOB_ABANDONED_AFTER = datetime.timedelta(minutes=int(os.environ.get("DANGJIAN_JOB_ABANDONED_MINUTES", "15")))
# Spreadsheet import limits (organizations/spreadsheets/reading.py), checked before a workbook is read, so
# that a small upload that unpacks to gigabytes (a zip bomb) is refused at once, on the page, the API and the CLI.
IMPORT_MAX_ROWS = 100_000  # rows below the header, per sheet (imports run in a background job, streamed)
IMPORT_MAX_UNCOMPRESSED_MB = 200  # all parts of the .xlsx unpacked together (a 50,000-row sheet is ~30 MB)
IMPORT_MAX_COMPRESSION_RATIO = 100  # unpacked/packed size of any part over 1 MB (Excel data packs ~5-20 times)
IMPORT_MAX_ZIP_MEMBERS = 1000  # parts inside the .xlsx (a workbook from Excel has 10 to 30)
IMPORT_MAX_REPORTED_ERRORS = 200  # problems listed in a report; the others are only counted

ADMIN_SITE_HEADER = _("dangjian administration")
