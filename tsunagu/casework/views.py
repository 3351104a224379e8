from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tsunagu.core.concurrency import EditConflict, conflict_response
from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error, submit
from tsunagu.core.idempotency import once_per_form
from tsunagu.core.listing import ListSpec, export_rows, run_list
from tsunagu.directory.choices import agency_choices, staff_choices
from tsunagu.directory.names import approving_meetings
from tsunagu.intake.models import Consultation
from tsunagu.intake.policy import (
    access_consultation_by_id,
    access_referral_by_id,
    consultation_classes,
    referral_message_visible,
)
from tsunagu.intake.vocab import URGENCIES, issue_tags_for
from tsunagu.people.policy import household_members
from tsunagu.privacy import access
from tsunagu.privacy.decorators import personal_data

from . import exports, services
from .ecomap import ecomap_svg
from .forms import AssessmentForm, EvaluationForm, FollowUpForm, NoteForm, PlanForm, TeamForm
from .models import Case, FollowUp, PlanAction
from .policy import access_case_by_id, is_coordinator_of, is_team_member
from .today import today_for


def _require_casework(request):
    if not request.user.is_casework:
        raise PermissionDenied("事例を扱えるのは、相談支援の役割（窓口・推進員・多機関協働）の職員だけです")


def _case_rows(user, cases):
    found = access.sights(user, {c.person_id: c.person for c in cases}.values())
    rows = [(c, found[c.person_id].person(c.person)) for c in cases]
    for c in cases:
        found[c.person_id].classes("case", c.pk)
    reads = [(c.person_id, "case", c.pk, found[c.person_id].audit()) for c in cases]
    return rows, reads


def _case_spec(user) -> ListSpec:
    # 課題 and 緊急度 are the source consultation's: they filter only cases whose consultation the user sees.
    return ListSpec(
        date="opened_at", date_label="受付日", status=Case.STATUS_CHOICES, tag="consultation__issue_tags",
        urgency="consultation__urgency", agency="lead_agency_id", agency_label="主担当機関",
        worker="coordinator_id", worker_label="担当",
        guard=Q(consultation__in=Consultation.objects.visible_to(user).values("pk")),
        sorts={"id": ("番号", ["id"]), "title": ("事例", ["title"]), "status": ("状態", ["status"]),
               "lead_agency": ("主担当機関", ["lead_agency__sort_order"]),
               "coordinator": ("担当", ["coordinator__username"]), "opened_at": ("受付日", ["opened_at"])},
        default_sort="-opened_at")


def _case_choices(user) -> dict:
    return {"tag": [(t, t) for t in issue_tags_for(user.municipality)], "urgency": URGENCIES,
            "agency": agency_choices(user), "worker": staff_choices(user)}


def _cases_of(user):
    return Case.objects.visible_to(user).select_related("person", "lead_agency", "coordinator")


@login_required
@personal_data("list")
def case_list(request):
    _require_casework(request)
    user = request.user
    listing = run_list(request, _cases_of(user), _case_spec(user), choices=_case_choices(user))
    rows, reads = _case_rows(user, list(listing.page))
    access.audit_read("case.listed", user=user, request=request, reads=reads, detail=listing.filters)
    return render(request, "casework/case_list.html", {
        "page": listing.page, "rows": rows, "listing": listing,
        "export_links": [("支援ケース一覧（Excel）", reverse("case_list_export", args=["xlsx"])),
                         ("（PDF）", reverse("case_list_export", args=["pdf"]))]})


