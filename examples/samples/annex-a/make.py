"""Write ``annex_a.xlsx``: a small, realistic Ofsted Annex A return (synthetic children).

Built to the current template's lists and column names (those of Ofsted's Annex A template as
the public Annex A pipelines spell them: liia-tools' Annex_A_schema.yml), with the untidiness
real workbooks have:

* a cover sheet and a guidance sheet (documentation: one notice each, never rejections);
* renamed sheets ("L4 Assessments", "CP Plans", "CLA") found by their columns, a merged title
  row above a header, an older column name ("Child ID");
* ``#N/A`` cells left by a VLOOKUP (the allocated worker, an authorisation date) and a ``#REF!``
  in a required column (that row alone is rejected, naming the cell);
* dates as real dates, as Excel serial numbers in cells not formatted as dates (General), and
  as text;
* blank optional cells (gender, ethnicity, disability, team);
* a council's own working sheet ("Pivot": skipped, counted), a list whose required column was
  renamed ("L4 old export": rejected whole), and List 11 (adopters: a notice).

Run ``python examples/samples/annex-a/make.py`` to write it next to this script; the workbook is
committed, and tests/importers/test_samples_annex_a.py checks what ``timescales check`` makes of
it (``--as-of 2025-03-31``). Only openpyxl is needed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_ERROR

D = dt.date
OUT = Path(__file__).with_name("annex_a.xlsx")
COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
L4 = [
    *COMMON,
    "Does the Child have a Disability",
    "Continuous Assessment Start Date",
    "Child Seen During Continuous Assessment",
    "Continuous Assessment Date of Authorisation",
    "Was the child assessed as requiring LA children's social care support?",
    "Allocated Team",
    "Allocated Worker",
]
L5 = [
    *COMMON,
    "Does the Child have a Disability",
    "Strategy discussion initiating Section 47 Enquiry Start Date",
    "Was an Initial Child Protection Conference deemed unnecessary?",
    "Date of Initial Child Protection Conference",
    "Did the Initial Child Protection Conference Result in a Child Protection Plan",
    "Number of Section 47 Enquiries in the last 12 months",
    "Number of ICPCs in the last 12 months",
    "Allocated Team",
    "Allocated Worker",
]
L7 = [
    *COMMON,
    "Does the Child have a Disability",
    "Child Protection Plan Start Date",
    "Initial Category of Abuse",
    "Latest Category of Abuse",
    "Date of the Last Statutory Visit",
    "Was the Child Seen Alone?",
    "Date of latest review conference",
    "Child Protection Plan End Date",
    "Number of Previous Child Protection Plans",
    "Allocated Team",
    "Allocated Worker",
]
L8 = [
    *COMMON,
    "Does the Child have a Disability",
    "Date Started to be Looked After",
    "Child's Category of Need",
    "Child's Legal Status",
    "Date of Latest Statutory Review",
    "Date of Last Social Work Visit",
    "Date Ceased to be Looked After",
    "Start Date of Most Recent Placement",
    "Placement Type",
    "Allocated Team",
    "Allocated Worker",
]
L11 = ["Individual adopter identifier", "Family identifier", "Date enquiry received"]


def sheet(
    wb: Workbook, title: str, header: list[str], rows: list[dict[str, Any]], **kw: Any
) -> Any:
    ws = wb.create_sheet(title)
    for text in kw.get("titles", ()):
        ws.append([text])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=6)
    ws.append(header)
    for row in rows:
        unknown = set(row) - set(header)
        assert not unknown, unknown
        ws.append([row.get(h) for h in header])
        for name, value in row.items():
            cell = ws.cell(ws.max_row, header.index(name) + 1)
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
            elif isinstance(value, str) and value.startswith("#"):
                cell.data_type = TYPE_ERROR  # an error cell, as a failed VLOOKUP leaves it
            # an int in a date column stays General: an Excel serial, not shown as a date
    return ws


def build(path: Path = OUT) -> Path:
    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    for line in (
        ["Annex A: children's social care data for inspection"],
        ["Local authority", "Anyshire (synthetic)"],
        ["Extract date", D(2025, 3, 31)],
        ["Prepared by", "Performance and Intelligence"],
    ):
        cover.append(line)
    guidance = wb.create_sheet("Guidance")
    guidance.append(["Each list covers the six months to the extract date."])
    guidance.append(["Leave a date blank where the event has not happened."])

    start, auth = L4[6], L4[8]
    sheet(
        wb,
        "L4 Assessments",
        ["Child ID", *L4[1:]],
        [
            {"Child ID": "AA01", "Gender": "a) Male", start: D(2024, 11, 4),
             auth: D(2024, 12, 20), "Allocated Team": "Assessment East",
             "Allocated Worker": "SW01"},
            {"Child ID": "AA02", start: 45600},  # a General-format serial: 2024-11-04
            {"Child ID": "AA03", start: D(2025, 1, 6), auth: 45695,  # serial: 2025-02-07
             "Allocated Team": "Assessment East", "Allocated Worker": "#N/A"},
            {"Child ID": "AA04", start: D(2025, 1, 13), auth: "#N/A"},
            {"Child ID": "AA05", start: "#REF!", "Allocated Worker": "SW02"},
            {"Child ID": "AA06", start: "03/02/2025", "Allocated Team": "Assessment West"},
        ],
        titles=["Annex A - List 4: Assessments (1 October 2024 to 31 March 2025)"],
    )  # fmt: skip
    s47, icpc = L5[6], L5[8]
    sheet(
        wb,
        "S47",
        L5,
        [
            {"Child Unique ID": "SA01", s47: D(2025, 1, 6), icpc: D(2025, 1, 24)},
            {"Child Unique ID": "SA02", s47: D(2025, 2, 3), icpc: D(2025, 2, 28)},
            {"Child Unique ID": "SA03", s47: D(2025, 3, 3), L5[7]: "a) Yes"},
        ],
    )  # fmt: skip
    cp_start, visit, alone, review = L7[6], L7[9], L7[10], L7[11]
    sheet(
        wb,
        "CP Plans",
        L7,
        [
            {"Child Unique ID": "PA01", cp_start: D(2024, 6, 3), visit: D(2025, 3, 20),
             alone: "a) Yes", review: D(2025, 1, 15)},
            {"Child Unique ID": "PA02", cp_start: D(2025, 2, 3), visit: D(2025, 3, 24),
             alone: "b) No"},
        ],
    )  # fmt: skip
    la_start, la_review = L8[6], L8[9]
    sheet(
        wb,
        "CLA",
        L8,
        [
            {"Child Unique ID": "LA01", la_start: D(2022, 4, 4), la_review: D(2025, 1, 20),
             L8[10]: D(2025, 3, 3), "Placement Type": "U4"},
            {"Child Unique ID": "LA02", la_start: D(2025, 1, 6), L8[10]: D(2025, 1, 10)},
            {"Child Unique ID": "LA03", la_start: D(2024, 12, 2), la_review: 45644},  # 2024-12-18
        ],
    )  # fmt: skip
    sheet(
        wb,
        "L4 old export",  # its start date column renamed: the list is rejected whole
        ["Child Unique ID", "Assessment Start", auth],
        [
            {"Child Unique ID": "AA07", "Assessment Start": D(2025, 2, 10)},
            {"Child Unique ID": "AA08", "Assessment Start": D(2025, 2, 11)},
        ],
    )
    pivot = wb.create_sheet("Pivot")  # a council's own working sheet
    pivot.append(["Team", "Open assessments"])
    pivot.append(["Assessment East", 2])
    pivot.append(["Assessment West", 1])
    sheet(
        wb,
        "Adopters",
        L11,
        [{"Individual adopter identifier": "AP1", "Date enquiry received": D(2024, 10, 1)}],
    )
    wb.save(path)
    return path


if __name__ == "__main__":
    print(build())
