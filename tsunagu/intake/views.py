from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error, submit
from tsunagu.core.idempotency import once_per_form
from tsunagu.core.listing import export_rows, run_list
from tsunagu.core.wareki import format_wareki
from tsunagu.directory.lookup import responsible_agencies
from tsunagu.people.models import Person
from tsunagu.people.policy import household_members
from tsunagu.privacy import access
from tsunagu.privacy.decorators import personal_data
from tsunagu.privacy.models import STATUTORY_BASES, Consent

from . import lists, services
from .forms import (
    AcceptForm,
    CloseForm,
    ConsultationForm,
    ConsultationNoteForm,
    EscalateForm,
    ReferForm,
    ResendForm,
    ReturnForm,
    responsible_agency,
)
from .models import Consultation, ConsultationNote, Referral
from .policy import (
    access_consultation_by_id,
    access_referral_by_id,
    consultation_classes,
    referral_message_visible,
    referrals_of,
)


def _require_agency(request):
    if not request.user.is_casework:
        raise PermissionDenied("相談を扱えるのは、相談支援の役割（窓口担当・推進員・多機関協働）の職員だけです")


def referral_counts(user) -> dict:
    """The inbox/outbox badges: one query, once per request (the menu and the list pages share it; the user
    object lives as long as the request)."""
    if not getattr(user, "is_casework", False):
        return {}
    cached = getattr(user, "_referral_counts", None)
    if cached is not None:
        return cached
    mine_to, mine_from = Q(to_agency_id=user.agency_id), Q(from_agency_id=user.agency_id)
    counts = referrals_of(user).filter(mine_to | mine_from).aggregate(
        inbox_waiting=Count("pk", distinct=True, filter=mine_to & Q(status=Referral.SENT)),
        outbox_waiting=Count("pk", distinct=True, filter=mine_from & Q(status=Referral.SENT)),
        outbox_returned=Count("pk", distinct=True, filter=mine_from & Q(status=Referral.RETURNED,
                                                                         resends__isnull=True)),
    )
    user._referral_counts = counts
    return counts


@login_required
@personal_data("list")
def consultation_list(request):
    _require_agency(request)
    choices, districts = lists.consultation_choices(request.user)
    listing = run_list(request, lists.consultations_of(request.user), lists.consultation_spec(), choices=choices,
                       districts=districts)
    page = listing.page
    found = access.sights(request.user, [c.person for c in page])
    rows = [(c, found[c.person_id].person(c.person)) for c in page]
    access.audit_read("consultation.listed", user=request.user, request=request,
                      reads=[(c.person_id, "consultation", c.pk, found[c.person_id].audit()) for c, pv in rows
                             if pv.visible], detail=listing.filters)
    return render(request, "intake/consultation_list.html", {
        "page": page, "rows": rows, "listing": listing, "counts": referral_counts(request.user),
        "export_links": [("相談台帳（CSV）", reverse("consultation_list_export", args=["csv"])),
                         ("相談台帳（Excel）", reverse("consultation_list_export", args=["xlsx"]))],
    })


@login_required
@personal_data("list")
def consultation_list_export(request, fmt: str):
    """相談台帳: the rows of the list as filtered (all pages, up to EXPORT_LIMIT), as CSV or xlsx."""
    _require_agency(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404("出力形式は CSV か Excel です")
    user = request.user
    choices, districts = lists.consultation_choices(user)
    found_rows, filters, more = export_rows(request, lists.consultations_of(user), lists.consultation_spec(),
                                             choices=choices, districts=districts)
    found = access.sights(user, {c.person_id: c.person for c in found_rows}.values())
    rows = [(c, found[c.person_id].person(c.person)) for c in found_rows]
    cells = lists.ledger_rows(rows)
    if fmt == "csv":
        data, content_type = lists.ledger_csv(cells), "text/csv; charset=utf-8"
    else:
        subtitle = (f"{user.agency.name}　{len(cells)} 件{'（条件に合う記録はさらにあります。期間を絞ってください）' if more else ''}"
                    f"　出力: {format_wareki(timezone.localdate())}（{user}）")
        data = lists.ledger_xlsx(cells, title=f"{user.municipality.name} 相談台帳", subtitle=subtitle)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    access.audit_read(f"export.{fmt}", user=user, request=request,
                      reads=[(c.person_id, "consultation", c.pk, found[c.person_id].audit()) for c, pv in rows
                             if pv.visible],
                      detail={"form": "相談台帳", "rows": len(cells), "truncated": more, **filters})
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('相談台帳')}.{fmt}"
    return response


