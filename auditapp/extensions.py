"""Flask extensions, created unbound and bound to the app in create_app."""

from collections.abc import Mapping
from typing import Any

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from auditapp.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# Outgoing mail over SMTP (MAIL_* in config.py); services/mail.py sends, and only when
# MAIL_SERVER is set.
mail = Mail()


def client_address() -> str:
    """The rate-limit key of the client's address (behind trusted proxies: security.py)."""
    return f"address:{request.remote_addr or 'unknown'}"


# Its settings are the RATELIMIT_* values in config.py; the views it limits carry their limits
# as decorators (auth/routes.py: sign-in). One per process, like the other extensions.
limiter = Limiter(key_func=client_address)


def rate_limit_storage_uri(config: Mapping[str, Any]) -> str:
    """Redis when REDIS_URL is set (limits shared by all workers), else this process's memory."""
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"
