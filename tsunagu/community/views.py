"""地域づくり pages: the district view, places with usage figures, 地域課題. Aggregates and places only —
no personal data (gap descriptions may quote a meeting's discussion, so only titles are shown)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tsunagu.core.concurrency import edit_version
from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error, submit
from tsunagu.core.wareki import fiscal_year_of
from tsunagu.directory.names import role_title
from tsunagu.meetings.models import ResourceGap

from . import services
from .districts import district_rows
from .forms import GapStatusForm, PlaceForm, RetireForm, UsageForm
from .models import Place


def _require_municipality(request):
    if not request.user.municipality_id or request.user.municipality.is_prefecture:
        raise PermissionDenied("市町村の職員だけが使えます")


@login_required
def district_view(request):
    _require_municipality(request)
    rows = district_rows(request.user.municipality, timezone.localdate())
    return render(request, "community/districts.html",
                  {"rows": rows, "fiscal_year": fiscal_year_of(timezone.localdate()),
                   "can_maintain": services.can_maintain_places(request.user)})


def _place(request, place_id: int) -> Place:
    _require_municipality(request)
    place = Place.objects.for_municipality(request.user.municipality).filter(pk=place_id).select_related(
        "district").first()
    if place is None:
        raise Http404("拠点が見つかりません")
    return place


def _require_places(request):
    _require_municipality(request)
    if not services.can_maintain_places(request.user):
        m = request.user.municipality
        raise PermissionDenied(f"拠点を登録・編集できるのは{role_title(m, 'community')}か{role_title(m, 'manager')}です")


@login_required
def place_new(request):
    """拠点の登録: kept across profile loads (the profile never overwrites or closes a place added here)."""
    _require_places(request)
    form = PlaceForm(request.POST or None, user=request.user, initial={"opened_on": timezone.localdate()})
    if request.method == "POST":
        response = submit(request, form, lambda d: services.create_place(
            request.user, request=request, **{k: v for k, v in d.items() if k != "edit_version"}),
            success="拠点を登録しました。", on_success=lambda p: redirect("place_detail", place_id=p.pk),
            on_error=lambda f: None)
        if response is not None:
            return response
    return render(request, "community/place_form.html", {"form": form, "place": None},
                  status=400 if form.errors else 200)


@login_required
def place_edit(request, place_id: int):
    place = _place(request, place_id)
    _require_places(request)
    initial = {f: getattr(place, f) for f in services.PLACE_FIELDS}
    initial["edit_version"] = edit_version(place, services.PLACE_FIELDS)
    form = PlaceForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        response = submit(request, form, lambda d: services.update_place(
            request.user, place, request=request, **d),
            success="拠点を更新しました。", on_success=lambda p: redirect("place_detail", place_id=p.pk),
            on_error=lambda f: None)
        if response is not None:
            return response
    return render(request, "community/place_form.html", {"form": form, "place": place},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def place_retire(request, place_id: int):
    place = _place(request, place_id)
    _require_places(request)
    form = RetireForm(request.POST)
    response = submit(request, form, lambda d: services.retire_place(request.user, place, request=request, **d),
                      success="拠点を廃止にしました（開設していた年度の実績には残ります）。",
                      on_success=lambda p: redirect("place_detail", place_id=place.pk), on_error=lambda f: None)
    if response is not None:
        return response
    for field, errors in form.errors.items():
        for e in errors:
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {e}")
    return redirect("place_detail", place_id=place.pk)


@login_required
def place_detail(request, place_id: int):
    _require_municipality(request)
    place = Place.objects.for_municipality(request.user.municipality).filter(pk=place_id).select_related(
        "district").first()
    if place is None:
        raise Http404("拠点が見つかりません")
    form = UsageForm(request.POST or None)
    if request.method == "POST":
        if not services.can_edit(request.user):
            m = request.user.municipality
            raise PermissionDenied(f"利用実績を記録できるのは{role_title(m, 'community')}等か{role_title(m, 'manager')}です")
        if form.is_valid():
            try:
                services.record_usage(request.user, place, request=request, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, "利用実績を記録しました。")
                return redirect("place_detail", place_id=place.pk)
    return render(request, "community/place_detail.html", {
        "place": place, "usage": place.usage.all(), "form": form, "can_edit": services.can_edit(request.user),
        "resources": place.resources.filter(active=True), "can_maintain": services.can_maintain_places(request.user),
        "retire_form": RetireForm(initial={"closed_on": timezone.localdate()})}, status=400 if form.errors else 200)


@login_required
def gap_list(request):
    _require_municipality(request)
    gaps = ResourceGap.objects.for_municipality(request.user.municipality).select_related("district")
    labels = dict(ResourceGap.STATUS_CHOICES)
    rows = []
    for gap in gaps:
        i = services.GAP_ORDER.index(gap.status)
        nxt = services.GAP_ORDER[i + 1] if i + 1 < len(services.GAP_ORDER) else ""
        rows.append((gap, nxt, labels.get(nxt, "")))
    return render(request, "community/gaps.html", {"rows": rows, "can_edit": services.can_edit(request.user)})


@login_required
@require_POST
def gap_status(request, gap_id: int):
    _require_municipality(request)
    gap = ResourceGap.objects.for_municipality(request.user.municipality).filter(pk=gap_id).first()
    if gap is None:
        raise Http404("地域課題が見つかりません")
    form = GapStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "状態を選んでください。")
        return redirect("gap_list")
    try:
        services.change_gap_status(request.user, gap, status=form.cleaned_data["status"], request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"「{gap.title}」を{dict(ResourceGap.STATUS_CHOICES)[form.cleaned_data['status']]}にしました。")
    return redirect("gap_list")