@login_required
@personal_data("form")
@once_per_form
def consultation_new(request):
    _require_agency(request)
    user = request.user
    if request.method == "GET" and request.htmx and request.GET.get("part") == "refer":
        # The echo of the 対応 section: the つなぎ先 follows the address (and the issue tags) as they are typed.
        agency = responsible_agency(user, request.GET.get("address", ""), request.GET.getlist("issue_tags"))
        form = ConsultationForm(user=user, initial={"to_agency": agency})
        return render(request, "intake/_refer_agency.html", {"form": form})
    form = ConsultationForm(request.POST or None, user=user)
    chosen = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = None
        if d.get("person_id"):
            person = Person.objects.visible_to(user).filter(pk=d["person_id"]).first()
            if person is None:
                form.add_error(None, "選んだ本人の記録が見つからないか、閲覧する権限がありません。")
        new_person = None
        if person is None or person.recorded_by_agency_id != user.agency_id:
            # Another agency's record: this window makes its own from what it was told (invariant 1); the name
            # and reading (ID, which it sees) are kept when the worker left them blank.
            new_person = form.new_person()
            if person is not None:
                new_person["name"] = new_person.get("name") or person.name
                new_person["kana"] = new_person.get("kana") or person.kana
        if not form.errors:
            try:
                with transaction.atomic():
                    consultation = services.record_consultation(
                        user, person=person, new_person=new_person,
                        received_at=d["received_at"], channel=d["channel"], consulter_type=d["consulter_type"],
                        consulter_name=d["consulter_name"], chief_complaint=d["chief_complaint"],
                        detail=d["detail"],
                        issue_tags=d["issue_tags"], urgency=d["urgency"],
                        sensitive_categories=d["sensitive_categories"], sensitive_notes=d["sensitive_notes"],
                        household_members=form.household_members(), consent=form.consent(), request=request)
                    referral = form.referral()
                    if referral:
                        services.refer_consultation(user, consultation, **referral, request=request)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                if referral:
                    messages.success(request, f"相談を受け付け、{referral['to_agency'].name}へつなぎました（{consultation}）。")
                else:
                    messages.success(request, f"相談を受け付けました（{consultation}）。対応方針を決めてください。")
                return redirect("consultation_detail", consultation_id=consultation.pk)
    chosen_id = str(form.data.get("person_id") or "") if form.is_bound else ""
    if chosen_id.isascii() and chosen_id.isdigit() and len(chosen_id) <= 18:  # as typed: the form may be invalid
        chosen = Person.objects.visible_to(user).filter(pk=int(chosen_id)).first()
    return render(request, "intake/consultation_form.html", {"form": form, "chosen": chosen})


NOTES_SHOWN = 50


def _detail_context(request, consultation, sight, **forms):
    user = request.user
    own = access.owns(user, consultation.agency_id)
    classes = consultation_classes(sight, consultation)
    pv = sight.person(consultation.person)
    referrals = list(consultation.referrals.select_related("from_agency", "to_agency", "suggested_agency")
                     .order_by("sent_at")) if own else list(
        consultation.referrals.filter(to_agency_id=user.agency_id).select_related("from_agency", "to_agency"))
    suggestions = None
    if own and consultation.person.address and not consultation.is_closed:
        suggestions = responsible_agencies(user.municipality, consultation.person.address)
    active_consents = [c for c in Consent.objects.filter(person=consultation.person, withdrawn_at__isnull=True,
                                                         superseded_at__isnull=True)
                       .prefetch_related("scope_agencies", "scope_staff")] if pv.basic else []
    members, care = household_members(sight, consultation.household) if consultation.household_id else ([], False)
    content = access.CONTENT in classes
    notes = consultation.notes.select_related("author") if content else consultation.notes.none()
    ctx = {
        "notes": list(notes[:NOTES_SHOWN]), "notes_total": notes.count() if content else 0,
        "note_form": ConsultationNoteForm(initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}),
        "c": consultation, "own": own, "pv": pv, "referrals": referrals, "suggestions": suggestions,
        "content": access.CONTENT in classes, "sensitive": access.SENSITIVE in classes,
        "members": [m for m in members if m.person_id != consultation.person_id], "care": care,
        "active_consents": active_consents, "statutory_bases": STATUTORY_BASES,
        "refer_form": ReferForm(user=user), "escalate_form": EscalateForm(), "close_form": CloseForm(),
    }
    ctx.update(forms)
    return ctx


