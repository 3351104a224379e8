from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error, submit
from tsunagu.core.idempotency import once_per_form
from tsunagu.directory.lookup import responsible_agencies
from tsunagu.people.models import Person
from tsunagu.privacy.audit import log_action
from tsunagu.privacy.decorators import personal_data
from tsunagu.privacy.models import STATUTORY_BASES, Consent
from tsunagu.privacy.policy import (
    access_consultation_by_id,
    access_referral_by_id,
    can_see_consultation_sensitive,
    person_access,
)

from . import services
from .forms import AcceptForm, CloseForm, ConsultationForm, EscalateForm, ReferForm, ResendForm, ReturnForm
from .models import Consultation, Referral


def _require_agency(request):
    if not request.user.agency_id:
        raise PermissionDenied("相談を扱えるのは、所属機関のある職員だけです")


def referral_counts(user) -> dict:
    if not user.is_authenticated or not user.agency_id:
        return {}
    qs = Referral.objects.for_agency(user)
    return {
        "inbox_waiting": qs.filter(to_agency_id=user.agency_id, status=Referral.SENT).count(),
        "outbox_waiting": qs.filter(from_agency_id=user.agency_id, status=Referral.SENT).count(),
        "outbox_returned": qs.filter(from_agency_id=user.agency_id, status=Referral.RETURNED,
                                     resends__isnull=True).count(),
    }


@login_required
@personal_data("list")
def consultation_list(request):
    _require_agency(request)
    status = request.GET.get("status", "")
    qs = (Consultation.objects.visible_to(request.user).filter(agency_id=request.user.agency_id)
          .select_related("person", "received_by"))
    if status in dict(Consultation.STATUS_CHOICES):
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    log_action("consultation.listed", actor=request.user, request=request,
               detail={"status": status, "page": page.number, "ids": [c.pk for c in page]})
    return render(request, "intake/consultation_list.html", {
        "page": page, "status": status, "statuses": Consultation.STATUS_CHOICES,
        "counts": referral_counts(request.user),
    })


@login_required
@personal_data("form")
@once_per_form
def consultation_new(request):
    _require_agency(request)
    user = request.user
    form = ConsultationForm(request.POST or None, user=user)
    chosen = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = None
        if d.get("person_id"):
            person = Person.objects.visible_to(user).filter(pk=d["person_id"]).first()
            if person is None:
                form.add_error(None, "選んだ本人の記録が見つからないか、閲覧する権限がありません。")
        if not form.errors:
            try:
                with transaction.atomic():
                    consultation = services.record_consultation(
                        user, person=person, new_person=None if person else form.new_person(),
                        received_at=d["received_at"], channel=d["channel"], consulter_type=d["consulter_type"],
                        consulter_name=d["consulter_name"], chief_complaint=d["chief_complaint"],
                        issue_tags=d["issue_tags"], urgency=d["urgency"],
                        sensitive_categories=d["sensitive_categories"], sensitive_notes=d["sensitive_notes"],
                        household_members=form.household_members(), consent=form.consent(), request=request)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, f"相談を受け付けました（{consultation}）。対応方針を決めてください。")
                return redirect("consultation_detail", consultation_id=consultation.pk)
    chosen_id = str(form.data.get("person_id") or "") if form.is_bound else ""
    if chosen_id.isascii() and chosen_id.isdigit() and len(chosen_id) <= 18:  # as typed: the form may be invalid
        chosen = Person.objects.visible_to(user).filter(pk=int(chosen_id)).first()
    return render(request, "intake/consultation_form.html", {"form": form, "chosen": chosen})


