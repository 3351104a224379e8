from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tsunagu.core.concurrency import edit_version
from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error, submit
from tsunagu.core.idempotency import once_per_form
from tsunagu.directory.names import role_title
from tsunagu.people.models import Person
from tsunagu.privacy import access
from tsunagu.privacy.audit import log_action
from tsunagu.privacy.decorators import personal_data

from . import services
from .forms import (
    AdvanceForm,
    CheckInForm,
    GapForm,
    HostSupportForm,
    NeedsForm,
    ProposeForm,
    ResourceForm,
    ResourceSearchForm,
)
from .matching import suggest
from .models import CheckIn, NeedsSheet, Placement, Resource
from .policy import (
    access_participant_by_id,
    access_placement_by_id,
    access_resource_by_id,
    is_participation_staff,
    participation_person_q,
)


def _require_municipality(request):
    if not request.user.municipality_id:
        raise PermissionDenied("自治体に所属する職員だけが使えます")


@login_required
@personal_data("list")
def participation_home(request):
    """参加支援の一覧: placements in progress, follow-ups due, and persons with open cases to start from."""
    user = request.user
    if not user.agency_id:
        raise PermissionDenied("所属機関のある職員だけが使えます")
    staff = is_participation_staff(user)
    referred = Person.objects.filter(municipality_id=user.municipality_id).filter(participation_person_q(user))
    placements = list(Placement.objects.filter(municipality_id=user.municipality_id,
                                               status__in=Placement.OPEN_STATUSES, person__in=referred)
                      .select_related("person", "resource")[:200]) if staff else []
    due = list(CheckIn.objects.filter(placement__in=[p.pk for p in placements], done_on__isnull=True)
               .select_related("placement__person", "placement__resource")[:50]) if staff else []
    candidates = list(referred.order_by("kana_key", "id")[:100]) if staff else []
    found = access.sights(user, {p.pk: p for p in candidates + [pl.person for pl in placements]}.values())
    access.audit_read("participation.listed", user=user, request=request,
                      reads=[(pid, "participation", pid, s.audit()) for pid, s in found.items()
                             if s.classes("participation", pid)],
                      detail={"placements": [p.pk for p in placements]})
    return render(request, "participation/home.html", {
        "staff": staff, "placements": placements, "due": due, "candidates": candidates})


@login_required
def resource_list(request):
    """社会資源の検索（ニーズ・種類・地区・費用）. The catalog holds no personal data."""
    _require_municipality(request)
    form = ResourceSearchForm(request.GET or None, user=request.user)
    qs = Resource.objects.for_municipality(request.user.municipality).filter(active=True).select_related(
        "district", "place")
    resources = list(qs)
    if form.is_valid():
        d = form.cleaned_data
        if d["need"]:
            resources = [r for r in resources if d["need"] in r.needs]
        if d["kind"]:
            resources = [r for r in resources if r.kind == d["kind"]]
        if d["district"]:
            resources = [r for r in resources if r.district_id == d["district"].pk]
        if d["free"]:
            resources = [r for r in resources if r.cost == 0]
    can_add = is_participation_staff(request.user) or request.user.has_role_kind("community", "manager")
    return render(request, "participation/resource_list.html",
                  {"form": form, "resources": resources, "can_add": can_add})


@login_required
@once_per_form
def resource_new(request):
    _require_municipality(request)
    if not (is_participation_staff(request.user) or request.user.has_role_kind("community", "manager")):
        m = request.user.municipality
        raise PermissionDenied(f"社会資源を登録できるのは{role_title(m, 'participation')}・{role_title(m, 'community')}か"
                               f"{role_title(m, 'manager')}です")
    form = ResourceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.create_resource(request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "社会資源を登録しました。")
            return redirect("resource_detail", resource_id=resource.pk)
    return render(request, "participation/resource_form.html", {"form": form}, status=400 if form.errors else 200)


def _can_maintain_catalog(user) -> bool:
    return is_participation_staff(user) or user.has_role_kind("community", "manager")


