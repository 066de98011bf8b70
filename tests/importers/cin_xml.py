"""Write small synthetic CIN census XML in the real DfE layout (element order as the census XSD).

Every builder returns text; ``census`` wraps children in Message/Header/Children, with the DfE
namespace as the default namespace, as a prefixed namespace, or with none. Values are synthetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

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
