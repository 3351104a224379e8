"""The resources of /api/v1/. Each read asks the app's policy (the same functions as the page) and returns only
the field groups the caller's grant opens; each write calls the same service as the page."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from ninja import Field, Query, Router, Schema

from tsunagu.privacy import access

ROUTERS: dict[str, Router] = {}


def router(name):
    ROUTERS[name] = Router()
    return ROUTERS[name]


def _api():
    from . import api as module

    return module


# ------------------------------------------------------------------------------------------------ schemas

class Error(Schema):
    code: str
    message: str
    field: str | None = None
    fields: list[str] | None = None


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 429: Error}


def ok(schema, status=200):
    return {status: schema, **ERRORS}


class PersonRef(Schema):
    id: int
    name: str | None = None
    kana: str | None = None


class PersonBasic(Schema):
    birth_date: dt.date | None = None
    sex: str = ""
    nationality: str = ""
    language: str = ""
    address: str | None = None  # None: a masked (DV/虐待) address the grant does not open
    phone: str | None = None


class Member(Schema):
    person_id: int
    name: str
    relation: str
    lives_together: bool
    care_roles: list[str] | None = None  # SENSITIVE


class HouseholdOut(Schema):
    id: int
    label: str
    members: list[Member]


class PersonOut(Schema):
    id: int
    name: str
    kana: str
    classes: list[str]
    basis: str
    basic: PersonBasic | None = None
    households: list[HouseholdOut] | None = None


class SearchOut(Schema):
    count: int
    results: list[PersonRef]


def _person_ref(pv) -> PersonRef | None:
    if pv is None or not pv.visible:
        return None
    return PersonRef(id=pv.person.pk, name=pv.person.name, kana=pv.person.kana)


def _person_out(user, person, sight) -> PersonOut:
    from tsunagu.people.policy import household_members

    pv = sight.person(person)
    out = PersonOut(id=person.pk, name=person.name, kana=person.kana, classes=sorted(pv.classes),
                    basis=pv.basis_note)
    if pv.basic:
        out.basic = PersonBasic(birth_date=person.birth_date, sex=person.sex, nationality=person.nationality,
                                language=person.language, address=person.address if pv.address else None,
                                phone=person.phone if pv.address else None)
        households = []
        for m in person.memberships.select_related("household"):
            members, care = household_members(sight, m.household)
            if members:
                households.append(HouseholdOut(id=m.household.pk, label=m.household.label, members=[
                    Member(person_id=x.person_id, name=x.person.name, relation=x.relation,
                           lives_together=x.lives_together, care_roles=list(x.care_roles) if care else None)
                    for x in members]))
        out.households = households
    return out


# ------------------------------------------------------------------------------------------------ persons

persons = router("persons")


@persons.get("", response=ok(SearchOut), summary="本人の検索")
def person_search(request, q: str = Query(..., min_length=1, max_length=100)):
    from tsunagu.people.search import search_persons

    user = _api().need(request, "persons:read")
    if not user.is_casework:
        raise PermissionDenied("本人の検索は、相談支援の役割（窓口・推進員・多機関協働）の職員だけが行えます")
    found = list(search_persons(user, q))
    seen = access.sights(user, found)
    results = [r for r in (_person_ref(seen[p.pk].person(p)) for p in found) if r]
    _api().audit("person.searched", request, reads=[(p.pk, "person", p.pk, seen[p.pk].audit()) for p in found],
                 detail={"q": q, "results": len(results)})
    return SearchOut(count=len(results), results=results)


@persons.get("/{int:person_id}", response=ok(PersonOut), summary="本人（見える範囲の項目だけ）")
def person_read(request, person_id: int):
    from tsunagu.people.policy import access_person_by_id

    user = _api().need(request, "persons:read")
    person, sight = access_person_by_id(user, person_id)
    out = _person_out(user, person, sight)
    _api().audit("person.viewed", request, obj=person, reads=[(person.pk, "person", person.pk, sight.audit())],
                 detail={"classes": out.classes})
    return out


# ------------------------------------------------------------------------------------------------ forms

def form_data(body: dict):
    """A JSON body as the page's form data (lists become repeated values), so writes validate exactly as the
    pages do."""
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in body.items():
        if value is None:
            continue
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        else:
            data[key] = str(value)
    return data


class FormInvalid(Exception):
    def __init__(self, form):
        self.form = form


def valid(form):
    if not form.is_valid():
        raise FormInvalid(form)
    return form.cleaned_data


def service(call):
    """Run a page's service; its DomainError becomes a 400 with the field it names."""
    with transaction.atomic():
        return call()


