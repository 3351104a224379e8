from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error
from tsunagu.intake.forms import SearchForm, WithdrawConsentForm
from tsunagu.intake.models import Consultation
from tsunagu.intake.policy import consultation_classes, referrals_of
from tsunagu.privacy import access
from tsunagu.privacy.decorators import personal_data
from tsunagu.privacy.models import AddressRelease, Consent, Disclosure, Grant, ReadRecord
from tsunagu.privacy.services import (
    may_record_consent,
    record_consent,
    release_address,
    revoke_address_release,
    withdraw_consent,
)

from .forms import AddressReleaseForm, ConsentForm
from .models import Person
from .policy import access_person_by_id, household_members, person_views
from .search import search_persons


@login_required
@personal_data("search")
def person_search(request):
    if not request.user.is_casework:
        raise PermissionDenied("本人の検索は、相談支援の役割（窓口・推進員・多機関協働）の職員だけが行えます")
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid():
        found = list(search_persons(request.user, form.cleaned_data["q"]))
        seen = access.sights(request.user, found)
        results = [seen[p.pk].person(p) for p in found]
        access.audit_read("person.searched", user=request.user, request=request,
                          reads=[(p.pk, "person", p.pk, seen[p.pk].audit()) for p in found],
                          detail={"q": form.cleaned_data["q"], "results": len(results)})
    picking = request.GET.get("pick") == "1"
    template = "people/_search_results.html" if request.htmx else "people/search.html"
    return render(request, template, {"form": form, "results": results, "picking": picking})


TIMELINE_PAGE = 20


def _timeline(user, sight, person, page: int) -> dict:
    """One page of the person's 経過 (consultations and referrals, newest first): each source is read only as far as
    the page reaches, so the page costs the same whatever the length of the history."""
    reach = page * TIMELINE_PAGE + 1
    consultations = []
    for c in (Consultation.objects.filter(person=person).select_related("agency")
              .order_by("-received_at", "-id").iterator(chunk_size=reach)):
        if access.ID in consultation_classes(sight, c):
            consultations.append(c)
            if len(consultations) >= reach:
                break
    referrals = list(referrals_of(user).filter(person=person).select_related("from_agency", "to_agency")
                     .order_by("-sent_at", "-id")[:reach])
    items = [("consultation", c.received_at, c) for c in consultations]
    items += [("referral", r.sent_at, r) for r in referrals]
    items.sort(key=lambda x: x[1], reverse=True)
    start = (page - 1) * TIMELINE_PAGE
    return {"items": items[start:start + TIMELINE_PAGE], "page": page, "has_previous": page > 1,
            "has_next": len(items) > start + TIMELINE_PAGE}


def _page_number(value) -> int:
    try:
        return min(max(int(value), 1), 10_000)
    except (TypeError, ValueError):
        return 1


def _linked_records(user, person):
    from tsunagu.identity.services import cluster_of

    others = [p for p in Person.objects.filter(pk__in=cluster_of(person.pk) - {person.pk}).select_related(
        "recorded_by_agency")]
    views = person_views(user, others)
    return [views[p.pk] for p in others if views[p.pk].visible]


@login_required
@personal_data("person")
def person_detail(request, person_id: int):
    user = request.user
    person, sight = access_person_by_id(user, person_id)
    pv = sight.person(person)
    households = []
    for m in person.memberships.select_related("household"):
        members, care = household_members(sight, m.household)
        if members:
            households.append({"household": m.household, "members": [x for x in members if x.person_id != person.pk],
                               "care": care, "own": access.owns(user, m.household.recorded_by_agency_id)})
    own = access.owns(user, person.recorded_by_agency_id)
    consents = list(Consent.objects.filter(person=person).select_related("recording_agency")
                    .prefetch_related("scope_agencies", "scope_staff")) if pv.basic else []
    disclosures = list(Disclosure.objects.filter(person=person, from_agency_id=user.agency_id)
                       .select_related("to_agency")) if own else []
    ctx = {
        "person": person, "pv": pv, "own": own, "timeline": _timeline(user, sight, person, _page_number(request.GET.get("page"))),
        "households": households, "consents": consents, "disclosures": disclosures,
        "withdraw_form": WithdrawConsentForm(), "may_consent": may_record_consent(user, person),
        "linked": _linked_records(user, person),
        "releases": _release_context(user, person) if own and person.address_masked else None,
    }
    access.audit_read("person.viewed", user=user, request=request, obj=person,
                      reads=[(person.pk, "person", person.pk, sight.audit())],
                      detail={"classes": sorted(pv.classes)})
    return render(request, "people/person_detail.html", ctx)


@login_required
@require_POST
@personal_data("consent")
def consent_withdraw(request, consent_id: int):
    consent = Consent.objects.filter(pk=consent_id, municipality_id=request.user.municipality_id).first()
    if consent is None:
        raise Http404("同意の記録が見つかりません")
    # The person may tell any window that sees them (R8); the consent itself shows nothing more.
    person, sight = access_person_by_id(request.user, consent.person_id)
    if not request.user.is_casework:
        raise PermissionDenied("同意の撤回を記録できるのは、相談支援の役割の職員です")
    form = WithdrawConsentForm(request.POST)
    if form.is_valid():
        try:
            withdraw_consent(request.user, consent, note=form.cleaned_data["note"], request=request)
        except DomainError as exc:
            apply_domain_error(form, exc)
    if form.errors:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    else:
        messages.success(request, "同意の撤回を記録しました。この同意に基づく共有は直ちに停止されました。")
    return redirect("person_detail", person_id=consent.person_id)


