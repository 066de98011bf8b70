"""Build Annex A workbooks and CSV exports for the tests, in Ofsted's layout (synthetic data).

Headers are those of Ofsted's Annex A template lists, as the public Annex A pipelines
(liia-tools, sfdata-annexa-clean) spell them. Rows are dicts keyed by a header (or by any
spelling of it: the tests write drifted headers on purpose); missing keys are blank cells.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from shared_checks import load_make

from conftest import ROOT

SAMPLE = load_make(ROOT / "examples" / "samples" / "annex-a")
COMMON = SAMPLE.COMMON
HEADERS: dict[int, list[str]] = {
    1: [*COMMON, "Date of Contact", "Contact Source"],
    2: [
        *COMMON,
        "Assessment start date",
        "Assessment completion date",
        "Organisation completing assessment",
    ],
    3: [
        *COMMON,
        "Date of referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        "Allocated Team",
        "Allocated Worker",
    ],
    4: list(SAMPLE.L4),  # the committed sample is built to the same lists
    5: list(SAMPLE.L5),
    6: [
        *COMMON,
        "Does the Child have a Disability",
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
        "Allocated Team",
        "Allocated Worker",
    ],
    # the sample's List 7 leaves out the EPO column, which comes after the plan's end date
    7: [
        *SAMPLE.L7[: SAMPLE.L7.index("Child Protection Plan End Date") + 1],
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
        "Months (Y/N)",
        *SAMPLE.L7[SAMPLE.L7.index("Number of Previous Child Protection Plans") :],
    ],
    8: [
        *COMMON,
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "Does the Child have a Disability",
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 "
        "months (Y/N)",
        "Start date of current legal status",
        "Child's Legal Status",
        "Date of Latest Statutory Review",
        "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
        "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Placement Provider",
        "Placement postcode",
        "URN of Placement",
        "Placement Location",
        "LA of Placement",
        "Allocated Team",
        "Allocated Worker",
    ],
    9: [
        *COMMON,
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        "Does the Child have a Disability",
        "Allocated Team",
        "Allocated Worker",
        "Allocated Personal Advisor",
        "Eligibility Category",
        "Latest Pathway Plan Review Date",
        "LA in Touch",
        "Latest Date of Contact",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ],
    10: [
        "Child Unique ID",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Does the Child have a Disability",
        "Date the Child Entered Care",
        "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
        "Date of Adoption Order",
        "Date of Decision that Child Should No Longer be Placed for Adoption",
        "Reason Why Child No Longer Placed for Adoption",
        "Date the child was placed for fostering in FFA or concurrent planning placement",
    ],
    11: [
        "Individual adopter identifier",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Disability",
        "Is the (prospective) adopter fostering for adoption?",
        "Date enquiry received",
        "Date Stage 1 started",
        "Date Stage 1 ended",
        "Date Stage 2 started",
        "Date Stage 2 ended",
        "Date application submitted",
        "Date application approved",
        "Date adopter matched with child(ren)",
        "Date child/children placed with adopter(s)",
        "No. of children placed",
        "Date of Adoption Order",
        "Date of leaving adoption process",
        "Reason for leaving adoption process",
    ],
}


@dataclass
class Sheet:
    """One sheet: its (renamed) title, the list it holds, rows keyed by template header."""

    title: str
    number: int | None
    rows: Sequence[Mapping[str, Any]] = ()
    rename: Mapping[str, str] = field(default_factory=dict)  # template header -> written header
    title_rows: Sequence[str] = ()  # merged title rows written above the header
    headers: Sequence[str] | None = None  # instead of the template's (an unknown list)

    def header(self) -> list[str]:
        names = list(self.headers) if self.headers is not None else HEADERS[self.number or 0]
        return [self.rename.get(h, h) for h in names]

    def values(self, row: Mapping[str, Any]) -> list[Any]:
        names = list(self.headers) if self.headers is not None else HEADERS[self.number or 0]
        unknown = set(row) - set(names)
        assert not unknown, f"not a column of this sheet: {unknown}"
        return [row.get(h) for h in names]


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.title)
        width = len(spec.header())
        for text in spec.title_rows:
            ws.append([text])
            r = ws.max_row
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=max(width, 2))
        ws.append(spec.header())
        for row in spec.rows:
            ws.append(spec.values(row))
    wb.save(path)
    return path


def write_csv(
    path: Path,
    spec: Sheet,
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y")
        return str(value)

    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        for title in spec.title_rows:
            writer.writerow([title])
        writer.writerow(spec.header())
        for row in spec.rows:
            writer.writerow([text(v) for v in spec.values(row)])
    return path
