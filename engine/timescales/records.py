"""The canonical case record: one child, their typed and dated events, and its JSON Schema.

Event types and their attributes are a public contract (importers, plugins and users' own exports
write them): extend the table, never rename an entry. The schema is strict: unknown keys, unknown
event types, unknown attributes and dates that are not ISO ``YYYY-MM-DD`` are errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .dates import parse_iso

SCHEMA_VERSION = "1"

# type name -> {attribute name: python type}. ``bool`` attributes accept JSON true/false only.
AttrSpec = Mapping[str, type]

NATIONAL_EVENT_TYPES: dict[str, dict[str, type]] = {
    # referral, assessment
    "referral": {},
    "referral_decision": {},
    "assessment_started": {},
    "assessment_completed": {},
    # child protection
    "strategy_discussion": {},
    "s47_started": {},
    "icpc": {"not_required": bool},
    "cp_plan_started": {},
    "core_group": {},
    "cp_review": {},
    "cp_visit": {"seen_alone": bool},
    "cp_plan_ended": {},
    # children in need
    "cin_opened": {},
    "cin_closed": {},
    # looked after
    "became_looked_after": {},
    "placement_started": {
        "placement_type": str,
        "permanent": bool,
        # SI 2010/959 reg 19: placed with a parent before the parent's assessment is complete
        "placed_before_assessment": bool,
        # reg 24: with a relative, friend or connected person temporarily approved as foster carer
        "temporary_approval": bool,
    },
    # reg 28(3A): the child, of sufficient age and understanding, agrees to be visited less often
    # in a long-term foster placement
    "visit_frequency_agreed": {},
    "care_plan": {},
    "lac_visit": {"seen_alone": bool, "not_alone_reason": str},
    "lac_review": {},
    "permanence_plan": {},
    "iro_assigned": {"iro": str},
    "health_assessment": {"kind": str},
    "dental_check": {},
    "pep": {"kind": str},
    "ceased_looked_after": {},
    # private fostering
    "pf_notified": {},
    "pf_visit": {"seen_alone": bool, "not_alone_reason": str},
    "pf_ended": {},
    # missing
    "missing_started": {},
    "missing_returned": {},
    "return_interview": {"offered": bool},
    # court, adoption
    "proceedings_issued": {},
    "proceedings_extended": {"weeks": int},
    "proceedings_concluded": {},
    "adoption_decision": {},
    "placement_order": {},
    "adoption_match": {},
    "placed_for_adoption": {},
    "adopter_stage2_started": {},
    "adopter_approved": {},
    # reg 30B(2) of the Adoption Agencies Regulations: the decision delayed for exceptional
    # circumstances or at the prospective adopter's request
    "adopter_decision_delayed": {"reason": str},
    # care leavers
    "left_care": {"in_education": bool},
    "needs_assessment": {"in_education": bool},
    "pathway_plan_review": {},
    "pa_contact": {},
    # secure
    "secure_started": {},
    "secure_ended": {},
    "secure_order": {},
    # legal status
    "legal_status_started": {"code": str},
    "legal_status_ended": {"code": str},
    # SI 2010/959 reg 48: a series of short breaks (903 V3/V4) begins and ends
    "short_breaks_started": {},
    "short_breaks_ended": {},
    "epo_extended": {"days": int},
    # a recorded reason why a timescale was not met (shown beside findings, never changes status)
    "exception": {"rule": str, "reason": str},
}


def event_data(
    etype: str,
    date: object,
    ref: str | None = None,
    case: str | None = None,
    attrs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One entry of a record's ``events``, as ``Event`` reads it: ``ref``, ``case`` and ``attrs``
    only when given (what every importer builds)."""
    out: dict[str, Any] = {"type": etype, "date": date}
    if ref is not None:
        out["ref"] = ref
    if case is not None:
        out["case"] = case
    if attrs:
        out["attrs"] = attrs
    return out


IsoDate = Annotated[dt.date, BeforeValidator(parse_iso)]
Scalar = str | bool | int | float | None


def check_attrs(value: dict[str, Scalar], spec: Mapping[str, type], what: str) -> dict[str, Scalar]:
    """An event's attributes against its type's table: each known (``what`` names the type in
    the error), each of its type (``bool`` only true/false; a number never a bool), or null."""
    for name, item in value.items():
        want = spec.get(name)
        if want is None:
            allowed = ", ".join(sorted(spec)) or "none"
            raise ValueError(f"unknown attribute {name!r} for {what} (allowed: {allowed})")
        if item is None:
            continue
        ok = (
            isinstance(item, bool)
            if want is bool
            else (isinstance(item, want) and not isinstance(item, bool))
        )
        if not ok:
            raise ValueError(f"attribute {name!r} must be {want.__name__}")
    return value