@login_required
@personal_data("consent")
def consent_new(request, person_id: int):
    """本人同意の記録・変更: a later consent, or a wider or narrower one replacing the current one."""
    person, sight = access_person_by_id(request.user, person_id)
    if not may_record_consent(request.user, person):
        raise PermissionDenied("この方の同意を記録できるのは、相談支援の役割の職員です")
    current = None
    if request.GET.get("change") or request.POST.get("supersedes"):
        current = Consent.objects.filter(pk=request.GET.get("change") or request.POST.get("supersedes"),
                                         person=person).first()
        if current is None:
            raise Http404("同意の記録が見つかりません")
    form = ConsentForm(request.POST or None, user=request.user, consent=current)
    if request.method == "POST" and form.is_valid():
        try:
            record_consent(request.user, person=person, supersedes=current, request=request,
                           **form.service_kwargs())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "同意を変更しました。共有の範囲は直ちに新しい同意に従います。" if current
                             else "同意を記録しました。共有の範囲は直ちにこの同意に従います。")
            return redirect("person_detail", person_id=person.pk)
    access.audit_read("person.viewed", user=request.user, request=request, obj=person,
                      reads=[(person.pk, "person", person.pk, sight.audit())], detail={"page": "consent"})
    return render(request, "people/consent_form.html", {"person": person, "form": form, "current": current},
                  status=400 if form.errors else 200)


# ------------------------------------------------------------------------------------------------ 秘匿住所

def _release_context(user, person):
    """Grants a masked address could be released to: active G2 (referral) and G4 (team) of this person."""
    grants = list(Grant.objects.filter(person=person, kind__in=["G2", "G4"], ended_at__isnull=True)
                  .filter(access.active_q()).select_related("agency"))
    choices = [(f"{g.kind}:{g.referral_id or g.case_id}:{g.agency_id}", f"{g.agency.name}（{g.basis}）")
               for g in grants if not g.address]
    releases = list(AddressRelease.objects.filter(person=person).select_related("agency", "released_by")
                    .order_by("-released_at"))
    return {"form": AddressReleaseForm(choices=choices), "choices": choices, "releases": releases}


@login_required
@require_POST
@personal_data("person")
def address_release(request, person_id: int):
    person, _ = access_person_by_id(request.user, person_id)
    if not access.owns(request.user, person.recorded_by_agency_id):
        raise PermissionDenied("秘匿された住所を開示できるのは、本人を記録した機関だけです")
    ctx = _release_context(request.user, person)
    form = AddressReleaseForm(request.POST, choices=ctx["choices"])
    if form.is_valid():
        kind, ref, agency_id = form.cleaned_data["grant"].split(":")
        grant = Grant.objects.filter(person=person, kind=kind, agency_id=agency_id).first()
        try:
            release_address(request.user, person=person, kind=kind, agency=grant.agency,
                            referral_id=int(ref) if kind == "G2" else None, case_id=int(ref) if kind == "G4" else None,
                            reason=form.cleaned_data["reason"], request=request)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{grant.agency.name} に住所を開示しました。取り消すまで、この根拠に限って表示されます。")
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect("person_detail", person_id=person.pk)


@login_required
@require_POST
@personal_data("person")
def address_release_revoke(request, person_id: int, release_id: int):
    person, _ = access_person_by_id(request.user, person_id)
    release = AddressRelease.objects.filter(pk=release_id, person=person).first()
    if release is None:
        raise Http404("開示の記録が見つかりません")
    try:
        revoke_address_release(request.user, release, request=request)
        messages.success(request, "住所の開示を取り消しました。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("person_detail", person_id=person.pk)


# ------------------------------------------------------------------------------------------------ この方の記録を見た人

@login_required
@personal_data("person")
def access_report(request, person_id: int):
    """「この方の記録を見た人」: for the agency that recorded the person — who can see the record now and why,
    and who saw which record, when, on what basis (what a 開示請求 or a complaint needs)."""
    user = request.user
    person, sight = access_person_by_id(user, person_id)
    if not access.owns(user, person.recorded_by_agency_id):
        raise PermissionDenied("この画面は、本人を記録した機関だけが見られます")
    grants = list(Grant.objects.filter(person=person).select_related("agency", "staff", "staff__agency")
                  .order_by("-started_at", "-id")[:500])
    from tsunagu.casework.models import Case

    coordinated = list(Case.objects.filter(person=person).select_related("coordinating_agency"))
    reads = ReadRecord.objects.filter(municipality_id=user.municipality_id, person_id=person.pk).select_related(
        "event", "event__actor", "event__actor__agency").order_by("-event_id")
    page = Paginator(reads, 50).get_page(request.GET.get("page"))
    access.audit_read("person.access_report_viewed", user=user, request=request, obj=person,
                      reads=[(person.pk, "person", person.pk, sight.audit())])
    return render(request, "people/access_report.html", {
        "person": person, "grants": grants, "now": timezone.now(),
        "coordinated": coordinated, "page": page, "kinds": access.KINDS})