@login_required
def resource_edit(request, resource_id: int):
    """社会資源の編集 (no personal data in the catalog); optimistic locking against a concurrent edit."""
    from tsunagu.core.concurrency import edit_version
    from tsunagu.core.forms import submit

    _require_municipality(request)
    resource = access_resource_by_id(request.user, resource_id)
    if not _can_maintain_catalog(request.user):
        raise PermissionDenied("社会資源を編集する権限がありません")
    initial = {f: getattr(resource, f) for f in services.RESOURCE_FIELDS}
    initial["edit_version"] = edit_version(resource, services.RESOURCE_FIELDS)
    form = ResourceForm(request.POST or None, user=request.user, initial=initial, editing=True)
    if request.method == "POST":
        response = submit(request, form, lambda d: services.update_resource(request.user, resource, request=request,
                                                                            **d),
                          success="社会資源を更新しました。",
                          on_success=lambda r: redirect("resource_detail", resource_id=r.pk), on_error=lambda f: None)
        if response is not None:
            return response
    return render(request, "participation/resource_form.html", {"form": form, "resource": resource},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def resource_accepting(request, resource_id: int):
    """受け入れ終了 / 再開 of a resource (POST accepting=0|1)."""
    _require_municipality(request)
    resource = access_resource_by_id(request.user, resource_id)
    if not _can_maintain_catalog(request.user):
        raise PermissionDenied("社会資源を変更する権限がありません")
    accepting = request.POST.get("accepting") == "1"
    try:
        services.set_resource_accepting(request.user, resource, accepting=accepting, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "受け入れを再開しました。" if accepting else "受け入れを終了しました（記録は残ります）。")
    return redirect("resource_detail", resource_id=resource.pk)


def _resource_context(request, resource, **forms):
    staff = is_participation_staff(request.user)
    supports = list(resource.host_supports.select_related("recorded_by", "placement")) if staff else []
    # A support about one participant is that person's participation record (G9); the rest is about the host.
    seen = access.sights(request.user, [s.placement.person for s in supports if s.placement_id]) if supports else {}
    supports = [s for s in supports if not s.placement_id or access.CONTENT in seen[s.placement.person_id].classes(
        "participation", s.placement.person_id)]
    ctx = {"r": resource, "staff": staff, "can_maintain": _can_maintain_catalog(request.user),
           "participants": resource.placements.filter(status__in=[Placement.STARTED, Placement.SETTLED]).count(),
           "supports": supports,
           "host_form": HostSupportForm(resource=resource) if staff else None}
    ctx.update(forms)
    return ctx


@login_required
@personal_data("resource")
def resource_detail(request, resource_id: int):
    """A resource; its 受け入れ先支援 records (free text about participants) only for participation staff."""
    resource = access_resource_by_id(request.user, resource_id)
    if is_participation_staff(request.user):
        log_action("participation.viewed", actor=request.user, obj=resource, request=request)
    return render(request, "participation/resource_detail.html", _resource_context(request, resource))


@login_required
@require_POST
@personal_data("resource")
def host_support_add(request, resource_id: int):
    resource = access_resource_by_id(request.user, resource_id)
    if not is_participation_staff(request.user):
        raise PermissionDenied(f"受け入れ先支援は{role_title(request.user.municipality, 'participation')}だけが記録できます")
    form = HostSupportForm(request.POST, resource=resource)
    if form.is_valid():
        try:
            services.record_host_support(request.user, resource, request=request, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "受け入れ先支援を記録しました。")
            return redirect("resource_detail", resource_id=resource.pk)
    return render(request, "participation/resource_detail.html",
                  _resource_context(request, resource, host_form=form), status=400)


def _person_context(request, person, **forms):
    user = request.user
    sheet = NeedsSheet.objects.filter(person=person).select_related("district").first()
    suggestions = suggest(sheet)
    initial = {}
    if sheet:
        initial = {f: getattr(sheet, f) for f in ("needs", "wishes", "strengths", "available_days", "max_cost",
                                                  "access_needs", "notes")}
        initial["district"] = sheet.district_id
    initial["edit_version"] = edit_version(sheet, services.NEEDS_FIELDS)
    placements = list(person.placements.select_related("resource").prefetch_related("checkins"))
    ctx = {"person": person, "sheet": sheet, "suggestions": suggestions,
           "any_fits": any(s.fits for s in suggestions), "placements": placements,
           "needs_form": NeedsForm(initial=initial, user=user), "propose_form": ProposeForm(user=user),
           "gap_form": GapForm(), "advance_form": AdvanceForm(), "checkin_form": CheckInForm()}
    ctx.update(forms)
    return ctx


@login_required
@personal_data("participation")
def participant(request, person_id: int):
    """ニーズシート・マッチング・参加の経過."""
    person, sight = access_participant_by_id(request.user, person_id)
    ctx = _person_context(request, person, pv=sight.person(person))
    access.audit_read("participation.viewed", user=request.user, request=request, obj=person,
                      reads=[(person.pk, "participation", person.pk, sight.audit())])
    if ctx["suggestions"]:
        log_action("participation.matched", actor=request.user, obj=person, request=request,
                   detail={"resources": [s.resource.pk for s in ctx["suggestions"]]})
    return render(request, "participation/participant.html", ctx)


def _person_post(request, person, form, action, success, form_name):
    return submit(request, form, action, success=success,
                  on_success=lambda _: redirect("participant", person_id=person.pk),
                  on_error=lambda form: render(request, "participation/participant.html",
                                               _person_context(request, person, **{form_name: form}), status=400))


@login_required
@require_POST
@personal_data("participation")
def needs_save(request, person_id: int):
    person, _ = access_participant_by_id(request.user, person_id)
    return _person_post(request, person, NeedsForm(request.POST, user=request.user), lambda d: services.save_needs_sheet(
        request.user, person, request=request, **d), "ニーズシートを保存しました。", "needs_form")


@login_required
@require_POST
@personal_data("participation")
def propose(request, person_id: int):
    person, _ = access_participant_by_id(request.user, person_id)
    return _person_post(request, person, ProposeForm(request.POST, user=request.user), lambda d: services.propose(
        request.user, person, d["resource"], reasons=d["reasons"], request=request),
        "社会資源を提案しました。", "propose_form")


@login_required
@require_POST
@personal_data("participation")
def gap_record(request, person_id: int):
    person, _ = access_participant_by_id(request.user, person_id)
    sheet = NeedsSheet.objects.filter(person=person).first()
    form = GapForm(request.POST)
    if sheet is None:
        form.is_valid()
        form.add_error(None, "先にニーズシートを保存してください。")
        return render(request, "participation/participant.html", _person_context(request, person, gap_form=form),
                      status=400)
    return _person_post(request, person, form, lambda d: services.record_unmet_need(
        request.user, sheet, title=d["title"], note=d["note"], request=request),
        "地域課題として記録しました（地区別の状況に表示されます）。", "gap_form")


@login_required
@require_POST
@personal_data("participation")
def placement_advance(request, placement_id: int):
    placement = access_placement_by_id(request.user, placement_id)
    return _person_post(request, placement.person, AdvanceForm(request.POST), lambda d: services.advance(
        request.user, placement, status=d["status"], on=d["on"], note=d["note"], request=request),
        "状態を更新しました。", "advance_form")


@login_required
@require_POST
@personal_data("participation")
def checkin_done(request, placement_id: int, checkin_id: int):
    placement = access_placement_by_id(request.user, placement_id)
    checkin = placement.checkins.filter(pk=checkin_id).first()
    if checkin is None:
        raise Http404("定着支援の予定が見つかりません")
    return _person_post(request, placement.person, CheckInForm(request.POST), lambda d: services.record_checkin(
        request.user, checkin, done_on=d["done_on"], note=d["note"], request=request),
        "定着支援を記録しました。", "checkin_form")