def _detail_context(request, consultation, **forms):
    user = request.user
    own = consultation.agency_id == user.agency_id
    access = person_access(user, consultation.person)
    referrals = list(consultation.referrals.select_related("from_agency", "to_agency", "suggested_agency")
                     .order_by("sent_at")) if own else list(
        consultation.referrals.filter(to_agency_id=user.agency_id).select_related("from_agency", "to_agency"))
    suggestions = None
    if own and consultation.person.address and not consultation.is_closed:
        suggestions = responsible_agencies(user.municipality, consultation.person.address)
    active_consents = [c for c in Consent.objects.filter(person=consultation.person, withdrawn_at__isnull=True)
                       .prefetch_related("scope_agencies")] if access.full else []
    members = []
    if consultation.household_id and access.full:
        members = list(consultation.household.members.select_related("person").exclude(person=consultation.person))
    ctx = {
        "c": consultation, "own": own, "access": access, "referrals": referrals, "suggestions": suggestions,
        "sensitive": can_see_consultation_sensitive(user, consultation), "members": members,
        "active_consents": active_consents, "statutory_bases": STATUTORY_BASES,
        "refer_form": ReferForm(user=user), "escalate_form": EscalateForm(), "close_form": CloseForm(),
    }
    ctx.update(forms)
    return ctx


@login_required
@personal_data("consultation")
def consultation_detail(request, consultation_id: int):
    consultation = access_consultation_by_id(request.user, consultation_id)
    log_action("consultation.viewed", actor=request.user, obj=consultation, request=request)
    return render(request, "intake/consultation_detail.html", _detail_context(request, consultation))


def _act(request, consultation, form, action, success: str, form_name: str):
    """Run a service from a detail-page form; on a domain error show the page again with the input kept."""
    def failed(form):
        fresh = access_consultation_by_id(request.user, consultation.pk)
        return render(request, "intake/consultation_detail.html",
                      _detail_context(request, fresh, **{form_name: form}), status=400)

    return submit(request, form, action, success=success, on_success=lambda result: result, on_error=failed)


@login_required
@require_POST
@personal_data("consultation")
def consultation_refer(request, consultation_id: int):
    consultation = access_consultation_by_id(request.user, consultation_id, for_update=True)
    form = ReferForm(request.POST, user=request.user)
    result = _act(request, consultation, form, lambda d: services.refer_consultation(
        request.user, consultation, to_agency=d["to_agency"], message=d["message"],
        statutory_basis=d["statutory_basis"], request=request), "つなぎを送りました。", "refer_form")
    return redirect("referral_detail", referral_id=result.pk) if isinstance(result, Referral) else result


@login_required
@require_POST
@personal_data("consultation")
def consultation_escalate(request, consultation_id: int):
    consultation = access_consultation_by_id(request.user, consultation_id, for_update=True)
    form = EscalateForm(request.POST)
    result = _act(request, consultation, form, lambda d: services.escalate_to_multiagency(
        request.user, consultation, message=d["message"], statutory_basis=d["statutory_basis"], request=request),
        "多機関協働へ引き継ぎました。", "escalate_form")
    return redirect("referral_detail", referral_id=result.pk) if isinstance(result, Referral) else result


