"""The access model of ACCESS.md in one place: field classes, grants, and what a user sees of a record.

Vocabulary
  class    ID / BASIC / ADDRESS / SENSITIVE / CONTENT (ACCESS.md §1).
  grant    one way of seeing a record, with the basis it rests on (ACCESS.md §2). G1 (自機関の記録) follows from
           a record's own columns (the agency that recorded it); every other grant is either
             - stored: a row of privacy.Grant, created and ended by `sync_persons` / `sync_targets`, which the
               services call whenever they create or end a basis (referral, consent, team membership, agenda
               item, outreach assignment, emergency access), or
             - computed: G5 (the coordinator's own case record) and the meeting organiser's own agenda, which
               follow from one column each and are asked at read time.
  source   a function an app registers (`register_source`) saying which stored grants its records give now.
           The Grant rows are a materialised view of the sources: `sync_*` reconciles them by key, and
           `tsunagu grants rebuild --check` proves the incremental rows equal a rebuild from scratch.
  sight    what one user sees of one person (or outreach target): the user's grants on it, loaded in one query
           whatever their number, asked by pages, fragments, exports, search, counts and the audit. Each call of
           `Sight.classes` records which grants opened something, so the audit entry names exactly those.

Deny by default: a record type no grant opens shows nothing; a user with no grant gets 404 (G15).
privacy imports no domain app: records are named by strings ("consultation", "case" …) and plain ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

ID, BASIC, ADDRESS, SENSITIVE, CONTENT = "ID", "BASIC", "ADDRESS", "SENSITIVE", "CONTENT"
ALL = frozenset({ID, BASIC, ADDRESS, SENSITIVE, CONTENT})
NONE: frozenset = frozenset()
CLASS_LABELS = {ID: "最小限（氏名・フリガナ）", BASIC: "基本情報", ADDRESS: "秘匿された住所", SENSITIVE: "要配慮個人情報",
                CONTENT: "記録の内容"}

CASEWORK_ROLES = frozenset({"intake", "liaison", "coordinator"})
# An agency grant reaches only these role kinds of the agency (ACCESS.md §2: access follows the role).
SCOPE_ROLES = {"casework": CASEWORK_ROLES, "participation": frozenset({"participation"}),
               "outreach": frozenset({"outreach"})}


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    opens: dict  # record type -> classes of that record the grant opens


def _f(*classes):
    return frozenset(classes)


# What each grant opens (ACCESS.md §2). "participation" = the participation records of the person;
# "case" = the case record with its assessment, plans, notes, evaluations and follow-ups; "item" = an agenda item's
# materials and its minutes; "referral" = the referral's message.
KINDS = {k.code: k for k in [
    Kind("G1", "自機関の記録", {}),
    Kind("G2", "本人同意に基づくつなぎ", {"person": _f(ID, BASIC), "household": _f(BASIC),
                                  "consultation": _f(ID, BASIC, CONTENT), "referral": _f(ID, CONTENT)}),
    Kind("G3", "法令上の根拠に基づくつなぎ", {"person": _f(ID), "consultation": _f(ID), "referral": _f(ID, CONTENT)}),
    Kind("G4", "本人同意に基づく支援チーム", {"person": _f(ID, BASIC, SENSITIVE), "household": _f(BASIC, SENSITIVE),
                                    "consultation": _f(ID, BASIC, SENSITIVE, CONTENT),
                                    "case": _f(ID, BASIC, SENSITIVE, CONTENT)}),
    Kind("G5", "多機関協働の事例・会議の記録（自機関）", {"person": _f(ID), "case": ALL, "item": ALL}),
    Kind("G6", "支援会議（社会福祉法第106条の6）", {"person": _f(ID), "target": _f(ID), "item": _f(ID, CONTENT)}),
    Kind("G7", "重層的支援会議（本人同意）", {"person": _f(ID), "item": _f(ID, CONTENT)}),
    Kind("G8", "アウトリーチ（自ら把握・担当）", {"target": ALL}),
    Kind("G9", "参加支援（本人同意）", {"person": _f(ID, BASIC), "participation": ALL}),
    Kind("G10", "緊急時の閲覧", {"person": _f(ID, BASIC)}),
    Kind("G14", "名寄せ（利用目的の範囲内の内部利用）", {}),
]}
RECORD_COLUMN = {"person": "person_id", "household": "household_id", "consultation": "consultation_id",
                 "referral": "referral_id", "case": "case_id", "item": "item_id", "target": "target_id",
                 "participation": "person_id"}


@dataclass
class Spec:
    """A grant as a source computes it; `key` identifies it for reconciliation (same key = same grant)."""

    kind: str
    basis: str
    person_id: int | None = None
    target_id: int | None = None
    agency_id: int | None = None
    role_scope: str = ""
    staff_id: int | None = None
    consultation_id: int | None = None
    referral_id: int | None = None
    household_id: int | None = None
    case_id: int | None = None
    item_id: int | None = None
    address: bool = False
    consent_id: int | None = None
    expires_at: object = None
    started_at: object = None

    KEY_FIELDS = ("kind", "person_id", "target_id", "agency_id", "role_scope", "staff_id", "consultation_id",
                  "referral_id", "household_id", "case_id", "item_id", "address", "consent_id", "expires_at")

    @property
    def key(self) -> str:
        return "|".join(str(getattr(self, f) or "") for f in self.KEY_FIELDS)[:160]


@dataclass
class Computed:
    """A grant that follows from a record's own column (G5, the organiser's agenda): asked at read time."""

    kind: str
    basis: str
    person_id: int | None = None
    target_id: int | None = None
    case_id: int | None = None
    item_id: int | None = None
    consultation_id: int | None = None
    referral_id: int | None = None
    household_id: int | None = None
    address: bool = False
    consent_id: int | None = None
    pk: None = None


# ------------------------------------------------------------------------------------------------ registries

SOURCES: dict[str, list[Callable]] = {"person": [], "target": []}
COMPUTED: list[tuple[Callable, Callable]] = []


def register_source(subject: str) -> Callable:
    """`fn(municipality_id, ids) -> Iterable[Spec]` for subject "person" or "target" (outreach)."""

    def deco(fn):
        SOURCES[subject].append(fn)
        return fn

    return deco


def register_computed(for_persons: Callable, person_q: Callable) -> None:
    """`for_persons(user, person_ids) -> list[Computed]`; `person_q(user) -> Q` over Person for lists."""
    COMPUTED.append((for_persons, person_q))


# ------------------------------------------------------------------------------------------------ stored grants

def active_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(ended_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def grantee_q(user) -> Q:
    """Grant rows that reach this user: their own (for their role kind, where the grant names one), or their
    agency's for their role kind."""
    scopes = [s for s, roles in SCOPE_ROLES.items() if user.role_kind in roles]
    q = Q(staff_id=user.pk, role_scope__in=["", *scopes])
    if user.agency_id and scopes:
        q |= Q(agency_id=user.agency_id, role_scope__in=scopes)
    return Q(municipality_id=user.municipality_id) & q


