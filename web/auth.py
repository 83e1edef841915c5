"""Signing in and out, the language switch, and the guards every view uses."""

from __future__ import annotations

import functools
import math
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
from .db import SignIn, get_accounts
from .i18n import LANGUAGES, gettext

__all__ = ["bp", "load_user", "login_required", "allow"]

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


def load_user() -> None:
    """Set ``g.user`` and ``g.access`` from the session cookie, or for the API from an
    ``Authorization: Bearer <token>`` header. A cookie from before the user's last sign-out,
    password change or disabling names no one any more."""
    user = None
    if request.path.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            user = get_accounts().by_token(header[7:].strip())
    elif session.get("user_id") is not None:
        user = get_accounts().session_user(int(session["user_id"]),
                                           int(session.get("epoch", -1)))
        if user is None:
            _restart_session()
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


def allow(permitted: bool, what: str = "", **params: object) -> None:
    """Stop with 403 unless ``permitted``. ``what`` is the English of what was refused (a
    key of the bokmål catalogue), with ``{name}`` for each of ``params``."""
    if not permitted:
        said = gettext(what).format(**params) if params else gettext(what)
        abort(403, description=gettext("You may not do this") + (f": {said}" if said else ""))


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") \
            and not target.startswith("//"):
        return target
    return url_for("home.index")


def _restart_session() -> None:
    """An empty session that keeps only the language choice."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _refusal(result: SignIn) -> tuple[str, int]:
    """The message and HTTP status of a refused sign-in."""
    minutes = max(1, math.ceil(result.retry_after_s / 60))
    if result.refusal == "user_locked":
        text = gettext("Too many wrong passwords for this user: locked for {minutes} min.")
        return text.format(minutes=minutes), 429
    if result.refusal == "address_locked":
        text = gettext("Too many wrong passwords from your address: locked for {minutes} min.")
        return text.format(minutes=minutes), 429
    if result.refusal == "disabled":
        return gettext("This account is disabled."), 403
    return gettext("Wrong username or password."), 401


@bp.route("/login", methods=("GET", "POST"))
def login() -> Any:
    if request.method == "POST":
        result = get_accounts().sign_in(request.form.get("username", ""),
                                        request.form.get("password", ""),
                                        address=request.remote_addr or "")
        if result.user is None:
            message, status = _refusal(result)
            flash(message, "error")
            headers = ({"Retry-After": str(math.ceil(result.retry_after_s))}
                       if status == 429 else {})
            return render_template("login.html"), status, headers
        _restart_session()
        session.permanent = True
        session["user_id"] = result.user.id
        session["epoch"] = result.user.session_epoch
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html")


@bp.post("/logout")
def logout() -> Any:
    """Sign out: every session cookie of this user stops working, copies included."""
    if g.user is not None:
        get_accounts().end_sessions(g.user.id)
    _restart_session()
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def language(code: str) -> Any:
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))
