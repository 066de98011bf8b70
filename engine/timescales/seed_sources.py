"""The inspection reports rules cite in ``seeds`` ("000 ¶53"), by title and place.

A rule's ``seeds`` name the documents the project's catalogue of timescales was built from: a
three-digit document number, then a place in it (``¶53`` a numbered paragraph, ``Rec 17`` a
recommendation, ``ExecSum`` the executive summary, ``F-b8`` the eighth point under findings...).
The documents themselves are not part of the project; their titles are copied here, so that
``rules show`` and the rule pages say "Ofsted, Lancashire: inspection of ... (2015), para 53"
rather than "000 ¶53".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# document number -> its title and date, as the document itself gives them
SEED_DOCUMENTS: dict[str, str] = {
    "000": (
        "Ofsted, Lancashire: inspection of services for children in need of help and "
        "protection, children looked after and care leavers, and review of the Local "
        "Safeguarding Children Board (2015)"
    ),
    "001": (
        "News report, \u201cWhy inspectors say children's services in Lancashire \u2018require "
        "improvement\u2019\u201d (2018)"
    ),
    "002": (
        "Ofsted, Lancashire County Council: re-inspection of services for children in need of "
        "help and protection, children looked after and care leavers (June 2018, published 17 "
        "August 2018)"
    ),
    "003": "Ofsted, focused visit to Lancashire children's services: letter of 18 December 2019",
    "004": (
        "Lancashire County Council, Children's Services Scrutiny Committee: Children's Services "
        "Inspection and Review (14 March 2018)"
    ),
}

# a named place in a document -> words
_PLACES = {
    "ExecSum": "executive summary",
    "Summary-H&P": "summary on children who need help and protection",
    "Summary-LAC": "summary on children looked after and achieving permanence",
    "Summary-CYP": "summary for children and young people",
    "LA-info": "information about this local authority area",
    "Overview": "overview",
    "Background": "background",
    "Next": "next steps",
}
_NUMBERED = (
    (re.compile(r"¶\s*(\d+)"), "para"),
    (re.compile(r"Rec\s*(\d+)"), "recommendation"),
    (re.compile(r"F-b(\d+)"), "findings, point"),
    (re.compile(r"Improve-b(\d+)"), "what needs to improve, point"),
)
_PLURAL = {"para": "paras", "recommendation": "recommendations"}


def _parts(ref: str) -> tuple[str, str]:
    number, _, place = ref.strip().partition(" ")
    return number, place.strip()


def _place(place: str) -> tuple[str, str]:
    """(kind, words): a numbered place's kind and number, or ("", words) for a named one."""
    for pattern, kind in _NUMBERED:
        if match := pattern.fullmatch(place):
            return kind, match.group(1)
    if place.startswith("(") and place.endswith(")"):
        return "", f"on {place[1:-1]}"
    return "", _PLACES.get(place, place)


def cite_seed(ref: str) -> str:
    """One seed reference in words: "000 ¶53" -> "Ofsted, Lancashire: ... (2015), para 53".
    A document number not in the table is kept as it is written."""
    number, place = _parts(ref)
    title = SEED_DOCUMENTS.get(number)
    if title is None:
        return ref.strip()
    if not place:
        return title
    kind, words = _place(place)
    return f"{title}, {kind} {words}" if kind else f"{title}, {words}"


def cite_seeds(refs: Iterable[str]) -> list[str]:
    """A rule's seed references, one line per document (in the order first cited), its places
    after its title: "Ofsted, Lancashire: ... (2015): paras 89, 93; executive summary"."""
    places: dict[str, list[tuple[str, str]]] = {}
    for ref in refs:
        number, place = _parts(ref)
        if number not in SEED_DOCUMENTS:
            places.setdefault(ref.strip(), [])
            continue
        found = places.setdefault(number, [])
        if place and _place(place) not in found:
            found.append(_place(place))
    lines = []
    for number, found in places.items():
        title = SEED_DOCUMENTS.get(number, number)
        words: list[str] = []
        for kind in dict.fromkeys(k for k, _ in found):
            items = [w for k, w in found if k == kind]
            if kind:
                label = _PLURAL.get(kind, kind) if len(items) > 1 else kind
                words.append(f"{label} {', '.join(items)}")
            else:
                words.extend(items)
        lines.append(f"{title}: {'; '.join(words)}" if words else title)
    return lines
