"""Write a small, realistic Standard Safeguarding Dataset extract (synthetic people) into
``extract/``: one CSV per ``ssd_*`` table, as a council's SQL Server export leaves them.

The tables and columns are the SSD specification's (data-to-insight/ssd-data-model; see
docs/importers/ssd.md), with the untidiness real exports have:

* UTF-8 with a byte-order mark, SQL Server DATETIME text (``2024-09-02 00:00:00.000``), the
  literal ``NULL`` for a missing value, and sqlcmd's ``(N rows affected)`` footer;
* a README and a stray working file (``caseload.csv``) in the directory, and an SSD table no rule
  needs (``ssd_contacts``);
* ``#N/A`` in optional fields (a placement type, an authorisation date) pasted from a
  spreadsheet, and ``ssd_cp_visits`` exported with its visit date column renamed;
* a period of care whose first episode in the extract is a change of placement (start reason P,
  no entered-care date): it began before the extract;
* the workforce tables (issue 21): ``ssd_professionals`` (pseudonymous ids; the name column
  holds obviously fake values, which the importer never reads), ``ssd_department`` and
  ``ssd_involvements`` (allocated social workers and IROs, an agency worker who left, a
  personal adviser's involvement the role map ignores), with a team manager who has no
  involvement and an FTE that is no number.

Run ``python examples/samples/ssd/make.py``; the extract is committed, and
tests/importers/test_samples_ssd.py checks what ``timescales check --input-format ssd
examples/samples/ssd/extract --as-of 2025-03-31`` makes of it. Standard library only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("extract")
D = dt.date

TABLES: dict[str, list[str]] = {
    "ssd_person": ["pers_legacy_id", "pers_person_id", "pers_sex", "pers_dob", "pers_expected_dob"],
    "ssd_contacts": ["cont_contact_id", "cont_person_id", "cont_contact_date"],
    "ssd_cin_episodes": [
        "cine_referral_id", "cine_person_id", "cine_referral_date", "cine_close_date",
    ],
    "ssd_cin_assessments": [
        "cina_assessment_id", "cina_person_id", "cina_referral_id",
        "cina_assessment_start_date", "cina_assessment_auth_date",
    ],
    "ssd_s47_enquiry": [
        "s47e_s47_enquiry_id", "s47e_referral_id", "s47e_person_id", "s47e_s47_start_date",
        "s47e_s47_end_date",
    ],
    "ssd_initial_cp_conference": [
        "icpc_icpc_id", "icpc_s47_enquiry_id", "icpc_person_id", "icpc_referral_id",
        "icpc_icpc_target_date", "icpc_icpc_date",
    ],
    "ssd_cp_plans": [
        "cppl_cp_plan_id", "cppl_referral_id", "cppl_person_id", "cppl_cp_plan_start_date",
        "cppl_cp_plan_end_date",
    ],
    # exported with its date column renamed: the table is rejected whole
    "ssd_cp_visits": [
        "cppv_cp_visit_id", "cppv_person_id", "cppv_cp_plan_id", "cppv_visit_date",
        "cppv_cp_visit_seen_alone",
    ],
    "ssd_cla_episodes": [
        "clae_cla_episode_id", "clae_person_id", "clae_cla_episode_start_date",
        "clae_cla_episode_start_reason", "clae_cla_episode_ceased_date",
        "clae_cla_episode_ceased_reason", "clae_cla_id", "clae_entered_care_date",
    ],
    "ssd_cla_placement": [
        "clap_cla_placement_id", "clap_cla_id", "clap_person_id",
        "clap_cla_placement_start_date", "clap_cla_placement_type", "clap_cla_placement_end_date",
    ],
    "ssd_cla_visits": [
        "clav_cla_visit_id", "clav_cla_id", "clav_person_id", "clav_cla_visit_date",
        "clav_cla_visit_seen", "clav_cla_visit_seen_alone",
    ],
    "ssd_cla_reviews": [
        "clar_cla_review_id", "clar_cla_id", "clar_cla_review_due_date", "clar_cla_review_date",
        "clar_cla_review_cancelled",
    ],
    "ssd_department": ["dept_team_id", "dept_team_name", "dept_team_parent_id"],
    "ssd_professionals": [
        "prof_professional_id", "prof_staff_id", "prof_professional_name",
        "prof_social_worker_registration_no", "prof_agency_worker_flag",
        "prof_professional_job_title", "prof_professional_caseload",
        "prof_professional_department", "prof_full_time_equivalency",
    ],
    "ssd_involvements": [
        "invo_involvements_id", "invo_professional_id", "invo_professional_role_id",
        "invo_professional_team", "invo_person_id", "invo_involvement_start_date",
        "invo_involvement_end_date", "invo_worker_change_reason", "invo_referral_id",
    ],
}  # fmt: skip

ROWS: dict[str, list[dict[str, Any]]] = {
    "ssd_person": [
        {"pers_person_id": "1001", "pers_sex": "M", "pers_dob": D(2014, 5, 2)},
        {"pers_person_id": "1002", "pers_sex": "F", "pers_dob": D(2019, 8, 30)},
        {"pers_person_id": "1003", "pers_sex": "F", "pers_dob": D(2021, 2, 11)},
        {"pers_person_id": "1004", "pers_sex": "M", "pers_dob": D(2010, 1, 19)},
        {"pers_person_id": "1005", "pers_sex": "U", "pers_dob": D(2016, 7, 7)},
    ],
    "ssd_contacts": [
        {"cont_contact_id": "K1", "cont_person_id": "1002", "cont_contact_date": D(2025, 1, 6)},
    ],
    "ssd_cin_episodes": [
        {"cine_referral_id": "R1002", "cine_person_id": "1002",
         "cine_referral_date": D(2025, 1, 6)},
        {"cine_referral_id": "R1003", "cine_person_id": "1003",
         "cine_referral_date": D(2025, 1, 10)},
        {"cine_referral_id": "R1005", "cine_person_id": "1005",
         "cine_referral_date": D(2025, 2, 3)},
    ],
    "ssd_cin_assessments": [
        {"cina_assessment_id": "A1002", "cina_person_id": "1002", "cina_referral_id": "R1002",
         "cina_assessment_start_date": D(2025, 1, 7),
         "cina_assessment_auth_date": D(2025, 3, 24)},
        {"cina_assessment_id": "A1005", "cina_person_id": "1005", "cina_referral_id": "R1005",
         "cina_assessment_start_date": D(2025, 2, 3), "cina_assessment_auth_date": "#N/A"},
    ],
    "ssd_s47_enquiry": [
        {"s47e_s47_enquiry_id": "S1003", "s47e_referral_id": "R1003", "s47e_person_id": "1003",
         "s47e_s47_start_date": D(2025, 1, 13), "s47e_s47_end_date": D(2025, 1, 31)},
    ],
    "ssd_initial_cp_conference": [
        {"icpc_icpc_id": "I1003", "icpc_s47_enquiry_id": "S1003", "icpc_person_id": "1003",
         "icpc_referral_id": "R1003", "icpc_icpc_target_date": D(2025, 2, 3),
         "icpc_icpc_date": D(2025, 2, 3)},
    ],
    "ssd_cp_plans": [
        {"cppl_cp_plan_id": "P1003", "cppl_referral_id": "R1003", "cppl_person_id": "1003",
         "cppl_cp_plan_start_date": D(2025, 2, 3)},
    ],
    "ssd_cp_visits": [
        {"cppv_cp_visit_id": "CV1", "cppv_person_id": "1003", "cppv_cp_plan_id": "P1003",
         "cppv_visit_date": D(2025, 2, 10), "cppv_cp_visit_seen_alone": "N"},
        {"cppv_cp_visit_id": "CV2", "cppv_person_id": "1003", "cppv_cp_plan_id": "P1003",
         "cppv_visit_date": D(2025, 2, 24), "cppv_cp_visit_seen_alone": "Y"},
    ],
    "ssd_cla_episodes": [
        {"clae_cla_episode_id": "E1001", "clae_person_id": "1001",
         "clae_cla_episode_start_date": D(2024, 9, 2), "clae_cla_episode_start_reason": "S",
         "clae_cla_id": "C1001", "clae_entered_care_date": D(2024, 9, 2)},
        # the first episode the extract holds is a change of placement: the period began before
        {"clae_cla_episode_id": "E1004", "clae_person_id": "1004",
         "clae_cla_episode_start_date": D(2024, 7, 1), "clae_cla_episode_start_reason": "P",
         "clae_cla_id": "C1004"},
    ],
    "ssd_cla_placement": [
        {"clap_cla_placement_id": "PL1001", "clap_cla_id": "C1001", "clap_person_id": "1001",
         "clap_cla_placement_start_date": D(2024, 9, 2), "clap_cla_placement_type": "U3"},
        {"clap_cla_placement_id": "PL1004", "clap_cla_id": "C1004", "clap_person_id": "1004",
         "clap_cla_placement_start_date": D(2024, 7, 1), "clap_cla_placement_type": "#N/A"},
    ],
    "ssd_cla_visits": [
        {"clav_cla_visit_id": "V1", "clav_cla_id": "C1001", "clav_person_id": "1001",
         "clav_cla_visit_date": D(2024, 9, 6), "clav_cla_visit_seen": "Y",
         "clav_cla_visit_seen_alone": "Y"},
        {"clav_cla_visit_id": "V2", "clav_cla_id": "C1001", "clav_person_id": "1001",
         "clav_cla_visit_date": D(2024, 10, 28), "clav_cla_visit_seen": "Y",
         "clav_cla_visit_seen_alone": "Y"},
        {"clav_cla_visit_id": "V3", "clav_cla_id": "C1001", "clav_person_id": "1001",
         "clav_cla_visit_date": D(2025, 1, 20), "clav_cla_visit_seen": "Y",
         "clav_cla_visit_seen_alone": "N"},
        {"clav_cla_visit_id": "V4", "clav_cla_id": "C1004", "clav_person_id": "1004",
         "clav_cla_visit_date": D(2024, 12, 2), "clav_cla_visit_seen": "Y",
         "clav_cla_visit_seen_alone": "Y"},
    ],
    "ssd_cla_reviews": [
        {"clar_cla_review_id": "RV1", "clar_cla_id": "C1001",
         "clar_cla_review_due_date": D(2024, 9, 30), "clar_cla_review_date": D(2024, 9, 27),
         "clar_cla_review_cancelled": "N"},
        {"clar_cla_review_id": "RV2", "clar_cla_id": "C1001",
         "clar_cla_review_due_date": D(2024, 12, 27), "clar_cla_review_date": D(2024, 12, 20),
         "clar_cla_review_cancelled": "N"},
        {"clar_cla_review_id": "RV3", "clar_cla_id": "C1004",
         "clar_cla_review_due_date": D(2024, 10, 14), "clar_cla_review_date": D(2024, 10, 10),
         "clar_cla_review_cancelled": "N"},
    ],
    "ssd_department": [
        {"dept_team_id": "D10", "dept_team_name": "Children in Care North",
         "dept_team_parent_id": "D1"},
        {"dept_team_id": "D20", "dept_team_name": "Safeguarding South",
         "dept_team_parent_id": "D1"},
        {"dept_team_id": "D30", "dept_team_name": "Independent Reviewing Service",
         "dept_team_parent_id": "D1"},
    ],
    # pseudonymous ids; the name column holds obviously fake values (never read)
    "ssd_professionals": [
        {"prof_professional_id": "SW01", "prof_staff_id": "S9001",
         "prof_professional_name": "FAKE-NAME-SW01", "prof_agency_worker_flag": "N",
         "prof_social_worker_registration_no": "SW-TEST-0001",
         "prof_professional_job_title": "Social Worker", "prof_professional_caseload": 2,
         "prof_professional_department": "D10", "prof_full_time_equivalency": "1.00"},
        {"prof_professional_id": "SW02", "prof_staff_id": "S9002",
         "prof_professional_name": "FAKE-NAME-SW02", "prof_agency_worker_flag": "N",
         "prof_social_worker_registration_no": "SW-TEST-0002",
         "prof_professional_job_title": "Social Worker", "prof_professional_caseload": 3,
         "prof_professional_department": "D20", "prof_full_time_equivalency": "0.80"},
        {"prof_professional_id": "IRO01", "prof_staff_id": "S9003",
         "prof_professional_name": "FAKE-NAME-IRO01", "prof_agency_worker_flag": "N",
         "prof_social_worker_registration_no": "SW-TEST-0003",
         "prof_professional_job_title": "Independent Reviewing Officer",
         "prof_professional_caseload": 2, "prof_professional_department": "D30",
         "prof_full_time_equivalency": "1.00"},
        # no involvement, and no job title map: no role, so no worker record
        {"prof_professional_id": "TM01", "prof_staff_id": "S9004",
         "prof_professional_name": "FAKE-NAME-TM01", "prof_agency_worker_flag": "N",
         "prof_professional_job_title": "Team Manager", "prof_professional_department": "D20",
         "prof_full_time_equivalency": "1.00"},
        # an agency worker whose FTE was typed as words: the row is rejected
        {"prof_professional_id": "AG01", "prof_staff_id": "S9005",
         "prof_professional_name": "FAKE-NAME-AG01", "prof_agency_worker_flag": "Y",
         "prof_professional_job_title": "Locum Social Worker",
         "prof_professional_department": "D20", "prof_full_time_equivalency": "full time"},
    ],
    "ssd_involvements": [
        {"invo_involvements_id": "INV01", "invo_professional_id": "SW01",
         "invo_professional_role_id": "CW", "invo_professional_team": "D10",
         "invo_person_id": "1001", "invo_involvement_start_date": D(2024, 9, 2)},
        {"invo_involvements_id": "INV02", "invo_professional_id": "IRO01",
         "invo_professional_role_id": "IRO", "invo_professional_team": "D30",
         "invo_person_id": "1001", "invo_involvement_start_date": D(2024, 9, 4)},
        {"invo_involvements_id": "INV03", "invo_professional_id": "SW01",
         "invo_professional_role_id": "CW", "invo_professional_team": "D10",
         "invo_person_id": "1004", "invo_involvement_start_date": D(2024, 7, 1)},
        # the IRO was allocated before the period the extract holds began
        {"invo_involvements_id": "INV04", "invo_professional_id": "IRO01",
         "invo_professional_role_id": "IRO", "invo_professional_team": "D30",
         "invo_person_id": "1004", "invo_involvement_start_date": D(2024, 5, 1)},
        {"invo_involvements_id": "INV05", "invo_professional_id": "SW02",
         "invo_professional_role_id": "CW", "invo_professional_team": "D20",
         "invo_person_id": "1002", "invo_involvement_start_date": D(2025, 1, 6),
         "invo_referral_id": "R1002"},
        {"invo_involvements_id": "INV06", "invo_professional_id": "AG01",
         "invo_professional_role_id": "CW", "invo_professional_team": "D20",
         "invo_person_id": "1003", "invo_involvement_start_date": D(2025, 1, 10),
         "invo_involvement_end_date": D(2025, 2, 2), "invo_worker_change_reason": "LEFTRL",
         "invo_referral_id": "R1003"},
        {"invo_involvements_id": "INV07", "invo_professional_id": "SW02",
         "invo_professional_role_id": "CW", "invo_professional_team": "D20",
         "invo_person_id": "1003", "invo_involvement_start_date": D(2025, 2, 3),
         "invo_referral_id": "R1003"},
        {"invo_involvements_id": "INV08", "invo_professional_id": "SW02",
         "invo_professional_role_id": "CW", "invo_professional_team": "D20",
         "invo_person_id": "1005", "invo_involvement_start_date": D(2025, 2, 3),
         "invo_referral_id": "R1005"},
        # a leaving-care personal adviser: the role map ignores 16PLUS (no allocation)
        {"invo_involvements_id": "INV09", "invo_professional_id": "PA01",
         "invo_professional_role_id": "16PLUS", "invo_professional_team": "D10",
         "invo_person_id": "1004", "invo_involvement_start_date": D(2024, 7, 1)},
    ],
}  # fmt: skip


def cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, dt.date):
        return f"{value.isoformat()} 00:00:00.000"
    return str(value)


def table_text(name: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TABLES[name])
    for row in ROWS[name]:
        assert set(row) <= set(TABLES[name]), (name, set(row) - set(TABLES[name]))
        writer.writerow([cell(row.get(c)) for c in TABLES[name]])
    out.write(f"\r\n({len(ROWS[name])} rows affected)\r\n")  # sqlcmd's footer
    return out.getvalue()


def build(directory: Path = OUT) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        (directory / f"{name}.csv").write_bytes(table_text(name).encode("utf-8-sig"))
    (directory / "README.txt").write_text(
        "SSD extract, Anyshire (synthetic), run 31/03/2025 by the performance team.\n"
        "History window: 6 years (@ssd_timeframe_years = 6).\n",
        encoding="utf-8",
    )
    (directory / "caseload.csv").write_text(
        "team,open cases\r\nNorth,12\r\nSouth,9\r\n", encoding="utf-8"
    )
    return directory


if __name__ == "__main__":
    print(build())