@login_required
@require_POST
@personal_data("referral")
def case_open(request, referral_id: int):
    referral, _ = access_referral_by_id(request.user, referral_id)
    try:
        case = services.open_case(request.user, referral=referral, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("referral_detail", referral_id=referral.pk)
    messages.success(request, "多機関協働の事例として受け付けました。支援チームを作り、情報を集めてください。")
    return redirect("case_detail", case_id=case.pk)


def _case_context(request, case, sight, **forms):
    user = request.user
    coordinator = is_coordinator_of(user, case)
    plans = list(case.plans.select_related("lead_agency").prefetch_related("actions__agency"))
    assessment = getattr(case, "assessment", None)
    source = case.consultation
    members, care = household_members(sight, case.household) if case.household_id else ([], False)
    ctx = {
        "case": case, "coordinator": coordinator, "team": case.team.select_related("agency", "consent"),
        "plans": plans, "active_plan": next((p for p in plans if p.status == "approved"), None),
        "draft_plan": next((p for p in plans if p.status in ("draft", "on_agenda", "sent_back")), None),
        "assessment": assessment,
        "ecomap": ecomap_svg(case.person.name, assessment.connections) if assessment else "",
        "notes": case.notes.select_related("agency", "author")[:100],
        "evaluations": case.evaluations.select_related("plan"),
        "items": case.agenda_items.select_related("meeting", "meeting__meeting_type"),
        "follow_ups": case.follow_ups.select_related("agency"),
        "pv": sight.person(case.person), "members": [m for m in members if m.person_id != case.person_id],
        "care": care,
        "source_visible": bool(source) and access.ID in consultation_classes(sight, source),
        "team_form": TeamForm(user=user), "note_form": NoteForm(initial={
            "occurred_at": timezone.localtime().replace(second=0, microsecond=0)}), "follow_up_form": FollowUpForm(),
        "is_team": is_team_member(user, case), "today": timezone.localdate(),
    }
    ctx.update(forms)
    return ctx


@login_required
@personal_data("case")
def case_detail(request, case_id: int):
    case, sight = access_case_by_id(request.user, case_id)
    ctx = _case_context(request, case, sight)
    access.audit_read("case.viewed", user=request.user, request=request, obj=case,
                      reads=[(case.person_id, "case", case.pk, sight.audit())])
    return render(request, "casework/case_detail.html", ctx)


def _post(request, case, sight, form, action, success, form_name):
    return submit(request, form, action, success=success,
                  on_success=lambda _: redirect("case_detail", case_id=case.pk),
                  on_error=lambda form: render(request, "casework/case_detail.html",
                                               _case_context(request, case, sight, **{form_name: form}), status=400))


@login_required
@require_POST
@personal_data("case")
def case_team_add(request, case_id: int):
    case, sight = access_case_by_id(request.user, case_id, for_update=True)
    form = TeamForm(request.POST, user=request.user)
    return _post(request, case, sight, form, lambda d: services.add_team_member(
        request.user, case, agency=d["agency"], role=d["role"], request=request), "支援チームに加えました。", "team_form")


@login_required
@require_POST
@personal_data("case")
@once_per_form
def case_note_add(request, case_id: int):
    case, sight = access_case_by_id(request.user, case_id)
    form = NoteForm(request.POST)
    return _post(request, case, sight, form, lambda d: services.add_progress_note(
        request.user, case, kind=d["kind"], occurred_at=d["occurred_at"], text=d["text"], request=request),
        "支援経過を記録しました。", "note_form")


@login_required
@require_POST
@personal_data("case")
def case_monitor(request, case_id: int):
    case, sight = access_case_by_id(request.user, case_id, for_update=True)
    try:
        services.start_monitoring(request.user, case, request=request)
        messages.success(request, "モニタリングに移りました。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("case_detail", case_id=case.pk)


@login_required
@require_POST
@personal_data("case")
def case_action_done(request, case_id: int, action_id: int):
    case, sight = access_case_by_id(request.user, case_id)
    action = PlanAction.objects.filter(pk=action_id, plan__case=case).first()
    if action is None:
        raise Http404("取組が見つかりません")
    try:
        services.complete_action(request.user, action, request=request)
        messages.success(request, "取組を完了にしました。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("case_detail", case_id=case.pk)


@login_required
@require_POST
@personal_data("case")
def case_follow_up_done(request, case_id: int, follow_up_id: int):
    case, sight = access_case_by_id(request.user, case_id)
    follow_up = FollowUp.objects.filter(pk=follow_up_id, case=case).first()
    if follow_up is None:
        raise Http404("見守りの予定が見つかりません")
    if follow_up.agency_id != request.user.agency_id:
        raise PermissionDenied("担当機関だけが見守りを記録できます")
    form = FollowUpForm(request.POST)
    return _post(request, case, sight, form, lambda d: services.record_follow_up(
        request.user, follow_up, note=d["note"], request=request), "見守りを記録しました。", "follow_up_form")


@login_required
@personal_data("case")
def case_assessment(request, case_id: int):
    case, sight = access_case_by_id(request.user, case_id, for_update=request.method == "POST")
    assessment = getattr(case, "assessment", None)
    form = AssessmentForm(request.POST or None, initial=AssessmentForm.initial_from(assessment))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_assessment(request.user, case, form.to_data(), request=request,
                                     reason=form.cleaned_data.get("reason") or "",
                                     edit_version=form.cleaned_data["edit_version"])
        except EditConflict as exc:
            return conflict_response(request, exc, title="アセスメント")
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "アセスメントを保存しました。")
            return redirect("case_detail", case_id=case.pk)
    access.audit_read("case.viewed", user=request.user, request=request, obj=case, detail={"page": "assessment"},
                      reads=[(case.person_id, "case", case.pk, sight.audit())])
    return render(request, "casework/assessment_form.html", {
        "case": case, "form": form, "can_edit": is_coordinator_of(request.user, case),
        "has_assessment": assessment is not None, "version": assessment.version if assessment else 0,
        "ecomap": ecomap_svg(case.person.name, assessment.connections) if assessment else ""},
        status=400 if form.errors else 200)


@login_required
@personal_data("case")
def case_plan_new(request, case_id: int):
    case, sight = access_case_by_id(request.user, case_id, for_update=True)
    latest = case.plans.order_by("-version").first()
    initial = {}
    if latest:
        initial = {"long_term_goal": latest.long_term_goal, "short_term_goals": latest.short_term_goals,
                   "lead_agency": latest.lead_agency_id, "refer_outreach": latest.refer_outreach,
                   "refer_participation": latest.refer_participation}
        for i, a in enumerate(latest.actions.all()[:6]):
            initial |= {f"action{i}_description": a.description, f"action{i}_agency": a.agency_id,
                        f"action{i}_person": a.person_in_charge, f"action{i}_due": a.due_date}
    form = PlanForm(request.POST or None, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if latest and latest.status == "sent_back":
                services.redraft_sent_back_plan(request.user, latest, request=request)
            services.draft_plan(request.user, case, long_term_goal=d["long_term_goal"],
                                short_term_goals=d["short_term_goals"], lead_agency=d["lead_agency"],
                                review_date=d["review_date"], actions=form.actions(),
                                refer_outreach=d["refer_outreach"], refer_participation=d["refer_participation"],
                                request=request)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"プラン案を作成しました。{approving_meetings(request.user.municipality)}で承認されると有効になります。")
            return redirect("case_detail", case_id=case.pk)
    return render(request, "casework/plan_form.html", {"case": case, "form": form, "latest": latest},
                  status=400 if form.errors else 200)


@login_required
@personal_data("case")
def case_evaluation_new(request, case_id: int):
    case, sight = access_case_by_id(request.user, case_id, for_update=True)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.draft_evaluation(request.user, case, goal_review=d["goal_review"], changes=d["changes"],
                                      remaining_issues=d["remaining_issues"], recommendation=d["recommendation"],
                                      follow_up=d["follow_up"], request=request)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"評価シートを作成しました。{approving_meetings(request.user.municipality)}で承認されると終結します。")
            return redirect("case_detail", case_id=case.pk)
    return render(request, "casework/evaluation_form.html", {"case": case, "form": form},
                  status=400 if form.errors else 200)


# --- exports ------------------------------------------------------------------------------------------------

def _send(request, sheet, fmt: str, filename: str, obj=None, reads=()):
    if fmt not in ("pdf", "xlsx"):
        raise Http404("出力形式は PDF か Excel です")
    kwargs = {"municipality_name": request.user.municipality.name, "printed_by": str(request.user)}
    if fmt == "pdf":
        data, content_type = exports.render_pdf(sheet, **kwargs), "application/pdf"
    else:
        data = exports.render_xlsx(sheet, **kwargs)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    access.audit_read(f"export.{fmt}", user=request.user, obj=obj, request=request, reads=reads,
                      detail={"form": sheet.title, "bytes": len(data)})
    response = HttpResponse(data, content_type=content_type)
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}.{fmt}"
    return response


