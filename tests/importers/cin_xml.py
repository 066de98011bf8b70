"""Write small synthetic CIN census XML in the real DfE layout (element order as the census XSD).

Every builder returns text; ``census`` wraps children in Message/Header/Children, with the DfE
namespace as the default namespace, as a prefixed namespace, or with none. Values are synthetic.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

DFE_NS = "http://www.dfe.gov.uk/CoreSchemaPlus"


def _el(name: str, value: str | None) -> str:
    if value is None:
        return ""
    return f"<{name}>{value}</{name}>" if value != "" else f"<{name}/>"


def assessment(start: str | None, authorised: str | None = None, *, review: str | None = None
               ) -> str:  # fmt: skip
    return (
        "<Assessments>"
        + _el("AssessmentActualStartDate", start)
        + _el("AssessmentInternalReviewDate", review)
        + _el("AssessmentAuthorisationDate", authorised)
        + "<FactorsIdentifiedAtAssessment><AssessmentFactors>21</AssessmentFactors>"
        "</FactorsIdentifiedAtAssessment></Assessments>"
    )


def section47(
    start: str | None,
    icpc: str | None = None,
    *,
    target: str | None = None,
    not_required: str | None = "false",
) -> str:
    return (
        "<Section47>"
        + _el("S47ActualStartDate", start)
        + _el("InitialCPCtarget", target)
        + _el("DateOfInitialCPC", icpc)
        + _el("ICPCnotRequired", not_required)
        + "</Section47>"
    )


def plan(start: str | None, end: str | None = None, reviews: Sequence[str] = ()) -> str:
    body = "".join(f"<CPPreviewDate>{r}</CPPreviewDate>" for r in reviews)
    return (
        "<ChildProtectionPlans>"
        + _el("CPPstartDate", start)
        + _el("CPPendDate", end)
        + "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
        "<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
        "<NumberOfPreviousCPP>0</NumberOfPreviousCPP>"
        + (f"<Reviews>{body}</Reviews>" if reviews else "")
        + "</ChildProtectionPlans>"
    )


def cin(
    referral: str | None,
    closure: str | None = None,
    *,
    assessments: Iterable[str] = (),
    s47: Iterable[str] = (),
    plans: Iterable[str] = (),
    nfa: str = "false",
    icpc: str | None = None,
) -> str:
    return (
        "<CINdetails>"
        + _el("CINreferralDate", referral)
        + "<ReferralSource>1A</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>"
        + _el("CINclosureDate", closure)
        + ("<ReasonForClosure>RC7</ReasonForClosure>" if closure else "")
        + _el("DateOfInitialCPC", icpc)
        + "".join(assessments)
        + "".join(s47)
        + f"<ReferralNFA>{nfa}</ReferralNFA>"
        + "".join(plans)
        + "</CINdetails>"
    )


def child(
    la_child_id: str | None,
    *cins: str,
    dob: str | None = "2015-03-27",
    expected: str | None = None,
    sex_element: str = "GenderCurrent",
) -> str:
    return (
        "<Child><ChildIdentifiers>"
        + _el("LAchildID", la_child_id)
        + "<UPNunknown>UN1</UPNunknown>"
        + _el("PersonBirthDate", dob)
        + _el("ExpectedPersonBirthDate", expected)
        + f"<{sex_element}>{'0' if dob is None else '1'}</{sex_element}>"
        + "</ChildIdentifiers>"
        "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
        "<Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>"
        + "".join(cins)
        + "</Child>"
    )


def census(children: Iterable[str], *, namespace: str = "default", year: int = 2024) -> str:
    """``namespace``: "default" (xmlns=DfE), "prefixed" (xmlns:cin=DfE, cin:Message...), "none"."""
    body = (
        "<Header><CollectionDetails><Collection>CIN</Collection>"
        f"<Year>{year}</Year><ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails>"
        "<Source><SourceLevel>L</SourceLevel><LEA>201</LEA><SoftwareCode>Synthetic</SoftwareCode>"
        "<Release>1</Release><SerialNo>001</SerialNo><DateTime>2024-05-01T09:00:00</DateTime>"
        "</Source></Header>\n<Children>\n" + "\n".join(children) + "\n</Children>"
    )
    text = f"<Message>\n{body}\n</Message>\n"
    if namespace == "default":
        text = text.replace("<Message>", f'<Message xmlns="{DFE_NS}">', 1)
    elif namespace == "prefixed":
        import re

        text = re.sub(r"<(/?)([A-Za-z])", r"<\1cin:\2", text)
        text = text.replace("<cin:Message>", f'<cin:Message xmlns:cin="{DFE_NS}">', 1)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text


def pretty(xml: str) -> str:
    """One element per line, so that line numbers in messages can be checked."""
    return xml.replace("><", ">\n<")


def write(path: Path, xml: str) -> Path:
    path.write_text(xml, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- generated returns
#
# A seeded history of children in need (episodes, assessments, enquiries, plans and reviews),
# cut into one census return per collection year as the DfE specification says a return holds
# them: the episodes open at any time in the year (with their original referral date), the
# assessments completed in the year or still open at its end, the enquiries whose conference
# fell in the year or still awaited at its end, the plans open in the year (with their original
# start date) and the reviews held in the year. Some children have two child protection plans
# open at once (each with its own nested reviews), as real returns do (DfE error 8940).


@dataclass
class GenPlan:
    start: date
    end: date | None
    reviews: list[date]


@dataclass
class GenEpisode:
    referral: date
    closure: date | None
    assessments: list[tuple[date, date | None]]
    enquiries: list[tuple[date, date | None]]
    plans: list[GenPlan]


@dataclass
class GenChild:
    child: str
    dob: date
    episodes: list[GenEpisode]


def _plan(rng: random.Random, start: date, horizon: date, late: float) -> GenPlan:
    reviews: list[date] = []
    day = start + timedelta(
        days=rng.randint(60, 95) if rng.random() > late else rng.randint(95, 140)
    )
    while day < horizon:
        reviews.append(day)
        gap = rng.randint(120, 180) if rng.random() > late else rng.randint(190, 260)
        day = day + timedelta(days=gap)
    end = None
    if reviews and rng.random() < 0.6:
        end = reviews[-1] + timedelta(days=rng.randint(1, 40))
        if end >= horizon:
            end = None
    return GenPlan(start, end, reviews)


def generate_history(
    n: int, *, seed: int, first: date, horizon: date, overlap: float = 0.3, late: float = 0.25
) -> list[GenChild]:
    """``n`` children referred between ``first`` and ``horizon``; ``overlap`` of those with a
    plan get a second plan opened while the first runs on."""
    rng = random.Random(seed)
    span = (horizon - first).days
    out = []
    for i in range(n):
        referral = first + timedelta(days=rng.randint(0, span - 120))
        a_start = referral + timedelta(days=rng.randint(0, 5))
        a_done = a_start + timedelta(
            days=rng.randint(10, 55) if rng.random() > late else rng.randint(66, 120)
        )
        enquiries: list[tuple[date, date | None]] = []
        plans: list[GenPlan] = []
        if rng.random() < 0.5:
            s_start = referral + timedelta(days=rng.randint(1, 10))
            icpc = s_start + timedelta(
                days=rng.randint(5, 20) if rng.random() > late else rng.randint(22, 40)
            )
            enquiries.append((s_start, icpc))
            first_plan = _plan(rng, icpc, horizon, late)
            plans.append(first_plan)
            if rng.random() < overlap:
                upto = first_plan.end or horizon
                gap = (upto - icpc).days
                if gap > 40:
                    second = icpc + timedelta(days=rng.randint(20, gap - 10))
                    plans.append(_plan(rng, second, min(upto, horizon), late))
        closure = None
        ends = [p.end for p in plans]
        if all(e is not None for e in ends) and rng.random() < 0.7:
            last = max([a_done, *(e for e in ends if e is not None)])
            closure = last + timedelta(days=rng.randint(1, 30))
            if closure >= horizon:
                closure = None
        dob = referral - timedelta(days=rng.randint(400, 5000))
        out.append(
            GenChild(
                f"G{i:05d}",
                dob,
                [
                    GenEpisode(
                        referral,
                        closure,
                        [(a_start, a_done if a_done < horizon else None)],
                        enquiries,
                        plans,
                    )
                ],
            )
        )
    return out


def _in(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def _open_in(begin: date, close: date | None, start: date, end: date) -> bool:
    return begin <= end and (close is None or close >= start)


def census_return(
    children: Sequence[GenChild], year: int, *, since: int | None = None, **kwargs: Any
) -> str:
    """The return for the collection year ending 31 March ``year``, as the specification says
    a return holds a history (see above). Dates after the year's end are not yet known.
    ``since``: a window from 1 April ``since - 1`` instead (what one return covering several
    years would hold, to compare with the merged returns)."""
    start, end = date((since or year) - 1, 4, 1), date(year, 3, 31)

    def cut(day: date | None) -> str | None:
        return day.isoformat() if day is not None and day <= end else None

    kids = []
    for kid in children:
        cins = []
        for ep in kid.episodes:
            if not _open_in(ep.referral, ep.closure, start, end):
                continue
            assessments = [
                assessment(s.isoformat(), cut(d))
                for s, d in ep.assessments
                if (_in(d, start, end) or (s <= end and (d is None or d > end)))
            ]
            s47 = [
                section47(s.isoformat(), cut(c))
                for s, c in ep.enquiries
                if _in(c, start, end) or (s <= end and (c is None or c > end))
            ]
            plans = [
                plan(
                    p.start.isoformat(),
                    cut(p.end),
                    [r.isoformat() for r in p.reviews if _in(r, start, end)],
                )
                for p in ep.plans
                if _open_in(p.start, p.end, start, end)
            ]
            cins.append(
                cin(
                    ep.referral.isoformat(),
                    cut(ep.closure),
                    assessments=assessments,
                    s47=s47,
                    plans=plans,
                )
            )
        if cins:
            kids.append(child(kid.child, *cins, dob=kid.dob.isoformat()))
    return census(kids, year=year, **kwargs)
