"""The application factory: ``create_app`` builds the Flask app (settings, extensions, blueprints, commands)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from vocapp import MIGRATIONS_DIR
from vocapp.config import Config, default_database_uri, instance_secret_key
from vocapp.core.resources import resource_dir


def create_app(config: dict[str, Any] | None = None, instance_path: str | None = None,
               pages: bool = True) -> Flask:
    """Build the Flask application: settings from ``VOCAPP_*`` variables, then ``config`` on top.

    ``pages=False`` builds an app with its settings and database only (no pages, login, CSRF, rate
    limits, migrations or commands): what a command that renders nothing needs, without importing the
    web layer."""
    load_dotenv(Path.cwd() / ".env", override=False)  # the working directory's, as the README says
    app = Flask(
        "vocapp",  # the package: its name, root path and default instance folder
        instance_path=instance_path or os.environ.get("VOCAPP_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    app.config.from_object(Config)
    app.config.update(Config.from_env())
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["DATABASE_IS_DEMO_DEFAULT"] = default_database_uri(
            app.instance_path)
    if app.config.get("DATABASE_IS_DEMO_DEFAULT"):
        _demo_mail_outbox(app, config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config.get("UPLOAD_MAX_MB", 200)) * 1024 * 1024
    _cookie_settings(app)
    if int(app.config.get("PROXY_FIX") or 0) > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # one writer at a time: a writer waits up to 30 s for another's commit (a job's write, a page save)
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("connect_args", {}).setdefault("timeout", 30)

    if not pages:
        from vocapp.extensions import db

        db.init_app(app)
        _init_webhooks(app)
        return app
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _cookie_settings(app: Flask) -> None:
    """Secure cookies (default: when BASE_URL is https) and the lifetimes of logins (docs/security.md)."""
    from datetime import timedelta

    secure = app.config.get("SECURE_COOKIES")
    if secure is None:
        secure = str(app.config.get("BASE_URL", "")).lower().startswith("https://")
    app.config["SECURE_COOKIES"] = bool(secure)
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = bool(secure)
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=int(app.config.get("REMEMBER_DAYS", 14)))


def _init_extensions(app: Flask) -> None:
    from vocapp.extensions import api_limiter, babel, csrf, db, limiter, login_manager, migrate
    from vocapp.web.respondent_i18n import page_locale

    db.init_app(app)
    limiter.init_app(app)
    api_limiter.init_app(app)
    babel.init_app(app, locale_selector=page_locale)  # catalogues: vocapp/translations
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"

    from vocapp.jobs.schedule import init_app as init_jobs
    from vocapp.models import StaffUser
    from vocapp.services.sessions import session_user

    init_jobs(app)
    _init_webhooks(app)

    @login_manager.user_loader
    def load_user(session_token: str) -> StaffUser | None:
        """Flask-Login's id is the login session's token; an ended or expired session loads nobody."""
        return session_user(session_token)


def _demo_mail_outbox(app: Flask, config: dict) -> None:
    """On the demo's database (the default while there is no vocapp.db) e-mail goes to the demo's
    outbox, as in `vocapp demo`, unless a mail server or outbox was set: the demo's synthetic contacts
    never reach a real mail server, and campaign commands work offline."""
    if app.config.get("MAIL_OUTBOX") or "SMTP_HOST" in config or os.environ.get("VOCAPP_SMTP_HOST"):
        return
    app.config["MAIL_OUTBOX"] = str(Path(app.instance_path) / "demo-outbox")


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite enforces foreign keys only when asked, per connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _init_webhooks(app: Flask) -> None:
    """Commits that record webhook events start their senders (vocapp.jobs.webhooks)."""
    from vocapp.jobs.webhooks import init_app

    init_app(app)


def _register_blueprints(app: Flask) -> None:
    from vocapp.web import register_blueprints

    register_blueprints(app)


def _register_cli(app: Flask) -> None:
    from vocapp.cli import register_commands

    register_commands(app)