@login_required
@personal_data("consultation")
def consultation_detail(request, consultation_id: int):
    consultation, sight = access_consultation_by_id(request.user, consultation_id)
    ctx = _detail_context(request, consultation, sight)
    access.audit_read("consultation.viewed", user=request.user, request=request, obj=consultation,
                      reads=[(consultation.person_id, "consultation", consultation.pk, sight.audit())])
    return render(request, "intake/consultation_detail.html", ctx)


def _act(request, consultation, form, action, success: str, form_name: str):
    """Run a service from a detail-page form; on a domain error show the page again with the input kept."""
    def failed(form):
        fresh, sight = access_consultation_by_id(request.user, consultation.pk)
        return render(request, "intake/consultation_detail.html",
                      _detail_context(request, fresh, sight, **{form_name: form}), status=400)

    return submit(request, form, action, success=success, on_success=lambda result: result, on_error=failed)


@login_required
@require_POST
@personal_data("consultation")
def consultation_refer(request, consultation_id: int):
    consultation, _ = access_consultation_by_id(request.user, consultation_id, for_update=True)
    form = ReferForm(request.POST, user=request.user)
    result = _act(request, consultation, form, lambda d: services.refer_consultation(
        request.user, consultation, to_agency=d["to_agency"], message=d["message"],
        statutory_basis=d["statutory_basis"], request=request), "つなぎを送りました。", "refer_form")
    return redirect("referral_detail", referral_id=result.pk) if isinstance(result, Referral) else result


@login_required
@require_POST
@personal_data("consultation")
def consultation_escalate(request, consultation_id: int):
    consultation, _ = access_consultation_by_id(request.user, consultation_id, for_update=True)
    form = EscalateForm(request.POST)
    result = _act(request, consultation, form, lambda d: services.escalate_to_multiagency(
        request.user, consultation, message=d["message"], statutory_basis=d["statutory_basis"], request=request),
        "多機関協働へ引き継ぎました。", "escalate_form")
    return redirect("referral_detail", referral_id=result.pk) if isinstance(result, Referral) else result


@login_required
@require_POST
@personal_data("consultation")
def consultation_note_add(request, consultation_id: int):
    """支援経過 on the agency's own consultation (the first window's, or the receiver's record of a referral)."""
    consultation, _ = access_consultation_by_id(request.user, consultation_id, for_update=True)
    form = ConsultationNoteForm(request.POST)
    result = _act(request, consultation, form, lambda d: services.add_consultation_note(
        request.user, consultation, kind=d["kind"], occurred_at=d["occurred_at"], text=d["text"], request=request),
        "支援経過を記録しました。", "note_form")
    return redirect("consultation_detail", consultation_id=consultation.pk) if isinstance(result, ConsultationNote) \
        else result


@login_required
@require_POST
@personal_data("consultation")
def consultation_handle(request, consultation_id: int):
    consultation, _ = access_consultation_by_id(request.user, consultation_id, for_update=True)
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
    consultation, _ = access_consultation_by_id(request.user, consultation_id, for_update=True)
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
    qs = referrals_of(user).select_related("from_agency", "to_agency", "person", "consultation")
    qs = qs.filter(to_agency_id=user.agency_id) if box == "inbox" else qs.filter(from_agency_id=user.agency_id)
    listing = run_list(request, qs, lists.referral_spec(user, box), choices=lists.referral_choices(user, box))
    page = listing.page
    # A name only while a grant still shows the person (a returned referral or a withdrawn consent hides it).
    found = access.sights(user, {r.person_id: r.person for r in page}.values())
    rows = [(r, found[r.person_id].person(r.person)) for r in page]
    access.audit_read("referral.listed", user=user, request=request,
                      reads=[(r.person_id, "referral", r.pk, found[r.person_id].audit()) for r, pv in rows if pv.visible],
                      detail={"box": box, **listing.filters})
    return render(request, "intake/referral_box.html", {
        "page": page, "rows": rows, "box": box, "listing": listing, "counts": referral_counts(user),
    })