class Event(BaseModel):
    """A typed, dated fact about a child. ``ref`` ties events of one thing (an assessment, a plan,
    a period of care); ``case`` ties events of one episode."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    type: str
    date: IsoDate
    ref: str | None = None
    case: str | None = None
    attrs: dict[str, Scalar] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str, info: ValidationInfo) -> str:
        types = _event_types(info)
        if value not in types:
            raise ValueError(f"unknown event type {value!r}")
        return value

    @field_validator("attrs")
    @classmethod
    def _known_attrs(cls, value: dict[str, Scalar], info: ValidationInfo) -> dict[str, Scalar]:
        etype = info.data.get("type")
        if etype is None:  # the type itself failed; that error is reported already
            return value
        return check_attrs(value, _event_types(info).get(etype, {}), f"event type {etype!r}")


class KnownFrom(BaseModel):
    """Where the history the input holds begins (decisions.md, "History the input does not
    hold"): from ``from`` on, the data holds every event of the types in ``events`` (all types
    when omitted) for the case ``case`` (every case when omitted). ``began``: event types that
    opened this case *before* ``from`` and are not in the data (a 903 period of care whose first
    episode is not RNE S began earlier: ``["became_looked_after"]``); the case is taken as open
    on ``from``, and its rules counted from that opening are not assessed.

    A step whose clock falls before the known history is not assessed (the run's tally says
    how many); a schedule restarts at the first known event; a gap inside the known window
    longer than any limit that could apply is a certain breach (``partial_history``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    from_: IsoDate = Field(alias="from")
    case: str | None = Field(default=None, min_length=1, max_length=200)
    events: tuple[str, ...] | None = Field(default=None, min_length=1)
    began: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _began_needs_a_case(self) -> KnownFrom:
        if self.began and self.case is None:
            raise ValueError("'began' needs the 'case' it opened")
        return self


def _known_shorthand(value: Any) -> Any:
    """``"known_from": "2023-04-01"`` is short for ``[{"from": "2023-04-01"}]``."""
    if isinstance(value, str | dt.date):
        return [{"from": value}]
    return value


class ChildRecord(BaseModel):
    """One child: identifiers, optional council/team/worker, and events in any order."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    child: str = Field(min_length=1, max_length=200)
    dob: IsoDate | None = None
    expected_dob: IsoDate | None = None
    la: str | None = None
    team: str | None = None
    worker: str | None = None
    # the source holds only each thing's latest event (Ofsted Annex A lists): findings say so
    partial_history: bool = False
    # where the history the input holds begins: for the whole record, a case or event types
    known_from: Annotated[tuple[KnownFrom, ...], BeforeValidator(_known_shorthand)] = ()
    # the last day the data hold (a return's collection year ends 31 March): the record is
    # judged as of this day when the run's as-of date is later, so that what the data cannot
    # hold is never reported missing
    known_until: IsoDate | None = None
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_types(self, info: ValidationInfo) -> ChildRecord:
        types = _event_types(info)
        for entry in self.known_from:
            for name in (*(entry.events or ()), *entry.began):
                if name not in types:
                    raise ValueError(f"known_from names an unknown event type {name!r}")
        return self


def _event_types(info: ValidationInfo) -> Mapping[str, Mapping[str, type]]:
    context = info.context
    if isinstance(context, Mapping) and "event_types" in context:
        types: Mapping[str, Mapping[str, type]] = context["event_types"]
        return types
    return NATIONAL_EVENT_TYPES


def json_schema(event_types: Mapping[str, Mapping[str, type]] | None = None) -> dict[str, Any]:
    """The JSON Schema of one canonical record, with the event types (national plus any given)."""
    types = dict(event_types or NATIONAL_EVENT_TYPES)
    schema = ChildRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "timescales canonical child record"
    schema["$comment"] = f"schema version {SCHEMA_VERSION}"
    event = schema["$defs"]["Event"]
    event["properties"]["type"]["enum"] = sorted(types)
    json_types = {bool: "boolean", str: "string", int: "integer", float: "number"}
    event["allOf"] = [
        {
            "if": {"properties": {"type": {"const": name}}},
            "then": {
                "properties": {
                    "attrs": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            attr: {"type": [json_types[kind], "null"]}
                            for attr, kind in sorted(spec.items())
                        },
                    }
                }
            },
        }
        for name, spec in sorted(types.items())
    ]
    for model in ("Event", "ChildRecord"):
        target = schema if model == "ChildRecord" else schema["$defs"][model]
        for prop in target["properties"].values():
            _mark_dates(prop)
    return schema


def _mark_dates(prop: dict[str, Any]) -> None:
    if prop.get("format") == "date":
        prop["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
    for option in prop.get("anyOf", []):
        _mark_dates(option)


# -- the workforce: worker records ---------------------------------------------------------------

# worker event type -> {attribute name: python type}; a public contract as the child events are.
# ``allocation`` also carries ``child`` (required), ``end`` and ``role`` as fields of the event.
WORKER_EVENT_TYPES: dict[str, dict[str, type]] = {
    # a supervision session held (the council's supervision policy sets the interval)
    "supervision": {"kind": str},
    # a child allocated to this worker from ``date`` to ``end`` (open when omitted), in ``role``
    # (the worker's own role when omitted: an IRO's allocation is as the child's IRO)
    "allocation": {},
    # training attended (``ref`` ties it to its evaluation)
    "training": {"course": str},
    # a manager's evaluation of the training's impact (``ref``: the training's)
    "training_evaluated": {},
    # the induction programme completed
    "induction_completed": {},
}

# the roles the national and council rules name; a council may use roles of its own
WORKER_ROLES = ("social_worker", "iro", "team_manager", "family_support_worker")
ROLE_PATTERN = r"^[a-z][a-z0-9_.]{0,63}$"


class WorkerEvent(BaseModel):
    """A typed, dated fact about a worker. ``ref`` ties events of one thing (a training and its
    evaluation); an ``allocation`` names the ``child`` and may give its ``end`` and ``role``."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    type: str
    date: IsoDate
    ref: str | None = Field(default=None, min_length=1, max_length=200)
    child: str | None = Field(default=None, min_length=1, max_length=200)
    end: IsoDate | None = None
    role: str | None = Field(default=None, pattern=ROLE_PATTERN)
    attrs: dict[str, Scalar] = Field(default_factory=dict)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in WORKER_EVENT_TYPES:
            raise ValueError(f"unknown worker event type {value!r}")
        return value

    @field_validator("attrs")
    @classmethod
    def _known_attrs(cls, value: dict[str, Scalar], info: ValidationInfo) -> dict[str, Scalar]:
        etype = info.data.get("type")
        if etype is None:
            return value
        spec = WORKER_EVENT_TYPES.get(etype, {})
        return check_attrs(value, spec, f"worker event type {etype!r}")

    @model_validator(mode="after")
    def _allocation_fields(self) -> WorkerEvent:
        if self.type == "allocation":
            if self.child is None:
                raise ValueError("an allocation names the 'child' allocated")
            if self.end is not None and self.end < self.date:
                raise ValueError("an allocation's 'end' is before its start")
        elif self.child is not None or self.end is not None or self.role is not None:
            raise ValueError("'child', 'end' and 'role' belong to allocation events only")
        return self


class Asye(BaseModel):
    """The assessed and supported year in employment of a newly qualified social worker."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    from_: IsoDate = Field(alias="from")
    to: IsoDate | None = None


class WorkerRecord(BaseModel):
    """One worker: a pseudonymous id (never a name), role, team, full-time equivalence,
    employment dates, newly qualified (ASYE) dates, and dated events in any order.

    A worker record is told from a child record by its keys: it has ``worker`` and no
    ``child``. Foster carers and adopters a council recruits may be given as records of the
    roles ``foster_carer`` and ``adopter``, ``started`` being the approval date."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    worker: str = Field(min_length=1, max_length=200)
    role: str = Field(pattern=ROLE_PATTERN)
    team: str | None = Field(default=None, max_length=200)
    la: str | None = None
    fte: float | None = Field(default=None, gt=0, le=2)
    started: IsoDate | None = None
    ended: IsoDate | None = None
    asye: Asye | None = None
    # where the history the input holds begins (as a child record's ``known_from``)
    known_from: IsoDate | None = None
    events: list[WorkerEvent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates_in_order(self) -> WorkerRecord:
        if self.started and self.ended and self.ended < self.started:
            raise ValueError("'ended' is before 'started'")
        return self

    def newly_qualified_on(self, day: dt.date) -> bool:
        """In the ASYE year on ``day`` (to its ``to``, or a year from its start)."""
        if self.asye is None:
            return False
        end = self.asye.to or _a_year_after(self.asye.from_)
        return self.asye.from_ <= day <= end

    def employed_on(self, day: dt.date) -> bool:
        return (self.started is None or self.started <= day) and (
            self.ended is None or day <= self.ended
        )


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def is_worker_data(obj: object) -> bool:
    """A decoded JSON object is a worker record (it has ``worker`` and no ``child``)."""
    return isinstance(obj, Mapping) and "worker" in obj and "child" not in obj


def worker_json_schema() -> dict[str, Any]:
    """The JSON Schema of one canonical worker record."""
    schema = WorkerRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "timescales canonical worker record"
    schema["$comment"] = f"schema version {SCHEMA_VERSION}"
    event = schema["$defs"]["WorkerEvent"]
    event["properties"]["type"]["enum"] = sorted(WORKER_EVENT_TYPES)
    for target in (schema, event, schema["$defs"]["Asye"]):
        for prop in target["properties"].values():
            _mark_dates(prop)
    return schema