def user_grants(user):
    from .models import Grant

    if not _signed_in(user):
        return Grant.objects.none()
    return Grant.objects.filter(grantee_q(user) & active_q())


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.municipality_id)


def owns(user, agency_id, roles=CASEWORK_ROLES) -> bool:
    """G1: the user works in a casework role (or `roles`) of the agency that recorded the record."""
    return bool(_signed_in(user) and agency_id and user.agency_id == agency_id and user.role_kind in roles)


# ------------------------------------------------------------------------------------------------ sight

@dataclass
class Sight:
    """What `user` sees of one person (or one outreach target)."""

    user: object
    subject_id: int
    masked: bool
    owner_agency_id: int | None
    grants: list = field(default_factory=list)
    used: dict = field(default_factory=dict)

    def classes(self, record_type: str, record_id, *, owner_agency_id=None, owner_roles=CASEWORK_ROLES
                ) -> frozenset:
        """Classes of one record (of this person) this user sees. `owner_agency_id` is the agency that recorded
        the record (G1 applies to casework roles of that agency)."""
        return self._open(record_type, record_id, owner_agency_id, owner_roles)[0]

    def _open(self, record_type, record_id, owner_agency_id=None, owner_roles=CASEWORK_ROLES):
        if record_id is None:
            return NONE, set()
        if owns(self.user, owner_agency_id, owner_roles):
            self.used[("G1", None)] = {"kind": "G1", "basis": KINDS["G1"].label}
            return ALL, {"G1"}
        column = RECORD_COLUMN[record_type]
        out: set = set()
        kinds: set = set()
        for g in self.grants:
            opened = KINDS[g.kind].opens.get(record_type)
            if opened and getattr(g, column) == record_id:
                out |= opened
                kinds.add(g.kind)
                if g.address:
                    out.add(ADDRESS)
                self.used[(g.kind, g.pk or (g.case_id, g.item_id))] = {"kind": g.kind, "id": g.pk, "basis": g.basis}
        return frozenset(out), kinds

    def person(self, person) -> PersonView:
        classes, kinds = self._open("person", person.pk, person.recorded_by_agency_id)
        return PersonView(person, classes, frozenset(kinds))

    def sees_any(self) -> bool:
        return bool(self.grants) or owns(self.user, self.owner_agency_id)

    def audit(self) -> list[dict]:
        return list(self.used.values())


