"""Configuration: a ``Config`` class read from ``VOCAPP_*`` environment variables (and an optional .env)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_PREFIX = "VOCAPP_"
#: the default databases, SQLite files in the instance folder: one's own, and the one `vocapp demo` builds
OWN_DATABASE_FILE = "vocapp.db"
DEMO_DATABASE_FILE = "demo.db"

#: Every setting vocapp reads, its environment variable and default. The README's table is built from this.
SETTINGS: dict[str, tuple[str, str | None, str]] = {
    "SQLALCHEMY_DATABASE_URI": ("DATABASE_URL", None, "SQLAlchemy URL; default SQLite in the instance folder"),
    "SECRET_KEY": ("SECRET_KEY", None, "Session/CSRF signing key; default a random key kept in the instance folder"),
    "SMTP_HOST": ("SMTP_HOST", "127.0.0.1", "SMTP server for invitations"),
    "SMTP_PORT": ("SMTP_PORT", "25", "SMTP port"),
    "SMTP_USERNAME": ("SMTP_USERNAME", "", "SMTP login (empty: no authentication)"),
    "SMTP_PASSWORD": ("SMTP_PASSWORD", "", "SMTP password"),
    "SMTP_STARTTLS": ("SMTP_STARTTLS", "false", "Use STARTTLS"),
    "SMTP_SSL": ("SMTP_SSL", "false", "Use implicit TLS (SMTPS, usually port 465) instead of STARTTLS"),
    "SMTP_CA_FILE": ("SMTP_CA_FILE", None,
                     "PEM file of the CA(s) that sign the SMTP server's certificate (default: the system's CAs)"),
    "SMTP_TIMEOUT": ("SMTP_TIMEOUT", "30", "Seconds to wait for the SMTP server"),
    "MAIL_OUTBOX": ("MAIL_OUTBOX", None, "Folder: write e-mails there as .eml files instead of sending (demo, testing)"),
    "MAIL_UNSUBSCRIBE_MAILTO": ("MAIL_UNSUBSCRIBE_MAILTO", None,
                                "Address in the List-Unsubscribe mailto: link (default: MAIL_FROM)"),
    "DKIM_KEY_FILE": ("DKIM_KEY_FILE", None, "PEM private key: sign e-mails with DKIM (with selector and domain)"),
    "DKIM_SELECTOR": ("DKIM_SELECTOR", None, "DKIM selector (the DNS name <selector>._domainkey.<domain>)"),
    "DKIM_DOMAIN": ("DKIM_DOMAIN", None, "DKIM signing domain (d=)"),
    "SEND_RATE_PER_MINUTE": ("SEND_RATE_PER_MINUTE", "600", "Throttle: at most this many e-mails a minute (0: no limit)"),
    "SEND_BATCH_SIZE": ("SEND_BATCH_SIZE", "200", "E-mails sent over one SMTP connection before it is renewed"),
    "MAIL_INTENT_BATCH": ("MAIL_INTENT_BATCH", "50",
                          "E-mails whose intents are committed together (a crash leaves at most this many unconfirmed)"),
    "SEND_RETRIES": ("SEND_RETRIES", "4", "Attempts per e-mail on temporary SMTP errors (4xx, dropped connection)"),
    "SEND_RETRY_SECONDS": ("SEND_RETRY_SECONDS", "2", "First back-off on a temporary SMTP error (doubles each retry)"),
    "SEND_CLAIM_SECONDS": ("SEND_CLAIM_SECONDS", "60",
                           "A sender silent this long is presumed dead; another run may take the campaign over"),
    "CONTACT_MAX_EMAILS": ("CONTACT_MAX_EMAILS", "3", "Frequency rule: at most this many survey e-mails per contact..."),
    "CONTACT_WINDOW_DAYS": ("CONTACT_WINDOW_DAYS", "90", "...within this many days, across all campaigns"),
    "UNSUBSCRIBE_TTL_DAYS": ("UNSUBSCRIBE_TTL_DAYS", "365", "Days an e-mailed unsubscribe link keeps working"),
    "MAIL_FROM": ("MAIL_FROM", "surveys@vocapp.invalid", "Sender address of invitations"),
    "BROKER_URL": ("BROKER_URL", None, "Redis URL of the Celery broker; unset: jobs run in a thread of the web process"),
    "JOBS_QUEUE": ("JOBS_QUEUE", "vocapp", "Celery queue name, also the prefix of every Redis key vocapp's jobs use"),
    "JOB_TIMEOUT_SECONDS": ("JOB_TIMEOUT_SECONDS", "60", "A running job silent this long is shown as failed (worker died)"),
    "BASE_URL": ("BASE_URL", "http://127.0.0.1:5000", "Public URL used in e-mailed links"),
    "INVITATION_TTL_DAYS": ("INVITATION_TTL_DAYS", "60", "Days a respondent link stays valid"),
    "UPLOAD_MAX_MB": ("UPLOAD_MAX_MB", "200", "Largest accepted upload in MiB"),
    "ORGANISATION_NAME": ("ORGANISATION_NAME", "Your membership organisation",
                          "Name of the organisation running the surveys, shown to respondents"),
    "PRIVACY_CONTACT": ("PRIVACY_CONTACT", "", "E-mail address respondents may write to about their data "
                        "(default: MAIL_FROM)"),
    "RESPONDENT_RATE_LIMIT": ("RESPONDENT_RATE_LIMIT", "120 per minute",
                              "Requests to survey links one client may make"),
    "RESPONDENT_BAD_TOKEN_LIMIT": ("RESPONDENT_BAD_TOKEN_LIMIT", "20 per hour",
                                   "Unknown, expired or revoked survey links one client may try"),
    "RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URL", "memory://",
                              "Where rate-limit counters live: memory:// (one process) or redis://... (shared by workers)"),
    "SECURE_COOKIES": ("SECURE_COOKIES", None,
                       "Send session and remember cookies over HTTPS only; default on when BASE_URL is https://"),
    "PROXY_FIX": ("PROXY_FIX", "0", "Number of trusted reverse proxies in front of vocapp whose X-Forwarded-* "
                  "headers are believed (0: none)"),
    "SESSION_HOURS": ("SESSION_HOURS", "12", "Hours a login lasts without 'keep me logged in'"),
    "REMEMBER_DAYS": ("REMEMBER_DAYS", "14", "Days a 'keep me logged in' login lasts"),
    "LOGIN_LIMIT_ACCOUNT": ("LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes", "Failed logins allowed per e-mail address"),
    "LOGIN_LIMIT_CLIENT": ("LOGIN_LIMIT_CLIENT", "20 per 15 minutes", "Failed logins allowed per client address"),
    "API_RATE_LIMIT": ("API_RATE_LIMIT", "600 per minute", "Requests one API token may make (docs/api.md)"),
    "API_MAX_BODY_MB": ("API_MAX_BODY_MB", "50", "Largest API request body in MiB (never above UPLOAD_MAX_MB)"),
    "UPLOAD_PREVIEWS_PER_USER": ("UPLOAD_PREVIEWS_PER_USER", "5",
                                 "Uploads a staff user may keep waiting for confirmation (older ones are removed)"),
    "UPLOAD_PREVIEW_HOURS": ("UPLOAD_PREVIEW_HOURS", "24", "Hours an unconfirmed upload is kept"),
    "RETENTION_MONTHS": ("RETENTION_MONTHS", None, "Anonymise responses older than this many months (unset: keep)"),
    "REPORT_MIN_GROUP": ("REPORT_MIN_GROUP", "5", "Smallest group of respondents the results report shows"),
    "WEBHOOK_TIMEOUT_SECONDS": ("WEBHOOK_TIMEOUT_SECONDS", "5",
                                "Seconds a webhook delivery attempt may take (connect, send, first response bytes)"),
    "WEBHOOK_RETRY_BASE_SECONDS": ("WEBHOOK_RETRY_BASE_SECONDS", "60",
                                   "Wait after a webhook's first failed attempt; doubles after each further failure"),
    "WEBHOOK_RETRY_MAX_SECONDS": ("WEBHOOK_RETRY_MAX_SECONDS", "28800", "Longest wait between two webhook attempts"),
    "WEBHOOK_MAX_ATTEMPTS": ("WEBHOOK_MAX_ATTEMPTS", "12", "Attempts per webhook delivery before it is given up"),
    "WEBHOOK_DISABLE_AFTER_HOURS": ("WEBHOOK_DISABLE_AFTER_HOURS", "24",
                                    "A webhook endpoint failing continuously this long is disabled"),
    "WEBHOOK_ALLOWED_HOSTS": ("WEBHOOK_ALLOWED_HOSTS", "",
                              "Comma-separated host names, addresses or networks (CIDR) webhooks may reach although "
                              "private, loopback or link-local"),
    "WEBHOOK_ALLOW_HTTP_LOOPBACK": ("WEBHOOK_ALLOW_HTTP_LOOPBACK", "false",
                                    "Allow plain-HTTP webhook URLs to loopback addresses (tests, local receivers)"),
    "WEBHOOK_KEEP_DAYS": ("WEBHOOK_KEEP_DAYS", "30",
                          "Days webhook messages, deliveries and attempts are kept once every delivery ended"),
    "WEBHOOK_CA_FILE": ("WEBHOOK_CA_FILE", None,
                        "PEM file of extra certificate authorities webhook receivers may use (an internal CA)"),
    "WEBHOOK_SECRET_GRACE_HOURS": ("WEBHOOK_SECRET_GRACE_HOURS", "24",
                                   "After a secret rotation, hours the old secret also signs webhook deliveries"),
    "WEBHOOK_CONCURRENCY": ("WEBHOOK_CONCURRENCY", "4",
                            "Webhook requests one sender has in flight at once (1: one at a time)"),
}

_BOOLEAN = {"SMTP_STARTTLS", "SMTP_SSL", "SECURE_COOKIES", "WEBHOOK_ALLOW_HTTP_LOOPBACK"}
_INTEGER = {"SMTP_PORT", "INVITATION_TTL_DAYS", "UPLOAD_MAX_MB", "JOB_TIMEOUT_SECONDS", "RETENTION_MONTHS",
            "REPORT_MIN_GROUP", "SMTP_TIMEOUT", "SEND_RATE_PER_MINUTE", "SEND_BATCH_SIZE", "MAIL_INTENT_BATCH", "SEND_RETRIES",
            "SEND_CLAIM_SECONDS", "CONTACT_MAX_EMAILS", "CONTACT_WINDOW_DAYS", "UNSUBSCRIBE_TTL_DAYS",
            "PROXY_FIX", "API_MAX_BODY_MB", "SESSION_HOURS", "REMEMBER_DAYS", "UPLOAD_PREVIEWS_PER_USER",
            "UPLOAD_PREVIEW_HOURS", "WEBHOOK_MAX_ATTEMPTS", "WEBHOOK_CONCURRENCY"}
_FLOAT = {"SEND_RETRY_SECONDS", "WEBHOOK_TIMEOUT_SECONDS", "WEBHOOK_RETRY_BASE_SECONDS", "WEBHOOK_RETRY_MAX_SECONDS",
          "WEBHOOK_DISABLE_AFTER_HOURS", "WEBHOOK_SECRET_GRACE_HOURS", "WEBHOOK_KEEP_DAYS"}


class Config:
    """Defaults for a development install on SQLite; ``from_env`` overlays ``VOCAPP_*`` variables."""

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    TESTING = False

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, object]:
        """Return the settings found in the environment, typed, keyed by Flask config name."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for key, (suffix, default, _help) in SETTINGS.items():
            raw = environ.get(ENV_PREFIX + suffix, default)
            if raw is None:
                continue
            if key in _BOOLEAN:
                values[key] = str(raw).strip().lower() in {"1", "true", "yes", "on"}
            elif key in _FLOAT:
                try:
                    values[key] = float(raw)
                except ValueError as exc:
                    raise ValueError(f"{ENV_PREFIX}{suffix} must be a number, got {raw!r}") from exc
            elif key in _INTEGER:
                try:
                    values[key] = int(raw)
                except ValueError as exc:
                    raise ValueError(f"{ENV_PREFIX}{suffix} must be a whole number, got {raw!r}") from exc
            else:
                values[key] = raw
        return values


def instance_secret_key(instance_path: str) -> str:
    """Read (or create once) a random secret key kept in the instance folder."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def sqlite_uri(path: Path | str) -> str:
    """The SQLAlchemy URL of a SQLite file (made absolute, so it does not depend on the working folder)."""
    return f"sqlite:///{Path(path).resolve()}"


def default_database_uri(instance_path: str) -> tuple[str, bool]:
    """The database used when VOCAPP_DATABASE_URL is not set, and whether it is the demo's: the instance
    folder's vocapp.db, or its demo.db while only the demo exists (so the CLI works after `make demo`)."""
    own, demo = Path(instance_path) / OWN_DATABASE_FILE, Path(instance_path) / DEMO_DATABASE_FILE
    if not own.exists() and demo.exists():
        return sqlite_uri(demo), True
    return sqlite_uri(own), False


def sqlite_file(uri: str) -> Path | None:
    """The file a SQLite URL names (None for other databases, in-memory SQLite and ``file:`` URIs)."""
    if not uri.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url  # only when a database is about to be used

    database = make_url(uri).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)
