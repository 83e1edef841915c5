"""Issue 12, item 4: an upload cannot hold up anyone else. Files are read and checked
outside the store lock and within limits; a zip bomb and a sheet as wide as Excel allows
are refused at once while other pages keep answering; reports list the first errors and
count the rest."""

from __future__ import annotations

import io
import re
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook

from symbiosis.errors import SHOWN_ERRORS, ImportValidationError
from symbiosis.io import ReadLimits, read_tables


def _sheet_xml(rows: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData>{rows}</sheetData></worksheet>')


def zip_bomb(path: Path, megabytes: int = 60) -> Path:
    """A valid workbook whose one sheet ("companies") is ``megabytes`` MB of the same row,
    deflated to a few hundred kB."""
    book = Workbook()
    book.active.title = "companies"
    book.active.append(["id", "name", "lat", "lon"])
    plain = io.BytesIO()
    book.save(plain)
    row = '<row><c t="inlineStr"><is><t>BOMB</t></is></c><c><v>60.7</v></c></row>'
    body = _sheet_xml(row * (megabytes * 1024 * 1024 // len(row)))
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = body.encode("utf-8")
            out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED,
                         compresslevel=zlib.Z_BEST_COMPRESSION)
    return path


def wide_sheet(path: Path, rows: int = 1800) -> Path:
    """A small workbook of companies with one cell in column XFD (16,384 columns)."""
    book = Workbook()
    ws = book.active
    ws.title = "companies"
    ws.append(["id", "name", "lat", "lon"])
    for n in range(rows):
        ws.append([f"W-{n}", f"Wide {n}", 60.0 + n / 1e4, 11.0])
    ws["XFD1"] = "x"
    book.save(path)
    return path


def test_the_bombs_are_small_files(tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 1_000_000
    assert sum(i.file_size for i in zipfile.ZipFile(bomb).infolist()) > 50_000_000
    wide = wide_sheet(tmp_path / "wide.xlsx")
    assert wide.stat().st_size < 50_000


@pytest.mark.parametrize("make, says", [(zip_bomb, "zip bomb"),
                                        (wide_sheet, "16,384 columns")])
def test_a_bomb_is_refused_at_once_while_pages_answer(login, app, tmp_path, make, says):
    path = make(tmp_path / "members.xlsx")
    uploader, reader = login("solor"), login("viewer")
    assert reader.get("/companies/").status_code == 200  # the snapshot is warm
    done: dict[str, object] = {}

    def upload() -> None:
        start = time.perf_counter()
        r = uploader.client.post("/upload/", data={
            "csrf_token": uploader.token, "kind": "",
            "file": (path.open("rb"), "members.xlsx")}, content_type="multipart/form-data")
        done["upload"] = (time.perf_counter() - start, r.status_code, r.get_data(as_text=True))

    thread = threading.Thread(target=upload)
    thread.start()
    time.sleep(0.05)
    start = time.perf_counter()
    page = reader.get("/companies/")
    page_s = time.perf_counter() - start
    thread.join(timeout=60)
    upload_s, status, text = done["upload"]  # type: ignore[misc]
    assert page.status_code == 200 and page_s < 1.0, page_s
    assert status == 422 and upload_s < 2.0, upload_s
    assert says in text
    assert text.count('class="row-error"') == 1


def test_limits_on_rows_columns_cells_and_size(tmp_path):
    limits = ReadLimits(max_rows=3, max_columns=5, max_cell_chars=20, max_file_bytes=500)
    cases = {
        "rows": ("id,name,lat,lon\n" + "".join(f"C{n},N,60,11\n" for n in range(4)),
                 "more than 3 rows"),
        "columns": ("a,b,c,d,e,f\n1,2,3,4,5,6\n", "6 columns, more than 5"),
        "cells": ("id,name,lat,lon\nC1," + "x" * 21 + ",60,11\n", "21 characters"),
        "size": ("id,name,lat,lon\n" + "C,N,60,11\n" * 60, "more than 500"),
    }
    for name, (text, says) in cases.items():
        path = tmp_path / "companies.csv"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ImportValidationError) as info:
            read_tables([path], limits=limits)
        assert [says in e.message for e in info.value.errors] == [True], name
    with pytest.raises(ImportValidationError, match="more than 3 rows"):
        book = Workbook()
        book.active.title = "companies"
        for n in range(6):
            book.active.append([f"C{n}", "N", 60, 11])
        book.save(tmp_path / "rows.xlsx")
        read_tables([tmp_path / "rows.xlsx"], limits=ReadLimits(max_rows=3))


def test_a_sheet_that_lies_about_its_size_is_read_as_it_is(tmp_path):
    """The dimension says A1:D2, the rows go on: they are read (and limited), not lost."""
    book = Workbook()
    book.active.title = "companies"
    book.active.append(["id", "name", "lat", "lon"])
    for n in range(5):
        book.active.append([f"C{n}", "N", 60.5, 11.5])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:D2"/>', data)
            out.writestr(item, data)
    (table,) = read_tables([path])
    assert [cells["id"] for _, cells in table.rows] == [f"C{n}" for n in range(5)]
    with pytest.raises(ImportValidationError, match="more than 3 rows"):
        read_tables([path], limits=ReadLimits(max_rows=3))


def test_reports_list_the_first_errors_and_count_them_all(login, app, tokens, tmp_path):
    rows = "".join(f"E-{n},Bad {n},600,11\n" for n in range(120))  # lat out of range
    text = "id,name,lat,lon,cluster\n" + rows
    s = login("admin")
    r = s.client.post("/upload/", data={
        "csrf_token": s.token, "kind": "",
        "file": (io.BytesIO(text.encode()), "companies.csv")}, content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert page.count('class="row-error"') == SHOWN_ERRORS
    assert re.search(r'id="error-count">120<', page) and f"The first {SHOWN_ERRORS}" in page
    api = app.test_client().post("/api/v1/companies", headers={
        "Authorization": f"Bearer {tokens['admin']}"}, json={"companies": [
            {"id": f"E-{n}", "name": "Bad", "lat": 600, "lon": 11} for n in range(120)]})
    body = api.get_json()
    assert api.status_code == 422 and body["total"] == 120
    assert len(body["errors"]) == SHOWN_ERRORS
    err = ImportValidationError(ImportValidationError(
        [e for e in _errors(120)]).errors)
    assert str(err).count("\n  - ") == SHOWN_ERRORS and "... and 70 more" in str(err)


def _errors(n: int):
    from symbiosis.errors import RowError

    return [RowError("f.csv", i, "lat", "bad") for i in range(n)]
