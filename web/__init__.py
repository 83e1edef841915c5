"""The Flask front end: ``create_app(test_config=None)``, one blueprint per area."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

from symbiosis.export import finite
from symbiosis.io import DEFAULT_COUNTRY, UPLOAD_LIMITS

__all__ = ["create_app", "content_security_policy", "csrf", "FiniteJSONProvider"]

csrf = CSRFProtect()


class FiniteJSONProvider(DefaultJSONProvider):
    """JSON as the standard has it: a number that is not finite (``inf``, ``nan``) is
    written as ``null``, never as the bare ``Infinity`` or ``NaN`` that JSON parsers
    refuse."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        plain = self.default
        kwargs.setdefault("default", lambda o: finite(plain(o)))  # dataclasses, dates
        kwargs.setdefault("allow_nan", False)
        return super().dumps(finite(obj), **kwargs)


def content_security_policy(tile_url: str = "") -> str:
    """The Content-Security-Policy of every response: scripts only from this site's files
    (no inline script, no ``eval``), data only from this site; images also from the
    basemap's server when ``tile_url`` names one (``{s}`` in its host becomes ``*``).
    Inline styles stay allowed: the legends colour their entries, and Leaflet and
    vis-network position their elements with them."""
    images = ["'self'"]
    parts = urlsplit(tile_url)
    if parts.scheme in ("http", "https") and parts.netloc:
        host = parts.netloc.replace("{s}", "*")
        images.append(f"{parts.scheme}://{host}" if "{" not in host and "}" not in host
                      else f"{parts.scheme}:")
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
        f"img-src {' '.join(images)}", "connect-src 'self'", "object-src 'none'",
        "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"])


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app. Settings come from ``test_config`` or ``SYMBIOSIS_*`` variables:
    ``STORE_URL`` (the store, as for the CLI), ``USERS_DB`` (accounts file, default
    ``symbiosis-users.sqlite``), ``SECRET_KEY`` (default: made once and kept in the
    accounts file), ``TILE_URL`` (optional basemap tiles for the map), ``FACTORS``; ``CLOCK``
    (seconds, for the sign-in limits) only from ``test_config``; ``COUNTRY`` (whose boxes
    imported places are checked against, ``SYMBIOSIS_COUNTRY``) and ``UPLOAD_LIMITS`` (a
    :class:`symbiosis.io.ReadLimits`)."""
    app = Flask(__name__)
    app.json = FiniteJSONProvider(app)
    env = os.environ
    app.config.from_mapping(
        STORE_URL=env.get("SYMBIOSIS_STORE") or None,
        USERS_DB=env.get("SYMBIOSIS_USERS", "symbiosis-users.sqlite"),
        SECRET_KEY=env.get("SYMBIOSIS_SECRET_KEY") or None,
        TILE_URL=env.get("SYMBIOSIS_TILE_URL", ""),
        FACTORS=env.get("SYMBIOSIS_FACTORS") or None,
        CACHE_SECONDS=5.0,
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        OPTIMIZE_MAX_SECONDS=300.0,
        PAGE_SIZE=100,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=env.get("SYMBIOSIS_SECURE_COOKIES", "") == "1",
        SESSION_COOKIE_NAME="symbiosis_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=None,
        CLOCK=time.time,
        COUNTRY=env.get("SYMBIOSIS_COUNTRY", DEFAULT_COUNTRY),
        UPLOAD_LIMITS=UPLOAD_LIMITS,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        from .db import Accounts

        accounts = Accounts(app.config["USERS_DB"])
        app.config["SECRET_KEY"] = accounts.secret_key()
        accounts.close()

    from . import (
        admin,
        api,
        auth,
        candidates,
        companies,
        data,
        db,
        exchanges,
        home,
        i18n,
        indicators,
        jobs,
        maps,
        network_views,
        optimize,
        parks,
        scenarios,
        upload,
    )

    data.init_app(app)
    jobs.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    app.teardown_appcontext(db.close_accounts)
    app.before_request(auth.load_user)
    for module in (auth, home, companies, upload, candidates, optimize, scenarios,
                   network_views, maps, indicators, parks, exchanges, jobs, admin):
        app.register_blueprint(module.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)

    policy = content_security_policy(app.config["TILE_URL"])

    @app.after_request
    def security_headers(response: Response) -> Response:
        """Every response: no script but this site's files, never inside a frame, no
        content-type guessing, and no page address sent to other sites."""
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @app.errorhandler(403)
    @app.errorhandler(404)
    def refused(exc: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            return jsonify(error=exc.description), exc.code
        message = exc.description
        if message == type(exc).description:  # werkzeug's own English words
            message = i18n.gettext("There is no such page.") if exc.code == 404 else ""
        return render_template("error.html", code=exc.code, message=message), exc.code

    return app