@login_required
@require_POST
@personal_data("consultation")
def consultation_handle(request, consultation_id: int):
    consultation = access_consultation_by_id(request.user, consultation_id, for_update=True)
    try:
        services.handle_in_house(request.user, consultation, request=request)
        messages.success(request, "自機関で対応することにしました。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("consultation_detail", consultation_id=consultation.pk)


@login_required
@require_POST
@personal_data("consultation")
def consultation_close(request, consultation_id: int):
    consultation = access_consultation_by_id(request.user, consultation_id, for_update=True)
    form = CloseForm(request.POST)
    result = _act(request, consultation, form, lambda d: services.close_consultation(
        request.user, consultation, outcome=d["outcome"], next_step=d["next_step"], request=request),
        "相談を終了しました。", "close_form")
    return redirect("consultation_detail", consultation_id=consultation.pk) if isinstance(result, Consultation) \
        else result


@login_required
@personal_data("list")
def referral_box(request, box: str):
    _require_agency(request)
    user = request.user
    qs = Referral.objects.for_agency(user).select_related("from_agency", "to_agency", "person", "consultation")
    qs = qs.filter(to_agency_id=user.agency_id) if box == "inbox" else qs.filter(from_agency_id=user.agency_id)
    status = request.GET.get("status", "")
    if status in dict(Referral.STATUS_CHOICES):
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    # Names in the inbox only while the policy still grants the person (a withdrawn consent hides them).
    visible_people = set(Person.objects.visible_to(user).filter(pk__in=[r.person_id for r in page])
                         .values_list("pk", flat=True))
    log_action("referral.listed", actor=user, request=request,
               detail={"box": box, "status": status, "ids": [r.pk for r in page]})
    return render(request, "intake/referral_box.html", {
        "page": page, "box": box, "status": status, "statuses": Referral.STATUS_CHOICES,
        "visible_people": visible_people, "counts": referral_counts(user),
    })


def _referral_context(request, referral, **forms):
    user = request.user
    consultation = Consultation.objects.visible_to(user).filter(pk=referral.consultation_id).select_related(
        "person", "agency").first()
    ctx = {
        "r": referral, "incoming": referral.to_agency_id == user.agency_id,
        "outgoing": referral.from_agency_id == user.agency_id, "c": consultation,
        "access": person_access(user, consultation.person) if consultation else None,
        "accept_form": AcceptForm(), "return_form": ReturnForm(user=user),
        "resend_form": ResendForm(user=user, initial={"to_agency": referral.suggested_agency_id}),
        "statutory_label": STATUTORY_BASES.get(referral.statutory_basis, ""),
        "chain": _chain(referral),
    }
    ctx.update(forms)
    return ctx


def _chain(referral):
    chain = [referral]
    while chain[0].previous_id:
        chain.insert(0, chain[0].previous)
    nxt = referral.resends.first()
    while nxt:
        chain.append(nxt)
        nxt = nxt.resends.first()
    return chain


@login_required
@personal_data("referral")
def referral_detail(request, referral_id: int):
    referral = access_referral_by_id(request.user, referral_id)
    log_action("referral.viewed", actor=request.user, obj=referral, request=request)
    return render(request, "intake/referral_detail.html", _referral_context(request, referral))


def _require_side(request, referral, side: str):
    agency_id = referral.to_agency_id if side == "to" else referral.from_agency_id
    if agency_id != request.user.agency_id:
        raise PermissionDenied("この操作は" + ("つなぎ先" if side == "to" else "つなぎ元") + "の機関だけが行えます")


def _referral_act(request, referral, form, action, success, form_name):
    return submit(request, form, action, success=success,
                  on_success=lambda result: redirect("referral_detail", referral_id=result.pk),
                  on_error=lambda form: render(request, "intake/referral_detail.html",
                                               _referral_context(request, referral, **{form_name: form}), status=400))


@login_required
@require_POST
@personal_data("referral")
def referral_accept(request, referral_id: int):
    referral = access_referral_by_id(request.user, referral_id)
    _require_side(request, referral, "to")
    return _referral_act(request, referral, AcceptForm(request.POST), lambda d: services.accept_referral(
        request.user, referral, note=d["note"], request=request), "つなぎを受理しました。", "accept_form")


@login_required
@require_POST
@personal_data("referral")
def referral_return(request, referral_id: int):
    referral = access_referral_by_id(request.user, referral_id)
    _require_side(request, referral, "to")
    form = ReturnForm(request.POST, user=request.user)
    return _referral_act(request, referral, form, lambda d: services.return_referral(
        request.user, referral, reason=d["reason"], suggested_agency=d["suggested_agency"], request=request),
        "理由と次のつなぎ先の提案を添えて差し戻しました。", "return_form")


@login_required
@require_POST
@personal_data("referral")
def referral_resend(request, referral_id: int):
    referral = access_referral_by_id(request.user, referral_id)
    _require_side(request, referral, "from")
    form = ResendForm(request.POST, user=request.user)
    return _referral_act(request, referral, form, lambda d: services.resend_referral(
        request.user, referral, to_agency=d["to_agency"], message=d["message"],
        statutory_basis=d["statutory_basis"], request=request), "つなぎを再送しました。", "resend_form")