# ------------------------------------------------------------------------------------------------ consultations

class ConsultationBrief(Schema):
    id: int
    received_at: dt.datetime
    status: str
    agency: str
    person: PersonRef | None = None
    chief_complaint: str | None = None  # ID of the referred consultation
    issue_tags: list[str] | None = None
    urgency: str | None = None


class ConsultationOut(ConsultationBrief):
    classes: list[str]
    channel: str | None = None  # BASIC
    consulter_type: str | None = None
    consulter_name: str | None = None  # CONTENT
    detail: str | None = None  # CONTENT
    sensitive_categories: list[str] | None = None  # SENSITIVE
    sensitive_notes: str | None = None


class ConsultationPage(Schema):
    count: int
    page: int
    results: list[ConsultationBrief]


def _consultation_out(sight, c, full=True):
    from tsunagu.intake.policy import consultation_classes

    classes = consultation_classes(sight, c)
    pv = sight.person(c.person)
    data = {"id": c.pk, "received_at": c.received_at, "status": c.status, "agency": c.agency.name,
            "person": _person_ref(pv)}
    if access.ID in classes:
        data |= {"chief_complaint": c.chief_complaint, "issue_tags": list(c.issue_tags), "urgency": c.urgency}
    if not full:
        return ConsultationBrief(**data)
    data["classes"] = sorted(classes)
    if access.BASIC in classes:
        data |= {"channel": c.channel, "consulter_type": c.consulter_type}
    if access.CONTENT in classes:
        data |= {"consulter_name": c.consulter_name, "detail": c.detail}
    if access.SENSITIVE in classes:
        data |= {"sensitive_categories": list(c.sensitive_categories), "sensitive_notes": c.sensitive_notes}
    return ConsultationOut(**data)


consultations = router("consultations")


def _casework(user):
    if not user.agency_id or not user.is_casework:
        raise PermissionDenied("相談を扱えるのは、相談支援の役割（窓口担当・推進員・多機関協働）の職員だけです")


