"""Administration: CO2 factor sets (a factor with its source and year) and what heat or
electricity replaces in a park or a county. Admins only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from graph import Store
from symbiosis import services
from symbiosis.co2 import APPLIES_TO, SCOPES, UNITS, Co2Choice, Co2FactorError

from .auth import allow, login_required
from .data import snapshot, taxonomy, write
from .i18n import gettext
from .words import error_text

__all__ = ["bp"]

bp = Blueprint("admin", __name__, url_prefix="/admin")

FACTOR_FIELDS = ("key", "label", "label_nb", "applies_to", "factor", "unit", "source", "year",
                 "notes")


def _admin() -> None:
    allow(g.access.role == "admin", "manage CO2 factors")


def _page(cells: dict[str, str], errors: dict[str, str]) -> Any:
    co2 = taxonomy().co2
    snap = snapshot()
    choices = [{"scope": scope, "name": name, "applies_to": kind, "factor": key}
               for (scope, name, kind), key in sorted(co2.choices.items())]
    return render_template(
        "co2_factors.html", factors=sorted(co2.factors.values(),
                                           key=lambda f: (f.applies_to, f.factor, f.key)),
        defaults=sorted(co2.defaults.items()), choices=choices, cells=cells, errors=errors,
        applies_to=APPLIES_TO, units=UNITS, scopes=SCOPES, counties=snap.counties,
        parks=sorted(p.id for p in snap.data.parks)), 400 if errors else 200


@bp.get("/factors")
@login_required
def factors() -> Any:
    _admin()
    return _page({"unit": UNITS[0], "applies_to": "heat"}, {})


@bp.post("/factors")
@login_required
def add_factor() -> Any:
    """Add a factor set: refused field by field (finite factor of at least 0, source and
    year required)."""
    _admin()
    cells = {f: request.form.get(f, "").strip() for f in FACTOR_FIELDS}

    def change(store: Store) -> Any:
        return services.add_co2_factor(store, cells, by=g.user.username,
                                       taxonomy=taxonomy())

    try:
        added = write(change)
    except Co2FactorError as exc:
        return _page(cells, {exc.field: error_text(exc)})
    flash(gettext("Saved.") + f" {added.key}")
    return redirect(url_for("admin.factors"))


@bp.post("/factors/choice")
@login_required
def choose() -> Any:
    """What heat (or electricity) replaces in one park or county; flows that name their
    own factor keep it. The store is matched again."""
    _admin()
    form = request.form
    choice = Co2Choice(scope=form.get("scope", ""), name=form.get("name", "").strip(),
                       applies_to=form.get("applies_to", ""),
                       factor=form.get("factor", "").strip())
    try:
        write(lambda store: services.choose_co2_factor(store, choice, taxonomy=taxonomy()))
    except Co2FactorError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("admin.factors"))
    flash(gettext("Saved."))
    return redirect(url_for("admin.factors"))
