"""Settings read from the environment, so one build runs in dev, test and production."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from .proxies import parse_networks

REPO_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production", "testing")
# The JSON API's allowance per token's user (and per address for calls without a valid
# token): a limits string, several joined by ';', or "off". See hearth.web.api.ratelimit.
API_RATE_LIMIT = "300 per minute"
# Tests: a ceiling no test reaches, so every API test runs through the limiter without
# the limiter deciding it (tests/web/test_api_rate_limit.py sets small limits itself).
TESTING_API_RATE_LIMIT = "100000 per minute"


# How long one request may run before gunicorn kills its worker (hearth.web.gunicorn_conf),
# sized for the largest request the limits allow (docs/limits.md). HEARTH_WORKER_TIMEOUT
# changes it for gunicorn and the app together, so what depends on it (an idempotency
# claim outliving its request, hearth.web.api.idempotency) stays in step.
DEFAULT_WORKER_TIMEOUT = 120


def worker_timeout() -> int:
    value = os.environ.get("HEARTH_WORKER_TIMEOUT") or str(DEFAULT_WORKER_TIMEOUT)
    if not value.isdigit() or not 1 <= int(value) <= 3600:
        raise ConfigError(f"HEARTH_WORKER_TIMEOUT is a number of seconds from 1 to 3600, not {value!r}")
    return int(value)


class ConfigError(RuntimeError):
    """The environment is missing something the app cannot safely run without."""


def _seconds(name: str, default: str) -> float:
    value = os.environ.get(name) or default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise ConfigError(f"{name} is a number of seconds from 0 to 3600, not {value!r}")
    return seconds


def _base_url(value: str) -> str:
    """An http(s) address with a host and nothing after its path, without the final slash."""
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"HEARTH_BASE_URL is the address staff reach Hearth at, like "
                          f"https://hearth.example.gov.uk, not {value!r}")
    return value.rstrip("/")


def instance_dir() -> Path:
    return Path(os.environ.get("HEARTH_INSTANCE", REPO_ROOT / "instance"))


def _dev_secret_key(folder: Path) -> str:
    """A per-checkout key kept in instance/, so dev sessions survive restarts."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def load(overrides: dict | None = None) -> dict:
    """Build the Flask config; `overrides` (tests) win over the environment."""
    overrides = dict(overrides or {})
    env = overrides.get("HEARTH_ENV") or os.environ.get("HEARTH_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"HEARTH_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    folder = instance_dir()
    url = overrides.get("DATABASE_URL") or os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'hearth.db'}"
    secret = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not secret:
        if env == "production":
            raise ConfigError("SECRET_KEY must be set in production (see docs/deploy.md)")
        secret = secrets.token_hex(32) if env == "testing" else _dev_secret_key(folder)
    if env == "production" and len(secret) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")
    answers = os.environ.get("HEARTH_ANSWER_CACHE") or "4096"
    if not answers.isdigit():
        raise ConfigError(f"HEARTH_ANSWER_CACHE is how many answers to remember (0 for none), not {answers!r}")
    hops = (os.environ.get("HEARTH_PROXIES") or "0").strip()
    if hops != "0":
        # A count of hops trusted X-Forwarded-For from whoever sent it; refuse to start
        # rather than silently give every caller behind the proxy one shared address.
        raise ConfigError("HEARTH_PROXIES is replaced by HEARTH_TRUSTED_PROXIES: the addresses or networks "
                          "of the proxies in front of Hearth, e.g. HEARTH_TRUSTED_PROXIES=127.0.0.1 "
                          "(see docs/deploy.md). Unset HEARTH_PROXIES.")
    # Secure cookies need https; the dev server and the test client speak http.
    secure = env == "production" or os.environ.get("HEARTH_SECURE_COOKIES") == "1"
    config = {
        "HEARTH_ENV": env,
        "DATABASE_URL": url,
        "SECRET_KEY": secret,
        "TESTING": env == "testing",
        "SESSION_COOKIE_NAME": "hearth_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "HEARTH_SESSION_ABSOLUTE": timedelta(hours=8),
        "HEARTH_SESSION_IDLE": timedelta(minutes=30),
        "HEARTH_LOGIN_MAX_FAILURES": 5,
        "HEARTH_LOGIN_WINDOW": timedelta(minutes=15),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WTF_CSRF_SSL_STRICT": secure,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Answers remembered per process for cases that did not change (hearth.web.evaluation).
        "HEARTH_ANSWER_CACHE": int(answers),
        "HEARTH_WORKER_TIMEOUT": worker_timeout(),
        # An empty variable (a blank line in an EnvironmentFile) means the default, never "off".
        "HEARTH_API_RATE_LIMIT": os.environ.get("HEARTH_API_RATE_LIMIT") or (
            TESTING_API_RATE_LIMIT if env == "testing" else API_RATE_LIMIT),
        # memory:// counts in each process; several gunicorn workers need redis://host:6379
        "HEARTH_RATELIMIT_STORAGE_URI": os.environ.get("HEARTH_RATELIMIT_STORAGE_URI") or "memory://",
        # Keeps this service's counts apart when several services share one Redis.
        "HEARTH_RATELIMIT_KEY_PREFIX": os.environ.get("HEARTH_RATELIMIT_KEY_PREFIX") or "hearth",
        # Proxies whose X-Forwarded-For/-Proto are believed (hearth.web.proxies); none by default.
        "HEARTH_TRUSTED_PROXIES": os.environ.get("HEARTH_TRUSTED_PROXIES") or "",
        # Background jobs (hearth.web.jobs): RQ on this Redis, run by `hearth worker`; unset, each
        # job runs in a thread of the process that starts it. The queue's name keeps services apart.
        "HEARTH_REDIS_URL": os.environ.get("HEARTH_REDIS_URL") or "",
        "HEARTH_JOB_QUEUE": os.environ.get("HEARTH_JOB_QUEUE") or "hearth",
        # Where the app reads councils' policies (hearth.web.policy_library): its database's
        # publications, or (for working on files in an editor) the folders under HEARTH_POLICIES;
        # and within how many seconds a publication made by another process is seen.
        "HEARTH_POLICY_LIBRARY": os.environ.get("HEARTH_POLICY_LIBRARY") or "database",
        "HEARTH_POLICY_FRESHNESS": _seconds("HEARTH_POLICY_FRESHNESS", "1"),
        # The address staff reach Hearth at (https://hearth.example.gov.uk), for links made with no
        # request to take it from: `hearth user create`'s invitation link (hearth.web.user_cli).
        "HEARTH_BASE_URL": _base_url(os.environ.get("HEARTH_BASE_URL") or ""),
        # Who runs this deployment, for the phase banner's feedback link, the accessibility
        # statement and the privacy notice: a support mailbox, and (optionally) a feedback
        # form's address; without one, feedback goes to the mailbox.
        "HEARTH_SUPPORT_EMAIL": os.environ.get("HEARTH_SUPPORT_EMAIL") or "hearth-support@example.gov.uk",
        "HEARTH_FEEDBACK_URL": os.environ.get("HEARTH_FEEDBACK_URL") or "",
    }
    config.update(overrides)
    if config["HEARTH_POLICY_LIBRARY"] not in ("database", "folders"):
        raise ConfigError(f"HEARTH_POLICY_LIBRARY is database or folders, not {config['HEARTH_POLICY_LIBRARY']!r}")
    try:
        config["HEARTH_TRUSTED_PROXIES"] = parse_networks(config["HEARTH_TRUSTED_PROXIES"])
    except ValueError as e:
        raise ConfigError(f"HEARTH_TRUSTED_PROXIES: {e}") from None
    return config
