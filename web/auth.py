"""Signing in and out, the language switch, and the guards every view uses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from .access import Access
from .db import get_accounts
from .i18n import LANGUAGES, gettext

__all__ = ["bp", "load_user", "login_required", "allow"]

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


def load_user() -> None:
    """Set ``g.user`` and ``g.access`` from the session cookie, or for the API from an
    ``Authorization: Bearer <token>`` header."""
    user = None
    if request.path.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            user = get_accounts().by_token(header[7:].strip())
    elif session.get("user_id") is not None:
        user = get_accounts().get(int(session["user_id"]))
    g.user = user
    g.access = Access(user, secret=current_app.config["SECRET_KEY"])


def login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.user is None:
            if request.path.startswith("/api/"):
                return jsonify(error="authentication required: send "
                                     "'Authorization: Bearer <token>'"), 401
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)
    return cast(F, wrapped)


def allow(permitted: bool, what: str = "") -> None:
    """Stop with 403 unless ``permitted``."""
    if not permitted:
        abort(403, description=gettext("You may not do this") + (f": {what}" if what else ""))


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("home.index")


@bp.route("/login", methods=("GET", "POST"))
def login() -> Any:
    if request.method == "POST":
        user = get_accounts().check(request.form.get("username", ""),
                                    request.form.get("password", ""))
        if user is None:
            flash(gettext("Wrong username or password."), "error")
            return render_template("login.html"), 401
        lang = session.get("lang")
        session.clear()
        session.permanent = True
        session["user_id"] = user.id
        if lang:
            session["lang"] = lang
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html")


@bp.post("/logout")
def logout() -> Any:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def language(code: str) -> Any:
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))
