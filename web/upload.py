"""Spreadsheet upload: check every row, preview, then commit; nothing is stored while
errors remain. Files wait between the two steps in a private folder named by a random
token, and are removed after the commit.

Reading and checking run outside the store lock, within the app's ``UPLOAD_LIMITS``
(file size, rows, columns, cell length, XLSX unpacked size and sheet dimensions, wall
time), so an upload cannot hold up other requests; the lock is taken only to commit,
when the ownership of every row is checked again."""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.utils import secure_filename

from graph import Store
from symbiosis import services
from symbiosis.errors import SHOWN_ERRORS, ImportValidationError, RowError, SymbiosisError
from symbiosis.io import KINDS, Deadline, ImportResult, ReadLimits, read_tables
from symbiosis.model import Reason
from symbiosis.recognition import normalise_text

from .auth import allow, login_required
from .data import get_store, taxonomy, write
from .db import get_accounts
from .i18n import gettext
from .words import error_text, note_text

__all__ = ["bp", "mapping_cluster"]

bp = Blueprint("upload", __name__, url_prefix="/upload")
_SUFFIXES = {".csv", ".xlsx"}


def _folder(token: str) -> Path:
    base = Path(current_app.config.get("UPLOAD_DIR") or
                Path(tempfile.gettempdir()) / "symbiosis-uploads")
    return base / token


def _check(folder: Path, kind: str | None) -> ImportResult:
    """Read and check the kept files against the store, without its lock."""
    limits: ReadLimits = current_app.config["UPLOAD_LIMITS"]
    deadline = Deadline(limits.max_seconds)
    tables = read_tables(sorted(str(p) for p in folder.iterdir()), kind=kind, limits=limits,
                         deadline=deadline)
    # error messages name the file as the user uploaded it, not our folder
    tables = [dataclasses.replace(t, label=Path(t.label).name) for t in tables]
    mapping = get_accounts().mapping(mapping_cluster())
    return services.parse_for_store(get_store(), tables, taxonomy=taxonomy(),
                                    mapping=mapping, owner=g.access.import_owner(),
                                    country=current_app.config["COUNTRY"], deadline=deadline)


def _refused(errors: list[RowError], status: int = 422, **page: Any) -> Any:
    """The errors page: the first errors and how many there are in all."""
    return render_template("upload.html", kinds=KINDS, errors=errors[:SHOWN_ERRORS],
                           error_count=len(errors), **page), status


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
        flash(gettext("Choose a CSV or XLSX file."), "error")
        return render_template("upload.html", kinds=KINDS), 400
    # hex: a token the folder check (secure_filename) reads back unchanged; a URL-safe
    # token starting or ending with "_" was stripped, and its upload looked expired
    token = secrets.token_hex(16)
    folder = _folder(token)
    folder.mkdir(parents=True, mode=0o700)
    for f in files:
        name = secure_filename(f.filename or "") or "upload.csv"
        if Path(name).suffix.lower() not in _SUFFIXES:
            shutil.rmtree(folder)
            flash(gettext("{name}: only CSV or XLSX files").format(name=name), "error")
            return render_template("upload.html", kinds=KINDS), 400
        f.save(folder / name)
    return _checked(folder, token, kind)


def _checked(folder: Path, token: str, kind: str | None) -> Any:
    try:
        result = _check(folder, kind)
    except ImportValidationError as exc:
        unsure = _unsure(exc.errors)
        if not unsure:
            shutil.rmtree(folder)
        # the file waits while the user confirms what unsure cells mean
        return _refused(exc.errors, unsure=unsure, token=token if unsure else "",
                        kind=kind or "", resources=sorted(taxonomy().resources))
    flows = {f.id: f for f in result.dataset.flows}
    readings = [(i, flows.get(i.flow_id)) for i in result.interpretations]
    notes = result.notes if len(result.notes) == len(result.warnings) else ()
    warnings = ([note_text(n, w) for n, w in zip(notes, result.warnings, strict=True)]
                or list(result.warnings))
    return render_template("upload.html", kinds=KINDS, preview=result.dataset,
                           warnings=warnings, dialects=result.dialect_notes, token=token,
                           kind=kind or "", readings=readings)


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
    owner = g.access.import_owner()
    try:
        result = _check(folder, kind)  # the store may have changed since the preview

        def change(store: Store) -> None:
            services.save(store, result.dataset, taxonomy=taxonomy(), owner=owner,
                          origins=result.origins)

        write(change)
    except ImportValidationError as exc:
        return _refused(exc.errors)
    except SymbiosisError as exc:  # the store refused the write (a row it refers to is gone)
        return _refused([RowError("", 0, "", str(exc), reason=Reason.of(
            "error.store", detail=error_text(exc)))], status=409)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    d = result.dataset
    flash(f"{gettext('Imported')}: {len(d.companies)} {gettext('companies')}, "
          f"{len(d.flows)} {gettext('flows')}")
    return redirect(url_for("companies.index"))
