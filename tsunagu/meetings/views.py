from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tsunagu.casework.models import Case
from tsunagu.core.concurrency import edit_version
from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error, submit
from tsunagu.core.idempotency import once_per_form
from tsunagu.core.listing import ListSpec, run_list
from tsunagu.directory.choices import agency_choices
from tsunagu.directory.models import MeetingType
from tsunagu.directory.names import role_title
from tsunagu.outreach.models import TargetAgendaItem
from tsunagu.privacy import access
from tsunagu.privacy.audit import log_action
from tsunagu.privacy.decorators import personal_data

from . import services
from .forms import DecisionForm, HeldForm, ItemForm, ItemMinutesForm, MeetingForm, MemberForm, MinutesForm
from .models import AgendaItem, Meeting, MeetingMember
from .policy import access_meeting_by_id, is_organiser, meeting_minutes_visible, visible_meeting_q


@login_required
@personal_data("list")
def meeting_list(request):
    user = request.user
    spec = ListSpec(
        date="scheduled_at", date_label="開催日", status=Meeting.STATUS_CHOICES, kind="meeting_type_id",
        kind_label="会議の種類", agency="convened_by__agency_id", agency_label="招集機関",
        sorts={"scheduled_at": ("開催日時", ["scheduled_at"]), "title": ("会議", ["title"]),
               "meeting_type": ("種類", ["meeting_type__sort_order"]), "status": ("状態", ["status"])},
        default_sort="-scheduled_at")
    types = MeetingType.objects.filter(municipality_id=user.municipality_id).only("pk", "name", "sort_order")
    listing = run_list(request, Meeting.objects.filter(visible_meeting_q(user))
                       .select_related("meeting_type", "convened_by"), spec,
                       choices={"kind": [(t.pk, t.name) for t in types], "agency": agency_choices(user)})
    log_action("meeting.listed", actor=user, request=request, detail=listing.filters)
    return render(request, "meetings/meeting_list.html", {
        "page": listing.page, "meetings": listing.page, "listing": listing,
        "can_schedule": services.may_schedule(user)})


@login_required
@personal_data("form")
@once_per_form
def meeting_new(request):
    if not services.may_schedule(request.user):
        m = request.user.municipality
        raise PermissionDenied(f"会議を登録できるのは{role_title(m, 'coordinator')}か{role_title(m, 'manager')}です")
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.schedule_meeting(request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "会議を登録しました。構成員と議題を加えてください。")
            return redirect("meeting_detail", meeting_id=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form}, status=400 if form.errors else 200)


def _items(user, meeting, organiser):
    """(item, classes, person view or None, target or None) per agenda item, with the sights for the audit."""
    items = list(meeting.items.select_related("case", "person", "plan", "plan__lead_agency", "evaluation", "consent"))
    links = {link.item_id: link.target for link in TargetAgendaItem.objects.filter(item__meeting=meeting)
             .select_related("target")}
    person_sights = access.sights(user, {i.person_id: i.person for i in items if i.person_id}.values())
    target_sights = {t.pk: access.target_sight(user, t) for t in links.values()}
    rows = []
    for item in items:
        target = links.get(item.pk)
        if item.person_id:
            sight = person_sights[item.person_id]
            classes = sight.classes("item", item.pk)
            pv = sight.person(item.person)
        elif target is not None:
            sight = target_sights[target.pk]
            classes = sight.classes("item", item.pk)
            pv = None
            target.label_visible = access.ID in sight.classes("target", target.pk)
        else:
            classes, pv = access.ALL, None  # 社会資源の検討 without a person: no personal data
        if organiser and not classes:
            classes = access.ALL  # the convener's own agenda (computed like G5)
        rows.append((item, classes, pv, target))
    reads = [(pid, "item", None, s.audit()) for pid, s in person_sights.items() if s.used]
    return rows, reads


RECENT_CASES = 20  # suggested under the case number box


def _open_cases(user):
    """The open cases the organiser's agency coordinates (the ones it may put on an agenda), newest first."""
    return Case.objects.visible_to(user).filter(coordinating_agency_id=user.agency_id,
                                                status__in=Case.OPEN_STATUSES).order_by("-opened_at", "-id")


def _context(request, meeting, **forms):
    user = request.user
    organiser = is_organiser(user, meeting)
    me = meeting.members.filter(staff=user).first()
    cases = _open_cases(user)[:RECENT_CASES] if organiser and meeting.status == Meeting.SCHEDULED else []
    rows, reads = _items(user, meeting, organiser)
    members = list(meeting.members.select_related("staff", "agency"))
    ctx = {
        "meeting": meeting, "organiser": organiser, "me": me, "reads": reads,
        "members": members, "held_form": HeldForm(members=members, auto_id="id_held_%s"), "item_minutes_form": ItemMinutesForm(),
        "items": [(item, access.CONTENT in classes, pv, target) for item, classes, pv, target in rows],
        "minutes_visible": meeting_minutes_visible(user, meeting, me),
        "member_form": MemberForm(user=user), "item_form": ItemForm(recent_cases=cases),
        "decision_form": DecisionForm(auto_id=False), "minutes_form": MinutesForm(initial={
            "minutes": meeting.minutes, "edit_version": edit_version(meeting, services.MINUTES_FIELDS)}),
    }
    ctx.update(forms)
    return ctx


@login_required
@personal_data("meeting")
def meeting_detail(request, meeting_id: int):
    meeting = access_meeting_by_id(request.user, meeting_id)
    ctx = _context(request, meeting)
    access.audit_read("meeting.viewed", user=request.user, obj=meeting, request=request, reads=ctx["reads"])
    return render(request, "meetings/meeting_detail.html", ctx)


