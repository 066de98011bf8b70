"""Write synthetic Standard Safeguarding Dataset (SSD) extracts in the spec's layout.

Each table is a CSV named after it with the spec's columns in the deployed scripts' order (the
importer reads only some of them). Rows are dicts of column -> value; a ``datetime.date`` is
written in the chosen date style (SQL Server DATETIME text by default), ``None`` as the literal
``NULL`` (or blank), and any string exactly as given, so tests can plant dirty values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

COLUMNS: dict[str, list[str]] = {
    "ssd_person": [
        "pers_legacy_id", "pers_person_id", "pers_sex", "pers_gender", "pers_ethnicity",
        "pers_dob", "pers_common_child_id", "pers_upn_unknown", "pers_send_flag",
        "pers_expected_dob", "pers_death_date", "pers_is_mother", "pers_nationality",
    ],
    "ssd_contacts": [
        "cont_contact_id", "cont_person_id", "cont_contact_date", "cont_contact_source_code",
        "cont_contact_source_desc", "cont_contact_outcome_json",
    ],
    "ssd_cin_episodes": [
        "cine_referral_id", "cine_person_id", "cine_referral_date", "cine_cin_primary_need_code",
        "cine_referral_source_code", "cine_referral_source_desc", "cine_referral_outcome_json",
        "cine_referral_nfa", "cine_close_reason", "cine_close_date", "cine_referral_team",
        "cine_referral_worker_id",
    ],
    "ssd_cin_assessments": [
        "cina_assessment_id", "cina_person_id", "cina_referral_id", "cina_assessment_start_date",
        "cina_assessment_child_seen", "cina_assessment_auth_date", "cina_assessment_outcome_json",
        "cina_assessment_outcome_nfa", "cina_assessment_team", "cina_assessment_worker_id",
    ],
    "ssd_s47_enquiry": [
        "s47e_s47_enquiry_id", "s47e_referral_id", "s47e_person_id", "s47e_s47_start_date",
        "s47e_s47_end_date", "s47e_s47_nfa", "s47e_s47_outcome_json",
        "s47e_s47_completed_by_worker_id", "s47e_s47_completed_by_team",
    ],
    "ssd_initial_cp_conference": [
        "icpc_icpc_id", "icpc_icpc_meeting_id", "icpc_s47_enquiry_id", "icpc_person_id",
        "icpc_cp_plan_id", "icpc_referral_id", "icpc_icpc_transfer_in", "icpc_icpc_target_date",
        "icpc_icpc_date", "icpc_icpc_outcome_cp_flag", "icpc_icpc_outcome_json", "icpc_icpc_team",
        "icpc_icpc_worker_id",
    ],
    "ssd_cp_plans": [
        "cppl_cp_plan_id", "cppl_referral_id", "cppl_icpc_id", "cppl_person_id",
        "cppl_cp_plan_start_date", "cppl_cp_plan_end_date", "cppl_cp_plan_initial_category",
        "cppl_cp_plan_ola", "cppl_cp_plan_latest_category",
    ],
    "ssd_cp_reviews": [
        "cppr_cp_review_id", "cppr_person_id", "cppr_cp_plan_id", "cppr_cp_review_due",
        "cppr_cp_review_date", "cppr_cp_review_meeting_id", "cppr_cp_review_outcome_continue_cp",
        "cppr_cp_review_quorate", "cppr_cp_review_participation",
    ],
    "ssd_cp_visits": [
        "cppv_cp_visit_id", "cppv_person_id", "cppv_cp_plan_id", "cppv_cp_visit_date",
        "cppv_cp_visit_seen", "cppv_cp_visit_seen_alone", "cppv_cp_visit_bedroom",
    ],
    "ssd_cla_episodes": [
        "clae_cla_episode_id", "clae_person_id", "clae_cla_placement_id",
        "clae_cla_episode_start_date", "clae_cla_episode_start_reason",
        "clae_cla_primary_need_code", "clae_cla_episode_ceased_date",
        "clae_cla_episode_ceased_reason", "clae_cla_id", "clae_referral_id",
        "clae_cla_last_iro_contact_date", "clae_entered_care_date",
    ],
    "ssd_cla_placement": [
        "clap_cla_placement_id", "clap_cla_id", "clap_person_id", "clap_cla_placement_start_date",
        "clap_cla_placement_type", "clap_cla_placement_urn", "clap_cla_placement_distance",
        "clap_cla_placement_provider", "clap_cla_placement_postcode",
        "clap_cla_placement_end_date", "clap_cla_placement_change_reason",
    ],
    "ssd_cla_visits": [
        "clav_cla_visit_id", "clav_cla_id", "clav_person_id", "clav_cla_visit_date",
        "clav_cla_visit_seen", "clav_cla_visit_seen_alone",
    ],
    # the spec's layout: no person column (reviews reach the person through clar_cla_id)
    "ssd_cla_reviews": [
        "clar_cla_review_id", "clar_cla_id", "clar_cla_review_due_date", "clar_cla_review_date",
        "clar_cla_review_cancelled", "clar_cla_review_participation",
    ],
    "ssd_cla_care_plan": [
        "lacp_table_id", "lacp_person_id", "lacp_cla_care_plan_start_date",
        "lacp_cla_care_plan_end_date", "lacp_cla_care_plan_json",
    ],
    "ssd_cla_health": [
        "clah_health_check_id", "clah_person_id", "clah_health_check_type",
        "clah_health_check_date", "clah_health_check_status",
    ],
    "ssd_permanence": [
        "perm_table_id", "perm_person_id", "perm_cla_id", "perm_adm_decision_date",
        "perm_part_of_sibling_group", "perm_siblings_placed_together",
        "perm_siblings_placed_apart", "perm_ffa_cp_decision_date", "perm_placement_order_date",
        "perm_matched_date", "perm_adopter_sex", "perm_adopter_legal_status",
        "perm_number_of_adopters", "perm_placed_for_adoption_date", "perm_adopted_by_carer_flag",
        "perm_placed_ffa_cp_date", "perm_placed_foster_carer_date", "perm_placement_provider_urn",
        "perm_decision_reversed_date", "perm_decision_reversed_reason",
        "perm_permanence_order_date", "perm_permanence_order_type", "perm_adoption_worker_id",
    ],
    "ssd_legal_status": [
        "lega_legal_status_id", "lega_person_id", "lega_legal_status",
        "lega_legal_status_start_date", "lega_legal_status_end_date",
    ],
    "ssd_missing": [
        "miss_table_id", "miss_person_id", "miss_missing_episode_start_date",
        "miss_missing_episode_type", "miss_missing_episode_end_date", "miss_missing_rhi_offered",
        "miss_missing_rhi_accepted",
    ],
    "ssd_care_leavers": [
        "clea_table_id", "clea_person_id", "clea_care_leaver_eligibility",
        "clea_care_leaver_in_touch", "clea_care_leaver_latest_contact",
        "clea_care_leaver_accommodation", "clea_care_leaver_accom_suitable",
        "clea_care_leaver_activity", "clea_pathway_plan_review_date",
        "clea_care_leaver_personal_advisor", "clea_care_leaver_allocated_team",
        "clea_care_leaver_worker_id",
    ],
    "ssd_involvements": [
        "invo_involvements_id", "invo_professional_id", "invo_professional_role_id",
        "invo_professional_team", "invo_person_id", "invo_involvement_start_date",
        "invo_involvement_end_date", "invo_worker_change_reason", "invo_referral_id",
    ],
    "ssd_department": ["dept_team_id", "dept_team_name", "dept_team_parent_id",
                       "dept_team_parent_name"],
    "ssd_professionals": [
        "prof_professional_id", "prof_staff_id", "prof_professional_name",
        "prof_social_worker_registration_no", "prof_agency_worker_flag",
        "prof_professional_job_title", "prof_professional_caseload",
        "prof_professional_department", "prof_full_time_equivalency",
    ],
}  # fmt: skip


def D(text: str) -> dt.date:  # reads like a literal in the tables below
    return dt.date.fromisoformat(text)


def cell(value: Any, style: str, null: str) -> str:
    if value is None:
        return null
    if isinstance(value, dt.date):
        if style == "datetime":
            return f"{value.isoformat()} 00:00:00.000"
        if style == "uk":
            return value.strftime("%d/%m/%Y")
        return value.isoformat()
    return str(value)


def table_text(
    table: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    style: str = "datetime",
    null: str = "NULL",
    columns: list[str] | None = None,
) -> str:
    cols = columns or COLUMNS[table]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(cols)
    for row in rows:
        unknown = set(row) - set(cols)
        assert not unknown, f"{table}: no such column {unknown}"
        writer.writerow([cell(row.get(c), style, null) for c in cols])
    return out.getvalue()


def write_table(
    directory: Path,
    table: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    style: str = "datetime",
    null: str = "NULL",
    bom: bool = True,
    name: str | None = None,
    columns: list[str] | None = None,
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (name or f"{table}.csv")
    text = table_text(table, rows, style=style, null=null, columns=columns)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def write_extract(directory: Path, tables: Mapping[str, list[dict[str, Any]]], **kw: Any) -> Path:
    for table, rows in tables.items():
        write_table(directory, table, rows, **kw)
    return directory


# ----------------------------------------------------------------------------- the full extract

AS_OF = "2024-06-30"


def full_extract() -> dict[str, list[dict[str, Any]]]:
    """Three children and their SSD rows, dirty rows included (see test_ssd.py for what each
    one checks). 1001: looked after (two placements, an L episode, a changeover-day visit, a
    visit with no period id, duplicate and same-day visits, a cancelled review, reviews without
    a person column, Mosaic's 91/183-day due dates); 1002: referral, assessment, two s47
    enquiries (one needing no conference), ICPC, CP plan, reviews and visits; 1003: adopted;
    1004: in ssd_person only; 1005: in ssd_cla_visits only (an orphan); 1006: long-term
    fostering past its first year (LA004), a care plan and an IRO from before the period."""
    return {
        "ssd_person": [
            {"pers_legacy_id": "L1", "pers_person_id": "1001", "pers_sex": "M",
             "pers_dob": D("2015-05-10"), "pers_upn_unknown": "UN1", "pers_nationality": "UK"},
            {"pers_person_id": "1002", "pers_sex": "F", "pers_dob": D("2019-02-02")},
            {"pers_person_id": "1003", "pers_sex": "F", "pers_dob": D("2020-07-01")},
            {"pers_person_id": "1004", "pers_sex": "M", "pers_dob": D("2012-03-03")},
            {"pers_person_id": "1006", "pers_sex": "M", "pers_dob": D("2010-10-10")},
        ],
        "ssd_contacts": [
            {"cont_contact_id": "K1", "cont_person_id": "1002",
             "cont_contact_date": D("2024-01-09"),
             "cont_contact_outcome_json": '{"NEW_REFERRAL_FLAG":"Y"}'},
        ],
        "ssd_cla_episodes": [
            # period CLA1: S, then L (legal status only, same placement: no new placement),
            # then P (placement change); X1 between them
            {"clae_cla_episode_id": "E1", "clae_person_id": "1001", "clae_cla_placement_id": "PL1",
             "clae_cla_episode_start_date": D("2023-01-09"), "clae_cla_episode_start_reason": "S",
             "clae_cla_episode_ceased_date": D("2023-06-01"),
             "clae_cla_episode_ceased_reason": "X1", "clae_cla_id": "CLA1",
             "clae_entered_care_date": D("2023-01-09")},
            {"clae_cla_episode_id": "E2", "clae_person_id": "1001", "clae_cla_placement_id": "PL1",
             "clae_cla_episode_start_date": D("2023-06-01"), "clae_cla_episode_start_reason": "L",
             "clae_cla_episode_ceased_date": D("2023-09-04"),
             "clae_cla_episode_ceased_reason": "X1", "clae_cla_id": "CLA1",
             "clae_entered_care_date": D("2023-01-09")},
            {"clae_cla_episode_id": "E3", "clae_person_id": "1001", "clae_cla_placement_id": "PL2",
             "clae_cla_episode_start_date": D("2023-09-04"), "clae_cla_episode_start_reason": "P",
             "clae_cla_id": "CLA1", "clae_entered_care_date": D("2023-01-09")},
            {"clae_cla_episode_id": "E31", "clae_person_id": "1003",
             "clae_cla_episode_start_date": D("2022-01-05"), "clae_cla_episode_start_reason": "S",
             "clae_cla_episode_ceased_date": D("2023-03-01"),
             "clae_cla_episode_ceased_reason": "X1", "clae_cla_id": "CLA3",
             "clae_entered_care_date": D("2022-01-05")},
            {"clae_cla_episode_id": "E32", "clae_person_id": "1003",
             "clae_cla_episode_start_date": D("2023-03-01"), "clae_cla_episode_start_reason": "P",
             "clae_cla_episode_ceased_date": D("2024-02-01"),
             "clae_cla_episode_ceased_reason": "E11", "clae_cla_id": "CLA3",
             "clae_entered_care_date": D("2022-01-05")},
            {"clae_cla_episode_id": "E61", "clae_person_id": "1006",
             "clae_cla_episode_start_date": D("2022-03-01"), "clae_cla_episode_start_reason": "S",
             "clae_cla_id": "CLA6", "clae_entered_care_date": D("2022-03-01")},
        ],
        "ssd_cla_placement": [
            {"clap_cla_placement_id": "PL1", "clap_cla_id": "CLA1", "clap_person_id": "1001",
             "clap_cla_placement_start_date": D("2023-01-09"), "clap_cla_placement_type": "U3",
             "clap_cla_placement_provider": "PR1",
             "clap_cla_placement_end_date": D("2023-09-04")},
            {"clap_cla_placement_id": "PL2", "clap_cla_id": "CLA1", "clap_person_id": "1001",
             "clap_cla_placement_start_date": D("2023-09-04"), "clap_cla_placement_type": "U1"},
            {"clap_cla_placement_id": "PL31", "clap_cla_id": "CLA3", "clap_person_id": "1003",
             "clap_cla_placement_start_date": D("2022-01-05"), "clap_cla_placement_type": "U3",
             "clap_cla_placement_end_date": D("2023-03-01")},
            {"clap_cla_placement_id": "PL32", "clap_cla_id": "CLA3", "clap_person_id": "1003",
             "clap_cla_placement_start_date": D("2023-03-01"), "clap_cla_placement_type": "A4",
             "clap_cla_placement_end_date": D("2024-02-01")},
            # long-term fostering from the start: after its first year, 3-monthly visits (LA004)
            {"clap_cla_placement_id": "PL6", "clap_cla_id": "CLA6", "clap_person_id": "1006",
             "clap_cla_placement_start_date": D("2022-03-01"), "clap_cla_placement_type": "U4"},
        ],
        "ssd_cla_visits": [
            _visit("V1", "1001", "CLA1", D("2023-01-13"), "Y"),  # LA002 PL1: met
            _visit("V2", "1001", "CLA1", D("2023-02-20"), "Y"),  # LA003: met (due 02-24)
            _visit("V3", "1001", "CLA1", D("2023-04-10"), "N"),  # LA003: late (due 04-03)
            _visit("V3", "1001", "CLA1", D("2023-04-10"), "N"),  # the same row twice
            _visit("V3b", "1001", "CLA1", D("2023-04-10"), "Y"),  # same day, another id
            _visit("V4", "1001", "CLA1", D("2023-05-18"), "Y"),
            _visit("V5", "1001", "CLA1", D("2023-06-29"), "Y"),
            _visit("V6", "1001", "CLA1", D("2023-08-08"), "Y"),
            _visit("V7", "1001", "CLA1", D("2023-09-04"), "Y"),  # changeover day
            _visit("V8", "1001", "CLA1", D("2023-10-10"), "Y"),
            _visit("V9", "1001", "CLA1", D("2023-11-30"), "Y"),  # late (due 11-21)
            _visit("V10", "1001", None, D("2024-01-05"), "Y"),  # no period id: by date
            _visit("V11", "1001", "CLA1", D("2024-02-15"), "Y"),
            _visit("V12", "1001", "CLA1", D("2024-03-25"), "Y"),
            _visit("V13", "1001", "CLA1", D("2024-05-01"), "Y"),  # next due 06-12: overdue
            _visit("V14", "1001", "CLA1", "2023-13-45", "Y"),  # not a date: rejected
            _visit("V31", "1003", "CLA3", D("2022-01-10"), "Y"),
            _visit("V32", "1003", "CLA3", D("2023-03-06"), "Y"),
            _visit("V51", "1005", None, D("2024-03-01"), "Y"),  # not in ssd_person
            _visit("V61", "1006", "CLA6", D("2022-03-03"), "Y"),  # LA002: met
            _visit("V62", "1006", "CLA6", D("2022-09-01"), "Y"),  # LA003: late
            _visit("V63", "1006", "CLA6", D("2023-03-10"), "Y"),  # LA003: late
            _visit("V64", "1006", "CLA6", D("2023-06-01"), "Y"),  # LA004 (3 months): met
            _visit("V65", "1006", "CLA6", D("2023-09-20"), "Y"),  # LA004: late (due 09-01)
            _visit("V66", "1006", "CLA6", D("2023-12-15"), "Y"),  # LA004: met
            _visit("V67", "1006", "CLA6", D("2024-03-10"), "Y"),  # LA004: met
        ],
        "ssd_cla_reviews": [
            # first 20 WD after 2023-01-09 (due 2023-02-06), then Mosaic's +91 / +183 days
            _review("R1", "CLA1", D("2023-02-03"), due=D("2023-02-06")),
            _review("R2x", "CLA1", D("2023-05-02"), due=D("2023-05-05"), cancelled="Y"),
            _review("R2", "CLA1", D("2023-05-04"), due=D("2023-05-05")),
            _review("R3", "CLA1", D("2023-10-30"), due=D("2023-11-03")),
            _review("R4", "CLA1", D("2024-04-20"), due=D("2024-04-30")),
            _review("R5", "CLA1", None, due=D("2024-10-20")),  # not yet held
            _review("R9", "CLA404", D("2024-01-01")),  # no such period, no person: rejected
            _review("R31", "CLA3", D("2022-02-01")),
            _review("R61", "CLA6", D("2022-03-20")),
            _review("R62", "CLA6", D("2022-06-15")),
            _review("R63", "CLA6", D("2022-12-10")),
            _review("R64", "CLA6", D("2023-06-01")),
            _review("R65", "CLA6", D("2023-11-25")),
            _review("R66", "CLA6", D("2024-05-20")),
        ],
        "ssd_cla_care_plan": [
            {"lacp_table_id": "CP1", "lacp_person_id": "1001",
             "lacp_cla_care_plan_start_date": D("2023-01-12"),
             "lacp_cla_care_plan_json": '{"REMAINSUP":"N","LTFOST18":"Y","ADOPTION":"N"}'},
            # made before the child became looked after, and still in force
            {"lacp_table_id": "CP6", "lacp_person_id": "1006",
             "lacp_cla_care_plan_start_date": D("2022-02-25"),
             "lacp_cla_care_plan_json": '{"LTFOST18":"Y"}'},
        ],
        "ssd_cla_health": [
            {"clah_health_check_id": "H1", "clah_person_id": "1001",
             "clah_health_check_type": "Health Assessment",
             "clah_health_check_date": D("2023-02-01"), "clah_health_check_status": "Completed"},
            {"clah_health_check_id": "H2", "clah_person_id": "1001",
             "clah_health_check_type": "Dental Check", "clah_health_check_date": D("2023-03-01"),
             "clah_health_check_status": "Completed"},
            {"clah_health_check_id": "H3", "clah_person_id": "1001",
             "clah_health_check_type": "Review Health Assessment",
             "clah_health_check_date": D("2024-01-25"), "clah_health_check_status": "Completed"},
            {"clah_health_check_id": "H4", "clah_person_id": "1001",
             "clah_health_check_type": "Health Assessment",
             "clah_health_check_date": D("2024-08-01"), "clah_health_check_status": "Planned"},
            {"clah_health_check_id": "H5", "clah_person_id": "1001",
             "clah_health_check_type": "Optician", "clah_health_check_date": D("2023-05-01"),
             "clah_health_check_status": "Completed"},
        ],
        "ssd_permanence": [
            {"perm_table_id": "PM3", "perm_person_id": "1003", "perm_cla_id": "CLA3",
             "perm_adm_decision_date": D("2022-06-01"),
             "perm_placement_order_date": D("2022-09-01"), "perm_matched_date": D("2022-12-20"),
             "perm_placed_for_adoption_date": D("2023-03-01"),
             "perm_adopted_by_carer_flag": "N"},
        ],
        "ssd_legal_status": [
            {"lega_legal_status_id": "LS1", "lega_person_id": "1001", "lega_legal_status": "C2",
             "lega_legal_status_start_date": D("2023-01-09")},
        ],
        "ssd_missing": [
            {"miss_table_id": "M1", "miss_person_id": "1001",
             "miss_missing_episode_start_date": D("2024-02-01"),
             "miss_missing_episode_type": "Missing",
             "miss_missing_episode_end_date": D("2024-02-02"), "miss_missing_rhi_offered": "Y"},
        ],
        "ssd_care_leavers": [],
        "ssd_involvements": [
            _invo("I1", "P900", "IRO", "T9", "1001", D("2023-01-11")),  # LA013: met
            _invo("I2", "P100", "CW", "T1", "1001", D("2023-01-09"), D("2023-09-30")),
            _invo("I3", "P101", "CW", "T2", "1001", D("2023-10-01")),  # the worker at as_of
            _invo("I4", "P555", "XYZ", "T2", "1001", D("2023-10-01")),  # unknown role code
            _invo("I31", "P901", "IRO", "T9", "1003", D("2022-01-20")),  # LA013: late
            _invo("I21", "P102", "ALLOCATED CASE WORKER", "T1", "1002", D("2024-01-10")),
            # an IRO allocated before the period began, still in post: appointed from its start
            _invo("I61", "P902", "IRO", "T9", "1006", D("2021-12-01")),
        ],
        "ssd_department": [
            {"dept_team_id": "T1", "dept_team_name": "North Children in Care"},
            {"dept_team_id": "T2", "dept_team_name": "South Children in Care"},
        ],
        "ssd_cin_episodes": [
            {"cine_referral_id": "RF2", "cine_person_id": "1002",
             "cine_referral_date": D("2024-01-10"), "cine_referral_nfa": "N"},
        ],
        "ssd_cin_assessments": [
            {"cina_assessment_id": "A2", "cina_person_id": "1002", "cina_referral_id": "RF2",
             "cina_assessment_start_date": D("2024-01-11"), "cina_assessment_child_seen": "Y",
             "cina_assessment_auth_date": D("2024-02-20")},
        ],
        "ssd_s47_enquiry": [
            {"s47e_s47_enquiry_id": "S2", "s47e_referral_id": "RF2", "s47e_person_id": "1002",
             "s47e_s47_start_date": D("2024-01-15"), "s47e_s47_end_date": D("2024-01-30"),
             "s47e_s47_nfa": "N",
             "s47e_s47_outcome_json": '{"NFA_FLAG":"N","CP_CONFERENCE_FLAG":"Y"}'},
            {"s47e_s47_enquiry_id": "S3", "s47e_referral_id": "RF2", "s47e_person_id": "1002",
             "s47e_s47_start_date": D("2024-03-01"), "s47e_s47_end_date": D("2024-03-10"),
             "s47e_s47_nfa": "Y",
             "s47e_s47_outcome_json": '{"NFA_FLAG":"Y","CP_CONFERENCE_FLAG":"N"}'},
        ],
        "ssd_initial_cp_conference": [
            # 15 WD after 2024-01-15 is 2024-02-05; the council's target is a day early
            {"icpc_icpc_id": "IC2", "icpc_s47_enquiry_id": "S2", "icpc_person_id": "1002",
             "icpc_cp_plan_id": "CPP2", "icpc_referral_id": "RF2", "icpc_icpc_transfer_in": "N",
             "icpc_icpc_target_date": D("2024-02-02"), "icpc_icpc_date": D("2024-02-08"),
             "icpc_icpc_outcome_cp_flag": "Y"},
        ],
        "ssd_cp_plans": [
            {"cppl_cp_plan_id": "CPP2", "cppl_referral_id": "RF2", "cppl_icpc_id": "IC2",
             "cppl_person_id": "1002", "cppl_cp_plan_start_date": D("2024-02-08"),
             "cppl_cp_plan_initial_category": "NEG", "cppl_cp_plan_ola": "N"},
        ],
        "ssd_cp_reviews": [
            {"cppr_cp_review_id": "CR1", "cppr_person_id": "1002", "cppr_cp_plan_id": "CPP2",
             "cppr_cp_review_due": D("2024-05-09"), "cppr_cp_review_date": D("2024-05-01")},
            {"cppr_cp_review_id": "CR2", "cppr_person_id": "1002", "cppr_cp_plan_id": "CPP2",
             "cppr_cp_review_due": D("2024-10-31"), "cppr_cp_review_date": None},
        ],
        "ssd_cp_visits": [
            {"cppv_cp_visit_id": "CV1", "cppv_person_id": "1002", "cppv_cp_plan_id": None,
             "cppv_cp_visit_date": D("2024-02-20"), "cppv_cp_visit_seen": "Y",
             "cppv_cp_visit_seen_alone": "N"},
        ],
    }  # fmt: skip


def _visit(vid: str, person: str, cla: str | None, day: Any, alone: str) -> dict[str, Any]:
    return {"clav_cla_visit_id": vid, "clav_cla_id": cla, "clav_person_id": person,
            "clav_cla_visit_date": day, "clav_cla_visit_seen": "Y",
            "clav_cla_visit_seen_alone": alone}  # fmt: skip


def _review(
    rid: str, cla: str, day: dt.date | None, *, due: dt.date | None = None, cancelled: str = "N"
) -> dict[str, Any]:
    return {"clar_cla_review_id": rid, "clar_cla_id": cla, "clar_cla_review_due_date": due,
            "clar_cla_review_date": day, "clar_cla_review_cancelled": cancelled,
            "clar_cla_review_participation": "PN1"}  # fmt: skip


def _invo(
    iid: str, prof: str, role: str, team: str, person: str, start: dt.date,
    end: dt.date | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {"invo_involvements_id": iid, "invo_professional_id": prof,
            "invo_professional_role_id": role, "invo_professional_team": team,
            "invo_person_id": person, "invo_involvement_start_date": start,
            "invo_involvement_end_date": end}  # fmt: skip


# ----------------------------------------------------------------------------- a large extract


def large_extract(directory: Path, n: int, until: dt.date = dt.date(2024, 6, 1)) -> dict[str, int]:
    """``n`` looked-after children with a referral, an assessment, episodes, placements, visits,
    reviews, health checks, a care plan and involvements (about 30 rows a child), written
    straight to CSV. Returns rows written per table."""
    counts: dict[str, int] = {}
    writers: dict[str, Any] = {}
    files = []
    for table in (
        "ssd_person", "ssd_cla_episodes", "ssd_cla_placement", "ssd_cla_visits",
        "ssd_cla_reviews", "ssd_cla_care_plan", "ssd_cla_health", "ssd_involvements",
        "ssd_cin_episodes", "ssd_cin_assessments",
    ):  # fmt: skip
        fh = (directory / f"{table}.csv").open("w", encoding="utf-8-sig", newline="")
        files.append(fh)
        writers[table] = csv.writer(fh)
        writers[table].writerow(COLUMNS[table])
        counts[table] = 0
    base = dt.date(2022, 1, 3)

    def put(table: str, row: dict[str, Any]) -> None:
        writers[table].writerow([cell(row.get(c), "datetime", "NULL") for c in COLUMNS[table]])
        counts[table] += 1

    try:
        for i in range(n):
            pid = str(100000 + i)
            start = base + dt.timedelta(days=i % 500)
            cla = f"C{pid}"
            put("ssd_person", {"pers_person_id": pid, "pers_dob": start - dt.timedelta(days=3000)})
            put(
                "ssd_cin_episodes",
                {
                    "cine_referral_id": f"R{pid}",
                    "cine_person_id": pid,
                    "cine_referral_date": start - dt.timedelta(days=40),
                },
            )
            put(
                "ssd_cin_assessments",
                {
                    "cina_assessment_id": f"A{pid}",
                    "cina_person_id": pid,
                    "cina_referral_id": f"R{pid}",
                    "cina_assessment_start_date": start - dt.timedelta(days=39),
                    "cina_assessment_auth_date": start - dt.timedelta(days=i % 70),
                },
            )
            put(
                "ssd_cla_episodes",
                {
                    "clae_cla_episode_id": f"E{pid}",
                    "clae_person_id": pid,
                    "clae_cla_episode_start_date": start,
                    "clae_cla_episode_start_reason": "S",
                    "clae_cla_id": cla,
                    "clae_entered_care_date": start,
                },
            )
            second = start + dt.timedelta(days=200)
            put(
                "ssd_cla_placement",
                {
                    "clap_cla_placement_id": f"P{pid}a",
                    "clap_cla_id": cla,
                    "clap_person_id": pid,
                    "clap_cla_placement_start_date": start,
                    "clap_cla_placement_type": "U3",
                    "clap_cla_placement_end_date": second,
                },
            )
            put(
                "ssd_cla_placement",
                {
                    "clap_cla_placement_id": f"P{pid}b",
                    "clap_cla_id": cla,
                    "clap_person_id": pid,
                    "clap_cla_placement_start_date": second,
                    "clap_cla_placement_type": "U1" if i % 2 else "K2",
                },
            )
            day = start + dt.timedelta(days=3 + i % 6)
            k = 0
            while day < until:
                k += 1
                put("ssd_cla_visits", _visit(f"V{pid}-{k}", pid, cla, day, "Y" if k % 3 else "N"))
                day += dt.timedelta(days=30 + (i + k) % 20)
            review = start + dt.timedelta(days=20 + i % 10)
            k = 0
            while review < until:
                k += 1
                put(
                    "ssd_cla_reviews",
                    _review(
                        f"R{pid}-{k}", cla, review, due=review + dt.timedelta(days=(i % 3) - 1)
                    ),
                )
                review += dt.timedelta(days=90 if k == 1 else 170 + i % 20)
            put(
                "ssd_cla_care_plan",
                {
                    "lacp_table_id": f"CP{pid}",
                    "lacp_person_id": pid,
                    "lacp_cla_care_plan_start_date": start + dt.timedelta(days=5),
                    "lacp_cla_care_plan_json": '{"LTFOST18":"Y"}',
                },
            )
            for k, gap in enumerate((15, 380)):
                put(
                    "ssd_cla_health",
                    {
                        "clah_health_check_id": f"H{pid}-{k}",
                        "clah_person_id": pid,
                        "clah_health_check_type": "Health Assessment",
                        "clah_health_check_date": start + dt.timedelta(days=gap),
                        "clah_health_check_status": "Completed",
                    },
                )
            put(
                "ssd_involvements",
                _invo(
                    f"I{pid}",
                    f"IRO{i % 40}",
                    "IRO",
                    "T9",
                    pid,
                    start + dt.timedelta(days=2 + i % 7),
                ),
            )
            put(
                "ssd_involvements", _invo(f"W{pid}", f"SW{i % 300}", "CW", f"T{i % 12}", pid, start)
            )
    finally:
        for fh in files:
            fh.close()
    return counts
