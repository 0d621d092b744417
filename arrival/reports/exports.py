"""Open-data files (CSV, JSON, XLSX) that carry their licence, version and source, and XLSX helpers (openpyxl).

Open data: describe the file with `OpenDataMeta`, then `csv_bytes(columns, rows, meta)`,
`json_bytes(columns, rows, meta)` or `xlsx_open_data_bytes(columns, rows, meta)`. A CSV stays one plain
table: the licence, version and source are appended as the last columns of every row, so no reader needs to
skip comment lines. JSON has a `metadata` object beside the `data` list. An XLSX workbook has the table
(with the same last columns) on its first sheet and the metadata on a second sheet, "metadata".
The source is an absolute address (`arrival.core.site.absolute_url`).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.encoding import force_str

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

LICENCE_URLS = {
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODbL 1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
}


def data_licence() -> str:
    return str(getattr(settings, "ARRIVAL_DATA_LICENCE", "CC BY 4.0"))


@dataclass(frozen=True)
class OpenDataMeta:
    title: str
    version: str  # e.g. the framework version the numbers were computed with, "LMGF-1.0"
    source: str = ""  # a URL or path where the data is published
    licence: str = field(default_factory=data_licence)
    generated_at: datetime = field(default_factory=timezone.now)
    notes: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": force_str(self.title),
            "version": self.version,
            "licence": self.licence,
            "licence_url": LICENCE_URLS.get(self.licence, ""),
            "source": self.source,
            "generated_at": self.generated_at.isoformat(),
            **{key: force_str(value) if not isinstance(value, int | float | bool | list | dict) else value
               for key, value in self.notes.items()},
        }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, dict):  # e.g. `translations`: one cell of JSON text, as the JSON export gives the object
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    text = force_str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_write(out: SupportsWrite[str], columns: Sequence[str], rows: Iterable[Mapping[str, Any]], meta: OpenDataMeta) -> int:
    """Write `rows` (dicts keyed by `columns`) and the licence and version columns to `out`; returns the row count."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*columns, "data_version", "licence", "source"])
    count = 0
    for row in rows:
        writer.writerow([*(_cell(row.get(column)) for column in columns), meta.version, meta.licence, meta.source])
        count += 1
    return count


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], meta: OpenDataMeta) -> bytes:
    out = io.StringIO()
    csv_write(out, columns, rows, meta)
    # A byte-order mark lets spreadsheet programs read UTF-8 (Arabic, accents) without asking.
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def json_chunks(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], meta: OpenDataMeta) -> Iterator[str]:
    """The JSON document in pieces, so a large export never sits in memory as one string."""
    head = json.dumps({"metadata": {**meta.as_dict(), "columns": list(columns)}}, ensure_ascii=False,
                      cls=DjangoJSONEncoder)
    yield head[:-1] + ', "data": ['
    first = True
    for row in rows:
        item = json.dumps({column: row.get(column) for column in columns}, ensure_ascii=False, cls=DjangoJSONEncoder)
        yield ("" if first else ",") + "\n" + item
        first = False
    yield "\n]}\n"


def json_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], meta: OpenDataMeta) -> bytes:
    return "".join(json_chunks(columns, rows, meta)).encode("utf-8")


# --- XLSX --------------------------------------------------------------------------------------------------


def xlsx_open_data_write(out: IO[bytes], columns: Sequence[str], rows: Iterable[Mapping[str, Any]],
                         meta: OpenDataMeta) -> None:
    """The open-data table as a workbook: sheet "data" (columns, then data_version, licence, source) and sheet
    "metadata" (one row per metadata field). Written in openpyxl's streaming mode, so rows never pile up."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    described = meta.as_dict()
    workbook.properties.title = described["title"][:250]
    workbook.properties.description = f"{meta.licence} {described['licence_url']}".strip()
    workbook.properties.identifier = meta.source
    workbook.properties.version = meta.version[:250]
    data = workbook.create_sheet("data")
    data.append([*columns, "data_version", "licence", "source"])
    for row in rows:
        data.append([*(_cell(row.get(column)) for column in columns), meta.version, meta.licence, meta.source])
    about = workbook.create_sheet("metadata")
    about.append(["field", "value"])
    for key, value in described.items():
        about.append([key, value if isinstance(value, int | float | str) else json.dumps(value, ensure_ascii=False)])
    about.append(["columns", ", ".join(columns)])
    workbook.save(out)


def xlsx_open_data_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], meta: OpenDataMeta) -> bytes:
    buffer = io.BytesIO()
    xlsx_open_data_write(buffer, columns, rows, meta)
    return buffer.getvalue()


class _TextSink:
    """The smallest text file that csv.writer needs, writing UTF-8 into a binary file."""

    def __init__(self, binary: IO[bytes]) -> None:
        self.binary = binary

    def write(self, text: str) -> int:
        self.binary.write(text.encode("utf-8"))
        return len(text)


def open_data_file(fmt: str, columns: Sequence[str], rows: Iterable[Mapping[str, Any]], meta: OpenDataMeta) -> IO[bytes]:
    """The open-data file as `fmt` (csv, json or xlsx) in a spooled temporary file, rewound: small files stay
    in memory, large ones move to disk, and no format builds one big string."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")  # noqa: SIM115 - returned open
    if fmt == "csv":
        spool.write("\ufeff".encode())
        csv_write(_TextSink(spool), columns, rows, meta)
    elif fmt == "json":
        for chunk in json_chunks(columns, rows, meta):
            spool.write(chunk.encode("utf-8"))
    elif fmt == "xlsx":
        xlsx_open_data_write(spool, columns, rows, meta)
    else:
        raise ValueError(f"No open-data format {fmt!r}.")
    spool.seek(0)
    return spool


def xlsx_bytes(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_header(sheet: Any, columns: Sequence[str], *, widths: Sequence[int] | None = None) -> None:
    """Bold, wrapped header row that stays in view when scrolling."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.append([force_str(c) for c in columns])
    for index, cell in enumerate(sheet[1], start=1):
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F3F5F8")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if widths:
            sheet.column_dimensions[get_column_letter(index)].width = widths[index - 1]
    sheet.freeze_panes = "A2"


def xlsx_protect(sheet: Any, *, editable_columns: Iterable[int], first_row: int = 2) -> None:
    """Lock the sheet's structure and every cell except `editable_columns` (1-based) from `first_row` down.

    No password: the lock keeps people from overwriting codes and questions by accident, it is not a secret.
    """
    from openpyxl.styles import Protection

    for column in editable_columns:
        for row in range(first_row, sheet.max_row + 1):
            sheet.cell(row=row, column=column).protection = Protection(locked=False)
    sheet.protection.sheet = True
    # Resizing rows and columns stays allowed (False = not protected in openpyxl's terms).
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def xlsx_list_validation(sheet: Any, *, cell: str, source: str, prompt_title: str = "", error: str = "") -> None:
    """Make `cell` a drop-down of the values in range `source` (e.g. "'Choices'!$A$3:$H$3")."""
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False)
    validation.error = force_str(error)[:255]
    validation.errorTitle = force_str(prompt_title)[:32]
    validation.showErrorMessage = bool(error)
    sheet.add_data_validation(validation)
    validation.add(cell)


def xlsx_open(file: IO[bytes]) -> Any:
    """Open an uploaded workbook for reading values (not formulas); raises ValueError if it is not one."""
    from openpyxl import load_workbook

    try:
        return load_workbook(file, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise ValueError(str(exc)) from exc