def _referral_context(request, referral, sight, **forms):
    user = request.user
    consultation = referral.consultation
    classes = consultation_classes(sight, consultation)
    outgoing = access.owns(user, referral.from_agency_id)
    ctx = {
        "r": referral, "incoming": referral.to_agency_id == user.agency_id, "outgoing": outgoing,
        "taken_on": (Consultation.objects.filter(source_referral=referral, agency_id=user.agency_id).first()
                     if referral.to_agency_id == user.agency_id and user.is_casework else None),
        "c": consultation if access.ID in classes else None, "content": access.CONTENT in classes,
        "pv": sight.person(consultation.person), "message": referral_message_visible(sight, referral),
        "accept_form": AcceptForm(), "return_form": ReturnForm(user=user),
        "resend_form": ResendForm(user=user, initial={"to_agency": referral.suggested_agency_id}),
        "statutory_label": STATUTORY_BASES.get(referral.statutory_basis, ""),
        # Where the person was sent before and after is the sending agency's record, not the receiver's.
        "chain": _chain(referral) if outgoing else [referral],
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
    referral, sight = access_referral_by_id(request.user, referral_id)
    ctx = _referral_context(request, referral, sight)
    access.audit_read("referral.viewed", user=request.user, request=request, obj=referral,
                      reads=[(referral.person_id, "referral", referral.pk, sight.audit())] if ctx["pv"].visible else [])
    return render(request, "intake/referral_detail.html", ctx)


def _require_side(request, referral, side: str):
    agency_id = referral.to_agency_id if side == "to" else referral.from_agency_id
    if agency_id != request.user.agency_id:
        raise PermissionDenied("この操作は" + ("つなぎ先" if side == "to" else "つなぎ元") + "の機関だけが行えます")


def _referral_act(request, referral, sight, form, action, success, form_name):
    return submit(request, form, action, success=success,
                  on_success=lambda result: redirect("referral_detail", referral_id=result.pk),
                  on_error=lambda form: render(request, "intake/referral_detail.html",
                                               _referral_context(request, referral, sight, **{form_name: form}),
                                               status=400))


@login_required
@require_POST
@personal_data("referral")
def referral_accept(request, referral_id: int):
    referral, sight = access_referral_by_id(request.user, referral_id)
    _require_side(request, referral, "to")
    def accept(d):
        accepted = services.accept_referral(request.user, referral, note=d["note"], request=request)
        return getattr(accepted, "taken_on", None) or accepted

    return submit(request, AcceptForm(request.POST), accept,
                  success="つなぎを受理しました。この機関の相談として支援経過を記録できます。",
                  on_success=lambda result: redirect("consultation_detail", consultation_id=result.pk)
                  if isinstance(result, Consultation) else redirect("referral_detail", referral_id=result.pk),
                  on_error=lambda form: render(request, "intake/referral_detail.html",
                                               _referral_context(request, referral, sight, accept_form=form),
                                               status=400))


@login_required
@require_POST
@personal_data("referral")
def referral_return(request, referral_id: int):
    referral, sight = access_referral_by_id(request.user, referral_id)
    _require_side(request, referral, "to")
    form = ReturnForm(request.POST, user=request.user)
    return _referral_act(request, referral, sight, form, lambda d: services.return_referral(
        request.user, referral, reason=d["reason"], suggested_agency=d["suggested_agency"], request=request),
        "理由と次のつなぎ先の提案を添えて差し戻しました。", "return_form")


@login_required
@require_POST
@personal_data("referral")
def referral_resend(request, referral_id: int):
    referral, sight = access_referral_by_id(request.user, referral_id)
    _require_side(request, referral, "from")
    form = ResendForm(request.POST, user=request.user)
    return _referral_act(request, referral, sight, form, lambda d: services.resend_referral(
        request.user, referral, to_agency=d["to_agency"], message=d["message"],
        statutory_basis=d["statutory_basis"], request=request), "つなぎを再送しました。", "resend_form")