@dataclass(frozen=True)
class PersonView:
    """A person as far as a user may see them: templates ask `pv.basic`, `pv.address`, `pv.sensitive`."""

    person: object
    classes: frozenset
    kinds: frozenset = frozenset()

    @property
    def visible(self) -> bool:
        return ID in self.classes

    @property
    def basic(self) -> bool:
        return BASIC in self.classes

    @property
    def address(self) -> bool:
        """The address and phone: BASIC for most people; ADDRESS for a masked (DV/虐待) person (invariant 6)."""
        if getattr(self.person, "address_masked", False):
            return ADDRESS in self.classes
        return BASIC in self.classes

    @property
    def sensitive(self) -> bool:
        return SENSITIVE in self.classes

    @property
    def own(self) -> bool:
        return self.classes == ALL

    @property
    def basis_note(self) -> str:
        if self.own:
            return "あなたの機関が記録した情報です。"
        if self.sensitive:
            return "本人同意に基づいて共有された情報です（支援チームとして、要配慮個人情報を含みます）。"
        if self.basic and self.kinds <= {"G10"}:
            return "緊急時の閲覧として表示しています（期限付き・記録した機関と事業の管理の担当に通知されています）。"
        if self.basic:
            return "本人同意に基づいて共有された情報です（要配慮個人情報は含みません）。"
        return "本人同意がないため、法令上の根拠に基づき必要最小限の情報（氏名・フリガナ）だけが共有されています。"


def sights(user, persons) -> dict[int, Sight]:
    """Sights of many persons in one query for stored grants (+ one per computed rule)."""
    persons = list(persons)
    out = {p.pk: Sight(user, p.pk, bool(getattr(p, "address_masked", False)),
                       getattr(p, "recorded_by_agency_id", None)) for p in persons}
    if not out or not _signed_in(user):
        return out
    for g in user_grants(user).filter(person_id__in=list(out)):
        out[g.person_id].grants.append(g)
    for for_persons, _ in COMPUTED:
        for g in for_persons(user, list(out)):
            out[g.person_id].grants.append(g)
    return out


def sight(user, person) -> Sight:
    return sights(user, [person])[person.pk]


def target_sight(user, target) -> Sight:
    s = Sight(user, target.pk, False, None)
    if _signed_in(user):
        s.grants = list(user_grants(user).filter(target_id=target.pk))
    return s


def visible_person_q(user) -> Q:
    """Persons of which the user sees at least ID, for lists, search and counts (deny by default)."""
    from .models import Grant

    if not _signed_in(user):
        return Q(pk__in=[])
    q = Exists(Grant.objects.filter(grantee_q(user) & active_q(), person_id=OuterRef("pk")))
    if user.is_casework:
        q |= Q(recorded_by_agency_id=user.agency_id)
    for _, person_q in COMPUTED:
        q |= person_q(user)
    return Q(municipality_id=user.municipality_id) & q


def visible_target_q(user) -> Q:
    from .models import Grant

    if not _signed_in(user):
        return Q(pk__in=[])
    return Q(municipality_id=user.municipality_id) & Exists(
        Grant.objects.filter(grantee_q(user) & active_q(), target_id=OuterRef("pk")))


# ------------------------------------------------------------------------------------------------ sync

def _specs(subject: str, municipality_id: int, ids: list[int]) -> dict[int, dict[str, Spec]]:
    column = "person_id" if subject == "person" else "target_id"
    out: dict[int, dict[str, Spec]] = defaultdict(dict)
    for source in SOURCES[subject]:
        for spec in source(municipality_id, ids):
            out[getattr(spec, column)][spec.key] = spec
    return out


