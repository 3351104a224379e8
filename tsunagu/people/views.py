from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error
from tsunagu.intake.forms import SearchForm, WithdrawConsentForm
from tsunagu.intake.models import Consultation, Referral
from tsunagu.privacy.audit import log_action
from tsunagu.privacy.decorators import personal_data
from tsunagu.privacy.models import Consent, Disclosure
from tsunagu.privacy.policy import access_consent_by_id, access_person_by_id, person_access
from tsunagu.privacy.services import withdraw_consent

from .search import search_persons


@login_required
@personal_data("search")
def person_search(request):
    if not request.user.agency_id:
        raise PermissionDenied("本人の検索は、所属機関のある職員だけが行えます")
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid():
        results = list(search_persons(request.user, form.cleaned_data["q"]))
        log_action("person.searched", actor=request.user, request=request,
                   detail={"q": form.cleaned_data["q"], "results": len(results)})
    picking = request.GET.get("pick") == "1"
    template = "people/_search_results.html" if request.htmx else "people/search.html"
    return render(request, template, {"form": form, "results": results, "picking": picking})


def _timeline(user, person):
    consultations = list(Consultation.objects.visible_to(user).filter(person=person)
                         .select_related("agency").order_by("-received_at"))
    referrals = list(Referral.objects.for_agency(user).filter(person=person)
                     .select_related("from_agency", "to_agency").order_by("-sent_at"))
    items = [("consultation", c.received_at, c) for c in consultations]
    items += [("referral", r.sent_at, r) for r in referrals]
    return sorted(items, key=lambda x: x[1], reverse=True)


@login_required
@personal_data("person")
def person_detail(request, person_id: int):
    person = access_person_by_id(request.user, person_id)
    access = person_access(request.user, person)
    log_action("person.viewed", actor=request.user, obj=person, request=request,
               detail={"full": access.full, "sensitive": access.sensitive})
    households = [m.household for m in person.memberships.select_related("household")]
    members = []
    if access.full:
        for h in households:
            members.extend(h.members.select_related("person").exclude(person=person))
    consents = list(Consent.objects.filter(person=person).select_related("recording_agency")
                    .prefetch_related("scope_agencies")) if access.full else []
    disclosures = list(Disclosure.objects.filter(person=person).filter(from_agency_id=request.user.agency_id)
                       .select_related("to_agency")) if access.own_agency else []
    return render(request, "people/person_detail.html", {
        "person": person, "access": access, "timeline": _timeline(request.user, person), "members": members,
        "consents": consents, "disclosures": disclosures, "withdraw_form": WithdrawConsentForm(),
    })


@login_required
@require_POST
@personal_data("consent")
def consent_withdraw(request, consent_id: int):
    consent = access_consent_by_id(request.user, consent_id)
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
