"""The funding transfers of a round as a file (CSV or XLSX), for its national planners.

The export kind "planning.transfers" (arrival.reports.prepared): a background job builds the file when the
plan money follows or the round's funding rates change (a new plan, a publication, an agreement, new rates);
its address serves the latest built file. The file names the plan version, the licence and its source address.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from arrival.core.site import absolute_url
from arrival.planning import selectors
from arrival.planning.models import IntakeRound
from arrival.reports.exports import OpenDataMeta, open_data_file
from arrival.reports.prepared import CSV, XLSX, Built, ExportKind, export_kind_register
from arrival.reports.services import prepared_files_refresh

KIND_TRANSFERS = "planning.transfers"
FORMATS = {"csv": CSV, "xlsx": XLSX}


def transfer_rows(table: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    columns = ["locality", "persons"]
    labels = [f"{column['rate'].service}_{column['rate'].basis}" for column in table["columns"]]
    columns += [*labels, "total", "currency"]
    rows = []
    for row in table["rows"]:
        item = {
            "locality": row["actor"].name,
            "persons": row["persons"],
            "total": float(row["total"]),
            "currency": table["currency"],
        }
        for label, amount in zip(labels, row["amounts"], strict=True):
            item[label] = float(amount)
        rows.append(item)
    return columns, rows


def _address(params: dict[str, Any], fmt: str) -> str:
    return reverse("planning:funding_export", args=[params["round"], fmt])


def _build(params: dict[str, Any], fmt: str) -> Built:
    intake_round = IntakeRound.objects.get(pk=params["round"])
    plan = selectors.plan_for_transfers(intake_round=intake_round)
    if plan is None:
        raise ValueError(f"Round {intake_round.pk} has no plan to compute transfers from.")
    columns, rows = transfer_rows(selectors.transfer_table(plan=plan))
    meta = OpenDataMeta(
        title=f"Transfers: {intake_round.title}",
        version=f"plan-v{plan.version}",
        source=absolute_url(_address(params, fmt)),
    )
    return Built(
        content=open_data_file(fmt, columns, rows, meta),
        filename=f"transfers-round-{intake_round.pk}-v{plan.version}.{fmt}",
    )


def _source(params: dict[str, Any]) -> str:
    return f"planning.round:{params['round']}:transfers"


export_kind_register(
    ExportKind(
        name=KIND_TRANSFERS,
        formats=FORMATS,
        build=_build,
        source=_source,
        address=_address,
        per_language=False,
    )
)


def transfer_files_refresh(*, intake_round: IntakeRound) -> None:
    """The plan money follows or the rates changed: rebuild the round's transfer files."""
    params = {"round": intake_round.pk}
    prepared_files_refresh(source=_source(params), kinds=[(KIND_TRANSFERS, params)])
