"""Flask extensions, created once and bound in ``create_app``.

``db`` is made at import. The others (``migrate``, ``login_manager``, ``csrf``, ``limiter``, ``babel``) are made on
first use, once, so code that needs only the database (``create_app(pages=False)``: `vocapp score`)
never imports Flask-Migrate (alembic), Flask-Login, Flask-WTF, Flask-Limiter or Flask-Babel.
"""
from __future__ import annotations

from typing import Any

from flask_sqlalchemy import SQLAlchemy

from vocapp.models.base import Base

db = SQLAlchemy(model_class=Base)


def _migrate() -> Any:
    from flask_migrate import Migrate

    return Migrate()


def _login_manager() -> Any:
    from flask_login import LoginManager

    return LoginManager()


def _csrf() -> Any:
    from flask_wtf import CSRFProtect

    return CSRFProtect()


def _limiter() -> Any:
    """Rate limits (login, respondent token look-ups, API); storage from RATELIMIT_STORAGE_URI, memory
    by default."""
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    import vocapp.limits_storage  # noqa: F401 - memory:// counters without a timer thread per hit

    return Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def _babel() -> Any:
    """Catalogues of the respondent pages' wording (vocapp/translations); locale from the page."""
    from flask_babel import Babel

    return Babel()


_MADE_ON_FIRST_USE = {"migrate": _migrate, "login_manager": _login_manager, "csrf": _csrf, "limiter": _limiter,
                      "babel": _babel}


def __getattr__(name: str) -> Any:
    """``from vocapp.extensions import limiter`` (etc.): the one instance, made on first use."""
    if name in _MADE_ON_FIRST_USE:
        value = globals()[name] = _MADE_ON_FIRST_USE[name]()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