def _post(request, meeting, form, action, success, form_name):
    return submit(request, form, action, success=success,
                  on_success=lambda _: redirect("meeting_detail", meeting_id=meeting.pk),
                  on_error=lambda form: render(request, "meetings/meeting_detail.html",
                                               _context(request, meeting, **{form_name: form}), status=400))


@login_required
@require_POST
@personal_data("meeting")
def meeting_member_add(request, meeting_id: int):
    meeting = access_meeting_by_id(request.user, meeting_id, for_update=True)
    form = MemberForm(request.POST, user=request.user)
    return _post(request, meeting, form, lambda d: services.add_member(
        request.user, meeting, staff=d["staff"], label=d["label"], request=request), "構成員を加えました。",
        "member_form")


@login_required
@require_POST
@personal_data("meeting")
def meeting_member_acknowledge(request, meeting_id: int, member_id: int):
    meeting = access_meeting_by_id(request.user, meeting_id)
    member = MeetingMember.objects.filter(pk=member_id, meeting=meeting).first()
    if member is None:
        raise Http404("構成員が見つかりません")
    try:
        services.acknowledge_confidentiality(request.user, member, request=request)
        messages.success(request, "守秘義務の確認を記録しました。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("meeting_detail", meeting_id=meeting.pk)


@login_required
@require_POST
@personal_data("meeting")
def meeting_item_add(request, meeting_id: int):
    meeting = access_meeting_by_id(request.user, meeting_id, for_update=True)
    cases = _open_cases(request.user)
    form = ItemForm(request.POST, recent_cases=cases[:RECENT_CASES])

    def add(d):
        case = cases.filter(pk=d["case"]).first() if d["case"] else None
        if d["case"] and case is None:
            raise services.MeetingError(f"事例番号 {d['case']} の対応中の事例（あなたの機関が多機関協働を担うもの）"
                                        "が見つかりません", field="case")
        services.add_agenda_item(request.user, meeting, purpose=d["purpose"], case=case,
                                 legal_basis=d["legal_basis"], summary=d["summary"], request=request)

    return _post(request, meeting, form, add, "議題を追加しました。", "item_form")


def _item(meeting, item_id):
    item = AgendaItem.objects.filter(pk=item_id, meeting=meeting).select_related("case", "plan", "evaluation").first()
    if item is None:
        raise Http404("議題が見つかりません")
    return item


@login_required
@require_POST
@personal_data("meeting")
def meeting_item_decide(request, meeting_id: int, item_id: int):
    meeting = access_meeting_by_id(request.user, meeting_id, for_update=True)
    item = _item(meeting, item_id)
    form = DecisionForm(request.POST, auto_id=False)
    return _post(request, meeting, form, lambda d: services.decide_item(
        request.user, item, decision=d["decision"], note=d["note"], gap_title=d["gap_title"], minutes=d["minutes"],
        request=request),
        "決定を記録しました。", "decision_form")


@login_required
@require_POST
@personal_data("meeting")
def meeting_item_close(request, meeting_id: int, item_id: int):
    meeting = access_meeting_by_id(request.user, meeting_id, for_update=True)
    try:
        services.close_item_sharing(request.user, _item(meeting, item_id), request=request)
        messages.success(request, "この議題の同意なしでの共有を終了しました。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("meeting_detail", meeting_id=meeting.pk)


@login_required
@require_POST
@personal_data("meeting")
def meeting_minutes(request, meeting_id: int):
    meeting = access_meeting_by_id(request.user, meeting_id, for_update=True)
    form = MinutesForm(request.POST)
    return _post(request, meeting, form, lambda d: services.save_minutes(
        request.user, meeting, minutes=d["minutes"], request=request,
        edit_version=d["edit_version"]), "議事録を保存しました。",
        "minutes_form")


@login_required
@require_POST
@personal_data("meeting")
def meeting_held(request, meeting_id: int):
    """開催済みにする: only through services.record_held (the held date and the attendance)."""
    meeting = access_meeting_by_id(request.user, meeting_id, for_update=True)
    form = HeldForm(request.POST, members=list(meeting.members.all()), auto_id="id_held_%s")
    return _post(request, meeting, form, lambda d: services.record_held(
        request.user, meeting, held_at=d["held_at"], attended=d["attended"], pledged=d["pledged"],
        minutes=d["minutes"], request=request), "開催を記録しました。議題ごとに決定と議事録を記録してください。",
        "held_form")


@login_required
@require_POST
@personal_data("meeting")
def meeting_item_minutes(request, meeting_id: int, item_id: int):
    meeting = access_meeting_by_id(request.user, meeting_id, for_update=True)
    item = _item(meeting, item_id)
    form = ItemMinutesForm(request.POST)
    return _post(request, meeting, form, lambda d: services.save_item_minutes(
        request.user, item, minutes=d["minutes"], request=request), "議題の議事録を保存しました。", "item_minutes_form")


@login_required
@personal_data("meeting")
def meeting_agenda(request, meeting_id: int):
    """次第 (agenda), printable before the meeting: what each reader may see of each item, as on the page."""
    meeting = access_meeting_by_id(request.user, meeting_id)
    organiser = is_organiser(request.user, meeting)
    rows, reads = _items(request.user, meeting, organiser)
    access.audit_read("meeting.agenda_printed", user=request.user, obj=meeting, request=request, reads=reads)
    return render(request, "meetings/agenda_print.html", {
        "meeting": meeting, "members": meeting.members.select_related("agency"),
        "items": [(item, access.CONTENT in classes, pv, target) for item, classes, pv, target in rows]})