def _sync(subject: str, municipality_id: int, ids: Iterable[int], *, reason: str = "", write: bool = True
          ) -> tuple[int, int]:
    """Reconcile the stored grants of these subjects with what the sources say now: (created, ended)."""
    from .models import Grant

    ids = sorted({i for i in ids if i})
    if not ids:
        return 0, 0
    column = "person_id" if subject == "person" else "target_id"
    now = timezone.now()
    desired = _specs(subject, municipality_id, ids)
    current = list(Grant.objects.filter(municipality_id=municipality_id, ended_at__isnull=True,
                                        **{f"{column}__in": ids}))
    have = {(getattr(g, column), g.key) for g in current}
    to_end = [g for g in current
              if g.key not in desired.get(getattr(g, column), {}) or (g.expires_at and g.expires_at <= now)]
    to_create = [spec for sid, specs in desired.items() for key, spec in specs.items()
                 if (sid, key) not in have and not (spec.expires_at and spec.expires_at <= now)]
    if write:
        for g in to_end:
            g.ended_at = min(now, g.expires_at) if g.expires_at else now
            g.end_reason = "期限切れ" if g.expires_at and g.expires_at <= now else (reason or "根拠の終了")[:200]
        if to_end:
            Grant.objects.bulk_update(to_end, ["ended_at", "end_reason"])
        spec_fields = [f.name for f in fields(Spec) if f.name not in ("started_at",)]
        Grant.objects.bulk_create([
            Grant(municipality_id=municipality_id, key=spec.key, started_at=spec.started_at or now,
                  **{f: getattr(spec, f) for f in spec_fields}) for spec in to_create], ignore_conflicts=True)
    return len(to_create), len(to_end)


def sync_persons(municipality_id: int, person_ids: Iterable[int], *, reason: str = "", write: bool = True
                 ) -> tuple[int, int]:
    return _sync("person", municipality_id, person_ids, reason=reason, write=write)


def sync_targets(municipality_id: int, target_ids: Iterable[int], *, reason: str = "", write: bool = True
                 ) -> tuple[int, int]:
    return _sync("target", municipality_id, target_ids, reason=reason, write=write)


def sync_person(person, *, reason: str = "") -> None:
    sync_persons(person.municipality_id, [person.pk], reason=reason)


SUBJECTS: dict[str, Callable] = {}


def register_subjects(subject: str, fn: Callable) -> None:
    """`fn(municipality_id) -> iterable of ids` of every subject of that kind, for `rebuild`."""
    SUBJECTS[subject] = fn


def rebuild(municipality_id: int, *, write: bool = True, chunk: int = 500, progress=None) -> dict[str, tuple]:
    """Reconcile every stored grant of a municipality with its sources: (created, ended) per subject kind.
    With write=False nothing changes and the counts say how far the rows are from the sources (0, 0 = in step)."""
    from .models import Grant

    person_model = Grant._meta.get_field("person").related_model
    ids = {"person": list(person_model.objects.filter(municipality_id=municipality_id).order_by("pk")
                          .values_list("pk", flat=True)),
           "target": list(SUBJECTS["target"](municipality_id)) if "target" in SUBJECTS else []}
    out = {}
    for subject, subject_ids in ids.items():
        created = ended = 0
        for i in range(0, len(subject_ids), chunk):
            c, e = _sync(subject, municipality_id, subject_ids[i:i + chunk], reason="再構築", write=write)
            created, ended = created + c, ended + e
            if progress:
                progress(subject, min(i + chunk, len(subject_ids)), len(subject_ids))
        out[subject] = (created, ended)
    return out


# ------------------------------------------------------------------------------------------------ audit

def audit_read(action: str, *, user, request=None, obj=None, reads: Iterable[tuple] = (), detail=None) -> None:
    """Log one read of personal data with the grants that allowed it (ACCESS.md invariant 5).

    `reads`: (person_id, record_type, record_id, grants) per resident shown; grants as `Sight.audit()` gives.
    The event carries them (inside the hash chain); ReadRecord rows index them for the per-person report.
    """
    from .audit import log_action
    from .models import ReadRecord

    reads = [r for r in reads if r[0]]
    subject = reads[0][0] if len(reads) == 1 else None
    grants = reads[0][3] if len(reads) == 1 else []
    event = log_action(action, actor=user, obj=obj, request=request, subject_person_id=subject, grants=grants,
                       detail={**(detail or {}),
                               **({"reads": [[r[0], r[1], r[2], [g["kind"] for g in r[3]]] for r in reads]}
                                  if len(reads) > 1 else {})})
    ReadRecord.objects.bulk_create([
        ReadRecord(event=event, municipality_id=event.municipality_id, person_id=r[0], record_type=r[1] or "",
                   record_id=r[2], grants=r[3]) for r in reads])
