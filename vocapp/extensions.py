"""Flask extensions, created once at module level and bound in ``create_app``."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from vocapp.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
#: rate limits (login, respondent token look-ups, API); storage from RATELIMIT_STORAGE_URI, memory by default
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
