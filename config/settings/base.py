"""Settings shared by every environment, read from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "config.apps.SupportAdminConfig",  # django.contrib.admin with the support-only site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_celery_beat",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "participants",
    "compliance",
    "performance",
    "regimes",
    "reporting",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the OTP middleware: a signed-in user who still owes a code (or, a superuser where it is
    # required, an enrolment) reaches only the pages that take it.
    "participants.security.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "participants.context_processors.navigation",
            ],
            # The workspace's template tags live with the rest of the workspace (participants/workspace/).
            "libraries": {"workspace": "participants.workspace.templatetags"},
        },
    },
]

# No DATABASE_URL: the embedded PostgreSQL that `make run` starts (config/devserver.py), with its data and
# its Unix socket in .pgdata/ of the checkout, so `manage.py` beside a running `make run` finds it. Nothing
# listening there is a connection error naming that socket. Production requires DATABASE_URL.
EMBEDDED_PGDATA = BASE_DIR / ".pgdata"
EMBEDDED_DATABASE_URL = f"postgresql://postgres@/flightpath?host={quote(str(EMBEDDED_PGDATA), safe='')}"
DATABASES = {"default": env.db("DATABASE_URL", default=EMBEDDED_DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("FLIGHTPATH_PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in lockout (django-axes): FLIGHTPATH_LOGIN_FAILURE_LIMIT failed sign-ins for one username, or from one
# address, lock that username or address out for FLIGHTPATH_LOGIN_COOLOFF_MINUTES (counted from the last
# failure). A success does not reset the count: it would reset every username tried from that address too.
# Support staff unlock in the admin (Axes) or with `manage.py axes_reset_username` / `axes_reset_ip`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading each request's user with whether they have two-factor sign-in on.
    "participants.security.backends.AuthenticatorAwareBackend",
]
AXES_FAILURE_LIMIT = env.int("FLIGHTPATH_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("FLIGHTPATH_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address behind FLIGHTPATH_TRUSTED_PROXIES reverse proxies (X-Forwarded-For), else REMOTE_ADDR.
AXES_CLIENT_IP_CALLABLE = "participants.security.addresses.client_ip"
FLIGHTPATH_TRUSTED_PROXIES = env.int("FLIGHTPATH_TRUSTED_PROXIES", default=0)

# Sessions end when the browser closes and after FLIGHTPATH_SESSION_IDLE_MINUTES without a request: every
# request moves the expiry on (written at most once a minute: participants/security/sessions.py).
FLIGHTPATH_SESSION_IDLE_MINUTES = env.int("FLIGHTPATH_SESSION_IDLE_MINUTES", default=30)
SESSION_ENGINE = "participants.security.sessions"
SESSION_COOKIE_AGE = FLIGHTPATH_SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor sign-in (django-otp, TOTP): any user may enrol on the Security page and is then asked for a code
# at each sign-in; superusers must enrol first where FLIGHTPATH_2FA_REQUIRED_FOR_SUPERUSERS (production).
FLIGHTPATH_2FA_REQUIRED_FOR_SUPERUSERS = env.bool("FLIGHTPATH_2FA_REQUIRED_FOR_SUPERUSERS", default=False)
OTP_TOTP_ISSUER = "Flightpath"
# Support staff remove a lost phone's device in the admin; they never see its key or QR code there.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Content security policy (django-csp 4): our own origin only, no inline script or style without a nonce, no
# eval (htmx is configured without it in base.html; plotly is its strict build). Inline styles allowed by
# their hash are plotly's own: the empty <style> elements it adds and fills through the CSSOM (insertRule,
# which the policy allows once the element is), and the map stylesheet its bundle injects as it loads
# (tests/test_security_headers.py checks that hash against static/vendor/plotly). The one style attribute
# allowed, by its hash, is "float: right; margin-right: 10px" on the Filters button of DRF's browsable API.
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # the empty string
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # plotly.js 4.1.1's maplibre-gl stylesheet
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE, *PLOTLY_STYLE_HASHES],
        "style-src-attr": ["'unsafe-hashes'", "'sha256-OfgyIBrd+/vP79JdFMYP+re4T+fIenvkrHPD2HZ8/cs='"],
        "img-src": [SELF, "data:"],  # Bootstrap's icons are data: SVGs in its stylesheet
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded evidence and import bundles: never under STATIC_ROOT, served only through views that check scope.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Evidence documents for outcome claims: the types allowed (checked by content, not extension) and max size.
FLIGHTPATH_EVIDENCE_TYPES = env.list("FLIGHTPATH_EVIDENCE_TYPES", default=["pdf", "jpeg", "png", "docx"])
FLIGHTPATH_EVIDENCE_MAX_BYTES = env.int("FLIGHTPATH_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# Celery: with REDIS_URL the real broker; without it tasks run in-process (local trial only).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# The API's throttle counts: in Redis when there is one, so every web worker counts against the same rate.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Compliance pages: the due-soon horizon in working days and the CMO sample's lead time in days (seeds/003).
FLIGHTPATH_DUE_SOON_WORKING_DAYS = env.int("FLIGHTPATH_DUE_SOON_WORKING_DAYS", default=3)
FLIGHTPATH_CMO_EXPORT_LEAD_DAYS = env.int("FLIGHTPATH_CMO_EXPORT_LEAD_DAYS", default=5)

# An empty EMAIL_URL (the compose file passes it through unset as "") is no URL: the local default.
EMAIL_CONFIG = env.email_url_config(env("EMAIL_URL", default="") or "consolemail://")
vars().update(EMAIL_CONFIG)
# A send that hangs would outlive its lease in the outbox (participants.mail): give up after this long.
EMAIL_TIMEOUT = EMAIL_CONFIG.get("EMAIL_TIMEOUT", env.int("EMAIL_TIMEOUT", default=60))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Flightpath <flightpath@localhost>")
# Where the site is reached: links in emails are absolute, built from this.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "participants.api.pagination.MIPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "participants.api.errors.exception_handler",
    # Per signed-in user (and per address for anonymous callers); over the rate a 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("FLIGHTPATH_API_ANON_RATE", default="30/minute"),
        "user": env("FLIGHTPATH_API_USER_RATE", default="120/minute"),
    },
    # Anonymous callers' address as the sign-in lockout sees it (FLIGHTPATH_TRUSTED_PROXIES).
    "NUM_PROXIES": FLIGHTPATH_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Flightpath MI API",
    "DESCRIPTION": "Management information for DWP employment-programme contracts (MI API v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its documentation only for signed-in callers (session or token).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Named, since several responses have a "status" with other choices.
    "ENUM_NAME_OVERRIDES": {"ImportRunStatusEnum": "participants.models.runs.ImportRun.Status"},
    # No badge from validator.swagger.io: nothing leaves the site (the content security policy refuses it).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "participants.api.schema.shared_responses_and_parameters",
    ],
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# Performance against MPL is AMBER from this many percentage points below MPL up to MPL, RED below
# (performance.rag.mpl_rag; pages, reports and dashboards).
FLIGHTPATH_MPL_AMBER_MARGIN_PCT = env.float("FLIGHTPATH_MPL_AMBER_MARGIN_PCT", default=5.0)
# A slice's figures (performance page and API filtered by site, organisation, key worker or DDA) are kept
# in the cache this long, keyed by the contract's latest recompute (performance.selectors.figures).
FLIGHTPATH_SLICE_CACHE_SECONDS = env.int("FLIGHTPATH_SLICE_CACHE_SECONDS", default=300)

# The day of the month DWP's performance dashboard is released when no date was entered for that month
# (DOMAIN.md 17.7): the monthly action plan update is owed 5 working days later, the CPR 15.
FLIGHTPATH_DASHBOARD_RELEASE_DAY = env.int("FLIGHTPATH_DASHBOARD_RELEASE_DAY", default=20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every step of every PDF at INFO, its own stylesheets' too when imported (at start-up,
    # reporting/pdf.py being reached from the URLconf): its warnings are what matters.
    # django-axes announces itself at INFO on every start (each manage.py command); lockouts are WARNINGs.
    "loggers": {"weasyprint": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# After an import commits, these tasks run for each affected contract (by name, so the participants app
# never imports the apps above it). Each takes (contract_id, months) where months is the list of
# "YYYY-MM" months the import touched, or None for everything.
FLIGHTPATH_RECOMPUTE_TASKS = env.list(
    "FLIGHTPATH_RECOMPUTE_TASKS",
    default=[
        "compliance.tasks.recompute_contract",
        "performance.tasks.recompute_contract",
        "performance.tasks.recompute_kpis",
    ],
)

# After performance's recompute of a contract, these tasks run with (contract_id,) (by name: performance never
# imports the regimes app above it): the recommendations follow the new figures (DOMAIN.md 17.6).
FLIGHTPATH_AFTER_RECOMPUTE_TASKS = env.list(
    "FLIGHTPATH_AFTER_RECOMPUTE_TASKS", default=["regimes.tasks.refresh_recommendations"]
)

# Regimes (DOMAIN.md 17.3-17.5): working days to the provider action plan after an EPR or PIN, and to the
# improvement plan after a PICAN.
FLIGHTPATH_ACTION_PLAN_WORKING_DAYS = env.int("FLIGHTPATH_ACTION_PLAN_WORKING_DAYS", default=5)
FLIGHTPATH_PICAN_PLAN_WORKING_DAYS = env.int("FLIGHTPATH_PICAN_PLAN_WORKING_DAYS", default=10)
# WHP performance indicators raising a PICAN candidate (DOMAIN.md 10, 17.6) when the latest rolling-12 figure
# is below `below` percent: `pct_of_mpl` of a group, or "numerator/denominator" flows of a group in percent.
# A JSON object in the environment replaces the whole default.
FLIGHTPATH_PICAN_INDICATORS = env.json(
    "FLIGHTPATH_PICAN_INDICATORS",
    default={
        "DDA_GROUP": {
            "label": "Disability group job outcomes against MPL",
            "group": "DISABILITY",
            "measure": "pct_of_mpl",
            "below": 90.0,
        },
        "EARNINGS_STARTS": {
            "label": "Earnings starts per job start",
            "group": "ALL",
            "measure": "earnings_starts/job_starts",
            "below": 50.0,
        },
    },
)

# The most a bundle .zip may unpack to (bytes); larger ones are refused before unpacking.
FLIGHTPATH_IMPORT_MAX_BYTES = env.int("FLIGHTPATH_IMPORT_MAX_BYTES", default=2 * 1024**3)

# Background jobs (participants.jobs): a running job refreshes its heartbeat this often (seconds), and a
# claim whose heartbeat is older than FLIGHTPATH_JOB_STALE_SECONDS is a killed worker's, taken over.
FLIGHTPATH_JOB_HEARTBEAT_SECONDS = env.float("FLIGHTPATH_JOB_HEARTBEAT_SECONDS", default=30.0)
FLIGHTPATH_JOB_STALE_SECONDS = env.int("FLIGHTPATH_JOB_STALE_SECONDS", default=300)

# The outbox (participants.mail; DOMAIN.md 17.11): a refused email is tried again after this many seconds,
# doubling each time, up to FLIGHTPATH_MAIL_MAX_ATTEMPTS tries; one left SENDING longer than the lease
# (its sender died) shows as UNKNOWN for a person to check.
FLIGHTPATH_MAIL_RETRY_SECONDS = env.int("FLIGHTPATH_MAIL_RETRY_SECONDS", default=60)
FLIGHTPATH_MAIL_MAX_ATTEMPTS = env.int("FLIGHTPATH_MAIL_MAX_ATTEMPTS", default=5)
FLIGHTPATH_MAIL_LEASE_SECONDS = env.int("FLIGHTPATH_MAIL_LEASE_SECONDS", default=900)
# Issue notices (DOMAIN.md 17.10): a NORMAL notice is due this many working days (the contract's calendar)
# after the day it was written; URGENT and RED_FLAG ones go at once.
FLIGHTPATH_NOTICE_WORKING_DAYS = env.int("FLIGHTPATH_NOTICE_WORKING_DAYS", default=5)

# The most an upload (the page or POST /api/v1/imports/) may send, in bytes: lower than the command line's
# (which has none), because it crosses the network into a web process and fills MEDIA_ROOT until it runs.
FLIGHTPATH_UPLOAD_MAX_BYTES = env.int("FLIGHTPATH_UPLOAD_MAX_BYTES", default=200 * 1024**2)