@login_required
@personal_data("case")
def case_export(request, case_id: int, form: str, fmt: str):
    case, sight = access_case_by_id(request.user, case_id)
    if form == "assessment":
        assessment = getattr(case, "assessment", None)
        if assessment is None:
            raise Http404("アセスメントがまだありません")
        sheet = exports.assessment_sheet(case, assessment, household_members(sight, case.household)
                                         if case.household_id else ((), False))
    elif form == "plan":
        plan = case.active_plan() or case.plans.order_by("-version").first()
        if plan is None:
            raise Http404("プランがまだありません")
        sheet = exports.plan_sheet(case, plan)
    elif form == "notes":
        sheet = exports.notes_sheet(case, case.notes.select_related("agency", "author").order_by("occurred_at"))
    elif form == "evaluation":
        evaluation = case.evaluations.first()
        if evaluation is None:
            raise Http404("評価シートがまだありません")
        sheet = exports.evaluation_sheet(case, evaluation)
    else:
        raise Http404("この帳票はありません")
    return _send(request, sheet, fmt, f"{sheet.title}_{case.pk}", obj=case,
                 reads=[(case.person_id, "case", case.pk, sight.audit())])


@login_required
@personal_data("consultation")
def consultation_export(request, consultation_id: int, fmt: str):
    consultation, sight = access_consultation_by_id(request.user, consultation_id)
    classes = consultation_classes(sight, consultation)
    members, care = (household_members(sight, consultation.household) if consultation.household_id
                     else ([], False))
    referrals = consultation.referrals.select_related("to_agency").order_by("sent_at")
    if not access.owns(request.user, consultation.agency_id):  # the receiving side knows of its own つなぎ only
        referrals = referrals.filter(to_agency_id=request.user.agency_id)
    sheet = exports.consultation_sheet(consultation, sight.person(consultation.person), classes,
                                      [m for m in members if m.person_id != consultation.person_id], care,
                                      [(r, referral_message_visible(sight, r)) for r in referrals])
    return _send(request, sheet, fmt, f"相談受付票_{consultation.pk}", obj=consultation,
                 reads=[(consultation.person_id, "consultation", consultation.pk, sight.audit())])