@consultations.get("", response=ok(ConsultationPage), summary="自機関の相談の一覧（状態・受付日で絞り込み）")
def consultation_list(request, status: str = "", received_from: dt.date | None = None,
                      received_to: dt.date | None = None, page: int = Query(1, ge=1, le=100000)):
    from django.core.paginator import Paginator

    from tsunagu.intake.models import Consultation

    user = _api().need(request, "consultations:read")
    _casework(user)
    qs = (Consultation.objects.filter(municipality_id=user.municipality_id, agency_id=user.agency_id)
          .select_related("person", "agency"))
    if status in dict(Consultation.STATUS_CHOICES):
        qs = qs.filter(status=status)
    if received_from:
        qs = qs.filter(received_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(received_at__date__lte=received_to)
    p = Paginator(qs, 50).get_page(page)
    found = access.sights(user, [c.person for c in p])
    rows = [_consultation_out(found[c.person_id], c, full=False) for c in p]
    _api().audit("consultation.listed", request, reads=[(c.person_id, "consultation", c.pk,
                                                         found[c.person_id].audit()) for c in p],
                 detail={"status": status, "page": p.number})
    return ConsultationPage(count=p.paginator.count, page=p.number, results=rows)


@consultations.get("/{int:consultation_id}", response=ok(ConsultationOut), summary="相談（見える範囲の項目だけ）")
def consultation_read(request, consultation_id: int):
    from tsunagu.intake.policy import access_consultation_by_id

    user = _api().need(request, "consultations:read")
    c, sight = access_consultation_by_id(user, consultation_id)
    out = _consultation_out(sight, c)
    _api().audit("consultation.viewed", request, obj=c, reads=[(c.person_id, "consultation", c.pk, sight.audit())])
    return out


class ConsultationIn(Schema):
    person_id: int | None = None
    name: str = ""
    kana: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    address: str = ""
    phone: str = ""
    address_masked: bool = False
    received_at: dt.datetime
    channel: str
    consulter_type: str
    consulter_name: str = ""
    chief_complaint: str
    detail: str = ""
    issue_tags: list[str] = []
    urgency: str = "normal"
    sensitive_categories: list[str] = []
    sensitive_notes: str = ""
    with_consent: str = Field("no", description="yes: 本人同意あり / no: 本人同意なし")
    consent_scope_all: bool = False
    consent_agencies: list[int] = []
    consent_purposes: list[str] = []
    consent_method: str = ""
    consent_date: dt.date | None = None


@consultations.post("", response=ok(ConsultationOut, 201), summary="相談の受付（画面と同じ記録）")
def consultation_record(request, body: ConsultationIn):
    from tsunagu.intake import services
    from tsunagu.intake.forms import ConsultationForm
    from tsunagu.people.models import Person

    user = _api().need(request, "consultations:write")
    _casework(user)
    data = body.dict()
    if data.get("received_at"):
        data["received_at"] = data["received_at"].strftime("%Y-%m-%dT%H:%M")
    form = ConsultationForm(form_data(data), user=user)
    d = valid(form)
    person = None
    if d.get("person_id"):
        person = Person.objects.visible_to(user).filter(pk=d["person_id"]).first()
        if person is None:
            raise Http404("選んだ本人の記録が見つからないか、閲覧する権限がありません")
    new_person = None
    if person is None or person.recorded_by_agency_id != user.agency_id:
        new_person = form.new_person()
        if person is not None:
            new_person["name"] = new_person.get("name") or person.name
            new_person["kana"] = new_person.get("kana") or person.kana
    c = service(lambda: services.record_consultation(
        user, person=person, new_person=new_person, received_at=d["received_at"], channel=d["channel"],
        consulter_type=d["consulter_type"], consulter_name=d["consulter_name"],
        chief_complaint=d["chief_complaint"], detail=d["detail"], issue_tags=d["issue_tags"], urgency=d["urgency"],
        sensitive_categories=d["sensitive_categories"], sensitive_notes=d["sensitive_notes"],
        household_members=form.household_members(), consent=form.consent(), request=request))
    sight = access.sight(user, c.person)
    return 201, _consultation_out(sight, c)


# ------------------------------------------------------------------------------------------------ referrals

class ReferralOut(Schema):
    id: int
    status: str
    purpose: str
    basis: str
    statutory_basis: str
    from_agency: str
    to_agency: str
    sent_at: dt.datetime
    consultation_id: int
    person: PersonRef | None = None
    chief_complaint: str | None = None
    issue_tags: list[str] | None = None
    urgency: str | None = None
    message: str | None = None  # follows the grant on the person (invariant 2)
    response_note: str = ""
    return_reason: str = ""
    suggested_agency: str | None = None
    responded_at: dt.datetime | None = None


class ReferralPage(Schema):
    count: int
    page: int
    results: list[ReferralOut]


def _referral_out(user, r, sight) -> ReferralOut:
    from tsunagu.intake.policy import consultation_classes, referral_message_visible

    classes = consultation_classes(sight, r.consultation)
    data = {"id": r.pk, "status": r.status, "purpose": r.purpose, "basis": r.basis,
            "statutory_basis": r.statutory_basis, "from_agency": r.from_agency.name, "to_agency": r.to_agency.name,
            "sent_at": r.sent_at, "consultation_id": r.consultation_id, "person": _person_ref(sight.person(r.person)),
            "response_note": r.response_note, "return_reason": r.return_reason,
            "suggested_agency": r.suggested_agency.name if r.suggested_agency_id else None,
            "responded_at": r.responded_at}
    if access.ID in classes:
        c = r.consultation
        data |= {"chief_complaint": c.chief_complaint, "issue_tags": list(c.issue_tags), "urgency": c.urgency}
    if referral_message_visible(sight, r):
        data["message"] = r.message
    return ReferralOut(**data)


referrals = router("referrals")


@referrals.get("", response=ok(ReferralPage), summary="つなぎの一覧（受信箱 inbox／送信箱 outbox）")
def referral_list(request, box: str = Query("inbox", pattern="^(inbox|outbox)$"), status: str = "",
                  page: int = Query(1, ge=1, le=100000)):
    from django.core.paginator import Paginator

    from tsunagu.intake.models import Referral
    from tsunagu.intake.policy import referrals_of

    user = _api().need(request, "referrals:read")
    _casework(user)
    qs = referrals_of(user).select_related("from_agency", "to_agency", "suggested_agency", "person", "consultation")
    qs = qs.filter(to_agency_id=user.agency_id) if box == "inbox" else qs.filter(from_agency_id=user.agency_id)
    if status in dict(Referral.STATUS_CHOICES):
        qs = qs.filter(status=status)
    p = Paginator(qs, 50).get_page(page)
    found = access.sights(user, {r.person_id: r.person for r in p}.values())
    rows = [_referral_out(user, r, found[r.person_id]) for r in p]
    _api().audit("referral.listed", request, reads=[(r.person_id, "referral", r.pk, found[r.person_id].audit())
                                                     for r in p if found[r.person_id].used],
                 detail={"box": box, "status": status, "page": p.number})
    return ReferralPage(count=p.paginator.count, page=p.number, results=rows)


@referrals.get("/{int:referral_id}", response=ok(ReferralOut), summary="つなぎ")
def referral_read(request, referral_id: int):
    from tsunagu.intake.policy import access_referral_by_id

    user = _api().need(request, "referrals:read")
    r, sight = access_referral_by_id(user, referral_id)
    out = _referral_out(user, r, sight)
    _api().audit("referral.viewed", request, obj=r, reads=[(r.person_id, "referral", r.pk, sight.audit())])
    return out


class AcceptIn(Schema):
    note: str = ""


class ReturnIn(Schema):
    reason: str
    suggested_agency: int


class ResendIn(Schema):
    to_agency: int
    message: str = ""
    statutory_basis: str = ""


def _side(user, r, side):
    if (r.to_agency_id if side == "to" else r.from_agency_id) != user.agency_id:
        raise PermissionDenied("この操作は" + ("つなぎ先" if side == "to" else "つなぎ元") + "の機関だけが行えます")


@referrals.post("/{int:referral_id}/accept", response=ok(ReferralOut), summary="つなぎの受理")
def referral_accept(request, referral_id: int, body: AcceptIn):
    from tsunagu.intake import services
    from tsunagu.intake.forms import AcceptForm
    from tsunagu.intake.policy import access_referral_by_id

    user = _api().need(request, "referrals:write")
    r, _ = access_referral_by_id(user, referral_id)
    _side(user, r, "to")
    d = valid(AcceptForm(form_data(body.dict())))
    r = service(lambda: services.accept_referral(user, r, note=d["note"], request=request))
    r, sight = access_referral_by_id(user, r.pk)
    return _referral_out(user, r, sight)


@referrals.post("/{int:referral_id}/return", response=ok(ReferralOut), summary="つなぎの差し戻し（理由と提案つき）")
def referral_return(request, referral_id: int, body: ReturnIn):
    from tsunagu.intake import services
    from tsunagu.intake.forms import ReturnForm
    from tsunagu.intake.policy import access_referral_by_id

    user = _api().need(request, "referrals:write")
    r, _ = access_referral_by_id(user, referral_id)
    _side(user, r, "to")
    d = valid(ReturnForm(form_data(body.dict()), user=user))
    r = service(lambda: services.return_referral(user, r, reason=d["reason"], suggested_agency=d["suggested_agency"],
                                                 request=request))
    r, sight = access_referral_by_id(user, r.pk)
    return _referral_out(user, r, sight)


@referrals.post("/{int:referral_id}/resend", response=ok(ReferralOut, 201), summary="差し戻されたつなぎの再送")
def referral_resend(request, referral_id: int, body: ResendIn):
    from tsunagu.intake import services
    from tsunagu.intake.forms import ResendForm
    from tsunagu.intake.policy import access_referral_by_id

    user = _api().need(request, "referrals:write")
    r, _ = access_referral_by_id(user, referral_id)
    _side(user, r, "from")
    d = valid(ResendForm(form_data(body.dict()), user=user))
    new = service(lambda: services.resend_referral(user, r, to_agency=d["to_agency"], message=d["message"],
                                                   statutory_basis=d.get("statutory_basis", ""), request=request))
    new, sight = access_referral_by_id(user, new.pk)
    return 201, _referral_out(user, new, sight)


class ReferIn(Schema):
    to_agency: int
    message: str = ""
    statutory_basis: str = ""


@consultations.post("/{int:consultation_id}/referrals", response=ok(ReferralOut, 201), summary="つなぎの送付")
def referral_send(request, consultation_id: int, body: ReferIn):
    from tsunagu.intake import services
    from tsunagu.intake.forms import ReferForm
    from tsunagu.intake.policy import access_consultation_by_id

    user = _api().need(request, "referrals:write")
    _casework(user)
    c, _ = access_consultation_by_id(user, consultation_id, for_update=True)
    d = valid(ReferForm(form_data(body.dict()), user=user))
    r = service(lambda: services.refer_consultation(user, c, to_agency=d["to_agency"], message=d["message"],
                                                    statutory_basis=d.get("statutory_basis", ""),
                                                    request=request))
    return 201, _referral_out(user, r, access.sight(user, r.person))


# ------------------------------------------------------------------------------------------------ consents

class ConsentOut(Schema):
    id: int
    person_id: int
    recording_agency: str
    scope_all_agencies: bool
    scope_agencies: list[str]
    purposes: list[str]
    method: str
    obtained_on: dt.date
    withdrawn_at: dt.datetime | None = None
    superseded_at: dt.datetime | None = None
    supersedes_id: int | None = None


class ConsentIn(Schema):
    scope_all: bool = False
    agencies: list[int] = []
    staff: list[int] = []
    purposes: list[str] = []
    method: str
    obtained_on: dt.date
    note: str = ""
    supersedes: int | None = Field(None, description="変更（拡大・縮小）する現在の同意の id")


class WithdrawIn(Schema):
    note: str


def _consent_out(c) -> ConsentOut:
    return ConsentOut(id=c.pk, person_id=c.person_id, recording_agency=c.recording_agency.name,
                      scope_all_agencies=c.scope_all_agencies,
                      scope_agencies=[a.name for a in c.scope_agencies.all()], purposes=list(c.purposes),
                      method=c.method, obtained_on=c.obtained_on, withdrawn_at=c.withdrawn_at,
                      superseded_at=c.superseded_at, supersedes_id=c.supersedes_id)


consents = router("consents")


@persons.get("/{int:person_id}/consents", response=ok(list[ConsentOut]), summary="本人同意の一覧")
def consent_list(request, person_id: int):
    from tsunagu.people.policy import access_person_by_id
    from tsunagu.privacy.models import Consent

    user = _api().need(request, "consents:read")
    person, sight = access_person_by_id(user, person_id)
    pv = sight.person(person)
    if not pv.basic:  # as on the person page: consents are shown with the basic record
        raise PermissionDenied("この方の同意の記録を閲覧する権限がありません")
    found = list(Consent.objects.filter(person=person).select_related("recording_agency")
                 .prefetch_related("scope_agencies"))
    _api().audit("person.viewed", request, obj=person, reads=[(person.pk, "person", person.pk, sight.audit())],
                 detail={"page": "consents"})
    return [_consent_out(c) for c in found]


@persons.post("/{int:person_id}/consents", response=ok(ConsentOut, 201), summary="本人同意の記録・変更（拡大・縮小）")
def consent_record(request, person_id: int, body: ConsentIn):
    from tsunagu.people.forms import ConsentForm
    from tsunagu.people.policy import access_person_by_id
    from tsunagu.privacy.models import Consent
    from tsunagu.privacy.services import may_record_consent, record_consent

    user = _api().need(request, "consents:write")
    person, _ = access_person_by_id(user, person_id)
    if not may_record_consent(user, person):
        raise PermissionDenied("この方の同意を記録できるのは、相談支援の役割の職員です")
    current = None
    if body.supersedes:
        current = Consent.objects.filter(pk=body.supersedes, person=person).first()
        if current is None:
            raise Http404("同意の記録が見つかりません")
    form = ConsentForm(form_data(body.dict(exclude={"supersedes"})), user=user, consent=current)
    valid(form)
    c = service(lambda: record_consent(user, person=person, supersedes=current, request=request,
                                       **form.service_kwargs()))
    return 201, _consent_out(c)


@consents.post("/{int:consent_id}/withdraw", response=ok(ConsentOut), summary="本人同意の撤回")
def consent_withdraw(request, consent_id: int, body: WithdrawIn):
    from tsunagu.intake.forms import WithdrawConsentForm
    from tsunagu.people.policy import access_person_by_id
    from tsunagu.privacy.models import Consent
    from tsunagu.privacy.services import withdraw_consent

    user = _api().need(request, "consents:write")
    consent = Consent.objects.filter(pk=consent_id, municipality_id=user.municipality_id).first()
    if consent is None:
        raise Http404("同意の記録が見つかりません")
    access_person_by_id(user, consent.person_id)
    if not user.is_casework:
        raise PermissionDenied("同意の撤回を記録できるのは、相談支援の役割の職員です")
    d = valid(WithdrawConsentForm(form_data(body.dict())))
    c = service(lambda: withdraw_consent(user, consent, note=d["note"], request=request))
    return _consent_out(Consent.objects.select_related("recording_agency").get(pk=c.pk))


# ------------------------------------------------------------------------------------------------ cases, plans

class ActionOut(Schema):
    id: int
    description: str
    agency: str
    person_in_charge: str
    due_date: dt.date
    done_at: dt.datetime | None = None


class PlanOut(Schema):
    id: int
    status: str
    long_term_goal: str
    short_term_goals: str
    review_date: dt.date
    approved_at: dt.datetime | None = None
    actions: list[ActionOut]


class CaseOut(Schema):
    id: int
    title: str
    status: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None = None
    coordinating_agency: str
    lead_agency: str | None = None
    person: PersonRef | None = None
    classes: list[str]
    plans: list[PlanOut]


class CaseBrief(Schema):
    id: int
    title: str
    status: str
    opened_at: dt.datetime
    person: PersonRef | None = None


cases = router("cases")


@cases.get("", response=ok(list[CaseBrief]), summary="見える事例の一覧")
def case_list(request, status: str = ""):
    from tsunagu.casework.models import Case
    from tsunagu.casework.policy import case_classes

    user = _api().need(request, "cases:read")
    qs = Case.objects.visible_to(user).select_related("person")
    if status in dict(Case.STATUS_CHOICES):
        qs = qs.filter(status=status)
    found = list(qs[:500])
    seen = access.sights(user, {c.person_id: c.person for c in found}.values())
    rows = [CaseBrief(id=c.pk, title=c.title, status=c.status, opened_at=c.opened_at,
                      person=_person_ref(seen[c.person_id].person(c.person))) for c in found
            if access.CONTENT in case_classes(seen[c.person_id], c)]
    _api().audit("case.listed", request, reads=[(c.person_id, "case", c.pk, seen[c.person_id].audit())
                                                 for c in found], detail={"status": status})
    return rows


@cases.get("/{int:case_id}", response=ok(CaseOut), summary="事例と支援プラン")
def case_read(request, case_id: int):
    from tsunagu.casework.policy import access_case_by_id, case_classes

    user = _api().need(request, "cases:read")
    case, sight = access_case_by_id(user, case_id)
    plans = [PlanOut(id=p.pk, status=p.status, long_term_goal=p.long_term_goal, short_term_goals=p.short_term_goals,
                     review_date=p.review_date, approved_at=p.approved_at,
                     actions=[ActionOut(id=a.pk, description=a.description, agency=a.agency.name,
                                        person_in_charge=a.person_in_charge, due_date=a.due_date, done_at=a.done_at)
                              for a in p.actions.select_related("agency").order_by("pk")])
             for p in case.plans.order_by("pk")]
    out = CaseOut(id=case.pk, title=case.title, status=case.status, opened_at=case.opened_at,
                  closed_at=case.closed_at, coordinating_agency=case.coordinating_agency.name,
                  lead_agency=case.lead_agency.name if case.lead_agency_id else None,
                  person=_person_ref(sight.person(case.person)), classes=sorted(case_classes(sight, case)),
                  plans=plans)
    _api().audit("case.viewed", request, obj=case, reads=[(case.person_id, "case", case.pk, sight.audit())])
    return out


# ------------------------------------------------------------------------------------------------ meetings

class ItemOut(Schema):
    id: int
    purpose: str
    legal_basis: str
    person: PersonRef | None = None
    summary: str | None = None  # CONTENT of the item (G5–G7)
    decision: str | None = None
    decision_note: str | None = None
    closed_at: dt.datetime | None = None


class MeetingOut(Schema):
    id: int
    title: str
    scheduled_at: dt.datetime
    place: str
    status: str
    minutes: str | None = None
    items: list[ItemOut]


class MeetingBrief(Schema):
    id: int
    title: str
    scheduled_at: dt.datetime
    status: str


meetings = router("meetings")


@meetings.get("", response=ok(list[MeetingBrief]), summary="招集した・構成員である会議の一覧")
def meeting_list(request):
    from tsunagu.meetings.models import Meeting
    from tsunagu.meetings.policy import visible_meeting_q
    from tsunagu.privacy.audit import log_action

    user = _api().need(request, "meetings:read")
    found = list(Meeting.objects.filter(visible_meeting_q(user)).order_by("-scheduled_at")[:200])
    log_action("meeting.listed", actor=user, request=request, detail={"via": "api", "token": request.auth.pk})
    return [MeetingBrief(id=m.pk, title=m.title, scheduled_at=m.scheduled_at, status=m.status) for m in found]


@meetings.get("/{int:meeting_id}", response=ok(MeetingOut), summary="会議と議題（見える議題の資料だけ）")
def meeting_read(request, meeting_id: int):
    from tsunagu.meetings.policy import access_meeting_by_id, is_organiser, meeting_minutes_visible
    from tsunagu.meetings.views import _items

    user = _api().need(request, "meetings:read")
    meeting = access_meeting_by_id(user, meeting_id)
    organiser = is_organiser(user, meeting)
    me = meeting.members.filter(staff=user).first()
    rows, reads = _items(user, meeting, organiser)
    items = []
    for item, classes, pv, _target in rows:
        out = ItemOut(id=item.pk, purpose=item.purpose, legal_basis=item.legal_basis, person=_person_ref(pv),
                      closed_at=item.closed_at)
        if access.CONTENT in classes:
            out.summary, out.decision, out.decision_note = item.summary, item.decision, item.decision_note
        items.append(out)
    result = MeetingOut(id=meeting.pk, title=meeting.title, scheduled_at=meeting.scheduled_at, place=meeting.place,
                        status=meeting.status, items=items,
                        minutes=meeting.minutes if meeting_minutes_visible(user, meeting, me) else None)
    _api().audit("meeting.viewed", request, obj=meeting, reads=reads)
    return result


# ------------------------------------------------------------------------------------------------ KPIs

class KpiOut(Schema):
    code: str
    name: str
    area: str
    unit: str
    actual: float | None = None
    target: float | None = None


kpis = router("kpis")


def _manager(user):
    from tsunagu.directory.names import role_title

    if not (user.is_manager or user.has_role_kind("coordinator")):
        m = user.municipality
        raise PermissionDenied(f"評価の数値は{role_title(m, 'manager')}と{role_title(m, 'coordinator')}が使えます")
    return user.municipality


def _year(fy):
    from django.utils import timezone

    from tsunagu.core.wareki import fiscal_year_of

    current = fiscal_year_of(timezone.localdate())
    return fy if fy and 2000 <= fy <= current + 5 else current


@kpis.get("", response=ok(list[KpiOut]), summary="評価指標（集計値のみ）")
def kpi_list(request, fy: int | None = Query(None, ge=2000, le=2100)):
    from tsunagu.evaluation.kpis import fiscal_year_rows
    from tsunagu.privacy.audit import log_action

    user = _api().need(request, "kpis:read")
    m = _manager(user)
    year = _year(fy)
    rows = fiscal_year_rows(m, year)
    log_action("evaluation.viewed", actor=user, request=request,
               detail={"fiscal_year": year, "via": "api", "token": request.auth.pk})
    return [KpiOut(code=r.kpi.code, name=r.kpi.name, area=r.kpi.area, unit=r.kpi.unit, actual=_num(r.actual),
                   target=_num(r.target)) for r in rows]


def _num(v):
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        return None


@kpis.get("/prefecture-stats", response=ok(dict), summary="都道府県向け統計ファイル（3未満は秘匿）")
def prefecture_stats(request, fy: int | None = Query(None, ge=2000, le=2100)):
    import json

    from tsunagu.evaluation.prefecture import export_stats

    user = _api().need(request, "kpis:read")
    m = _manager(user)
    return json.loads(export_stats(m, _year(fy), actor=user))
