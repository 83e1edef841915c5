"""Spreadsheet upload: check every row, preview, then commit; nothing is stored while
errors remain. Files wait between the two steps in a private folder named by a random
token, and are removed after the commit."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.utils import secure_filename

from graph import Store
from symbiosis import services
from symbiosis.errors import ImportValidationError, RowError
from symbiosis.io import KINDS, ImportResult, Table, read_tables
from symbiosis.recognition import normalise_text

from .auth import allow, login_required
from .data import snapshot, taxonomy, write
from .db import get_accounts
from .i18n import gettext

__all__ = ["bp", "cluster_errors", "mapping_cluster"]

bp = Blueprint("upload", __name__, url_prefix="/upload")
_SUFFIXES = {".csv", ".xlsx"}


def _folder(token: str) -> Path:
    base = Path(current_app.config.get("UPLOAD_DIR") or
                Path(tempfile.gettempdir()) / "symbiosis-uploads")
    return base / token


def cluster_errors(tables: list[Table], cluster: str | None,
                   stored_clusters: dict[str, str | None]) -> list[RowError]:
    """Rows a cluster manager may not import: companies of another cluster, and flows or
    processes of such companies."""
    owners = dict(stored_clusters)
    for t in tables:
        if t.kind == "companies":
            owners.update({cells.get("id", ""): cells.get("cluster") or None
                           for _, cells in t.rows})
    errors = []
    for t in tables:
        for row, cells in t.rows:
            if t.kind == "companies" and (cells.get("cluster") or None) != cluster:
                errors.append(RowError(t.label, row, "cluster",
                                       f"you may import only companies of cluster {cluster}",
                                       cells.get("cluster", "")))
            elif t.kind in ("flows", "processes") and \
                    owners.get(cells.get("company_id", "")) != cluster:
                errors.append(RowError(t.label, row, "company_id",
                                       f"not a company of cluster {cluster}",
                                       cells.get("company_id", "")))
            elif t.kind == "parks":
                errors.append(RowError(t.label, row, "id", "only an admin may import parks",
                                       cells.get("id", "")))
    return errors


def _check(store: Store, folder: Path, kind: str | None) -> ImportResult:
    tables = read_tables(sorted(str(p) for p in folder.iterdir()), kind=kind)
    # error messages name the file as the user uploaded it, not our folder
    tables = [Table(kind=t.kind, label=Path(t.label).name, columns=t.columns, rows=t.rows)
              for t in tables]
    mapping = get_accounts().mapping(mapping_cluster())
    result = services.parse_for_store(store, tables, taxonomy=taxonomy(), mapping=mapping)
    if g.access.role != "admin":
        clusters = {c.id: c.cluster for c in snapshot().data.companies}
        errors = cluster_errors(tables, g.user.cluster, clusters)
        if errors:
            raise ImportValidationError(errors)
    return result


def _kept(token: str) -> Path | None:
    """The folder of an upload waiting for its commit, if it is still there."""
    folder = _folder(secure_filename(token) or "-")
    return folder if token and folder.is_dir() else None


def _expired() -> Any:
    flash(gettext("The upload has expired; upload the file again."), "error")
    return redirect(url_for("upload.index"))


def mapping_cluster() -> str:
    """Whose confirmed readings an upload uses and adds to: an admin's are shared."""
    return "" if g.access.role == "admin" else (g.user.cluster or "")


def _unsure(errors: list[RowError]) -> list[RowError]:
    return [e for e in errors if e.code == "unrecognised"]


@bp.get("/")
@login_required
def index() -> Any:
    allow(g.access.imports(), "import data")
    return render_template("upload.html", kinds=KINDS)


@bp.post("/")
@login_required
def check() -> Any:
    allow(g.access.imports(), "import data")
    files = [f for f in request.files.getlist("file") if f.filename]
    kind = request.form.get("kind") or None
    if kind is not None and kind not in KINDS:
        kind = None
    if not files:
        flash(gettext("File") + ": CSV / XLSX", "error")
        return render_template("upload.html", kinds=KINDS), 400
    token = secrets.token_urlsafe(16)
    folder = _folder(token)
    folder.mkdir(parents=True, mode=0o700)
    for f in files:
        name = secure_filename(f.filename or "") or "upload.csv"
        if Path(name).suffix.lower() not in _SUFFIXES:
            shutil.rmtree(folder)
            flash(f"{name}: CSV / XLSX", "error")
            return render_template("upload.html", kinds=KINDS), 400
        f.save(folder / name)
    return _checked(folder, token, kind)


def _checked(folder: Path, token: str, kind: str | None) -> Any:
    try:
        result = write(lambda store: _check(store, folder, kind))
    except ImportValidationError as exc:
        unsure = _unsure(exc.errors)
        if not unsure:
            shutil.rmtree(folder)
        # the file waits while the user confirms what unsure cells mean
        return render_template("upload.html", kinds=KINDS, errors=exc.errors, unsure=unsure,
                               token=token if unsure else "", kind=kind or "",
                               resources=sorted(taxonomy().resources)), 422
    flows = {f.id: f for f in result.dataset.flows}
    readings = [(i, flows.get(i.flow_id)) for i in result.interpretations]
    return render_template("upload.html", kinds=KINDS, preview=result.dataset,
                           warnings=result.warnings, token=token, kind=kind or "",
                           readings=readings)


@bp.post("/confirm")
@login_required
def confirm() -> Any:
    """Save the user's readings of unsure cells for the cluster, then check the kept
    file again."""
    allow(g.access.imports(), "import data")
    token = request.form.get("token", "")
    folder = _kept(token)
    if folder is None:
        return _expired()
    tax = taxonomy()
    accounts = get_accounts()
    texts = request.form.getlist("text")
    keys = request.form.getlist("resource")
    for text, key in zip(texts, keys, strict=False):
        if key and key in tax.resources and text.strip():
            accounts.confirm(mapping_cluster(), normalise_text(text), key, g.user.username)
    kind = request.form.get("kind") or None
    return _checked(folder, token, kind)


@bp.post("/commit")
@login_required
def commit() -> Any:
    allow(g.access.imports(), "import data")
    folder = _kept(request.form.get("token", ""))
    if folder is None:
        return _expired()
    kind = request.form.get("kind") or None

    def change(store: Store) -> ImportResult:
        result = _check(store, folder, kind)  # the store may have changed since the preview
        services.save(store, result.dataset, taxonomy=taxonomy())
        return result

    try:
        result = write(change)
    except ImportValidationError as exc:
        return render_template("upload.html", kinds=KINDS, errors=exc.errors), 422
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    d = result.dataset
    flash(f"{gettext('Imported')}: {len(d.companies)} {gettext('companies')}, "
          f"{len(d.flows)} {gettext('flows')}")
    return redirect(url_for("companies.index"))