@login_required
@personal_data("list")
def case_list_export(request, fmt: str):
    """支援ケース一覧 as filtered on the list (all pages, up to 5,000 cases)."""
    _require_casework(request)
    user = request.user
    cases, _, _ = export_rows(request, _cases_of(user), _case_spec(user), choices=_case_choices(user), limit=5000)
    rows, reads = _case_rows(user, cases)
    return _send(request, exports.case_list_sheet(rows), fmt, "支援ケース一覧", reads=reads)


@login_required
@personal_data("list")
def today(request):
    work = today_for(request.user)
    cases = {x.case for x in work.get("plans_due", []) + work.get("follow_ups", [])}
    cases |= {a.plan.case for a in work.get("overdue_actions", [])}
    rows, reads = _case_rows(request.user, list(cases)) if cases else ([], [])
    held = work.get("open_consultations", [])
    found = access.sights(request.user, {c.person_id: c.person for c in held}.values())
    open_rows = [(c, found[c.person_id].person(c.person)) for c in held]
    reads += [(c.person_id, "consultation", c.pk, found[c.person_id].audit()) for c, pv in open_rows if pv.visible]
    access.audit_read("today.viewed", user=request.user, request=request, reads=reads,
                      detail={k: len(v) for k, v in work.items() if isinstance(v, list)})
    return render(request, "casework/today.html", {"work": work, "open_rows": open_rows})

