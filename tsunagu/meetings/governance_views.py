"""Governance pages: city-wide meetings and their topics, the difficult-case list, the staff roster (with an
Excel export for agencies) and trainings. None shows personal data of residents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from tsunagu.casework import exports
from tsunagu.casework.views import _send
from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error
from tsunagu.core.wareki import fiscal_year_of, format_fiscal_year
from tsunagu.directory.models import MeetingType
from tsunagu.directory.names import role_title

from . import governance
from .governance_forms import DifficultCaseForm, RosterForm, TopicForm, TrainingForm
from .governance_models import DifficultCase, RosterEntry, Training
from .models import Meeting
from .policy import visible_meeting_q


def _require_staff(request):
    user = request.user
    if not user.municipality_id or user.municipality.is_prefecture or not user.agency_id:
        raise PermissionDenied("市町村の機関の職員だけが使えます")


def _fy(request) -> int:
    """?fy= as a fiscal year the roster can have (2000 … five years ahead); anything else is this year."""
    current = fiscal_year_of(timezone.localdate())
    try:
        year = int(request.GET.get("fy") or current)
    except ValueError:
        return current
    return year if 2000 <= year <= current + 5 else current


def _crud(request, form, action, success, target):
    """POST handling shared by the list pages: the service decides, errors land on the named field."""
    if request.method == "POST":
        if not governance.can_govern(request.user):
            m = request.user.municipality
            raise PermissionDenied(f"この操作は{role_title(m, 'coordinator')}か{role_title(m, 'manager')}だけが行えます")
        if form.is_valid():
            try:
                action(form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, success)
                return redirect(target)
    return None


@login_required
def governance_home(request):
    _require_staff(request)
    m = request.user.municipality
    types = list(MeetingType.objects.for_municipality(m).filter(active=True, consent_rule="none"))
    meetings = Meeting.objects.filter(municipality=m, meeting_type__in=types).select_related("meeting_type")[:100]
    return render(request, "meetings/governance_home.html", {
        "types": types, "meetings": meetings, "can_govern": governance.can_govern(request.user)})


@login_required
def governance_meeting(request, meeting_id: int):
    _require_staff(request)
    meeting = Meeting.objects.filter(pk=meeting_id, municipality_id=request.user.municipality_id,
                                     meeting_type__consent_rule="none").select_related("meeting_type").first()
    if meeting is None:
        raise Http404("全体会議等が見つかりません")
    form = TopicForm(request.POST or None)
    done = _crud(request, form, lambda d: governance.add_topic(request.user, meeting, request=request, **d),
                 "議題を追加しました。", request.path)
    if done:
        return done
    return render(request, "meetings/governance_meeting.html", {
        "meeting": meeting, "topics": meeting.topics.all(), "form": form,
        "can_govern": governance.can_govern(request.user),
        # The link to the meeting's own page (members, minutes) only for whom that page opens.
        "can_open_meeting": Meeting.objects.filter(visible_meeting_q(request.user), pk=meeting.pk).exists()}, status=400 if form.errors else 200)


@login_required
def difficult_case_list(request):
    _require_staff(request)
    form = DifficultCaseForm(request.POST or None, user=request.user,
                             initial={"fiscal_year": fiscal_year_of(timezone.localdate())})
    done = _crud(request, form, lambda d: governance.record_difficult_case(request.user, request=request, **d),
                 "困難事例を記録しました。", "difficult_case_list")
    if done:
        return done
    cases = DifficultCase.objects.for_municipality(request.user.municipality)
    return render(request, "meetings/difficult_cases.html", {
        "cases": cases, "form": form, "can_govern": governance.can_govern(request.user)},
        status=400 if form.errors else 200)


@login_required
def roster(request):
    _require_staff(request)
    fy = _fy(request)
    form = RosterForm(request.POST or None, user=request.user, initial={"fiscal_year": fy})
    done = _crud(request, form, lambda d: governance.add_roster_entry(request.user, request=request, **d),
                 "業務担当名簿に追加しました。", f"{request.path}?fy={form.data.get('fiscal_year', fy)}")
    if done:
        return done
    entries = RosterEntry.objects.for_municipality(request.user.municipality).filter(
        fiscal_year=fy).select_related("agency")
    return render(request, "meetings/roster.html", {
        "entries": entries, "form": form, "fy": fy, "fy_label": format_fiscal_year(fy),
        "can_govern": governance.can_govern(request.user)}, status=400 if form.errors else 200)


@login_required
def roster_export(request):
    """業務担当名簿 as Excel for the agencies (staff contacts only, no resident data)."""
    _require_staff(request)
    fy = _fy(request)
    entries = RosterEntry.objects.for_municipality(request.user.municipality).filter(
        fiscal_year=fy).select_related("agency")
    rows = [[e.agency.name, e.duty, e.staff_name, e.phone, e.note] for e in entries]
    sheet = exports.Sheet("業務担当名簿", format_fiscal_year(fy), [exports.Section("担当者", table=(
        ["機関・課", "担当業務", "担当者", "電話", "備考"], rows))], landscape=True)
    return _send(request, sheet, "xlsx", f"業務担当名簿_{format_fiscal_year(fy)}")


@login_required
def training_list(request):
    _require_staff(request)
    form = TrainingForm(request.POST or None)
    done = _crud(request, form, lambda d: governance.record_training(request.user, request=request, **d),
                 "研修を記録しました。", "training_list")
    if done:
        return done
    trainings = Training.objects.for_municipality(request.user.municipality)
    return render(request, "meetings/trainings.html", {
        "trainings": trainings, "form": form, "can_govern": governance.can_govern(request.user)},
        status=400 if form.errors else 200)
