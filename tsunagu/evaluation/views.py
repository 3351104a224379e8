"""The managers' evaluation dashboard and report downloads. Aggregates only; no personal data."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tsunagu.core import concurrency
from tsunagu.core.wareki import fiscal_year_of, format_fiscal_year
from tsunagu.directory.names import role_title
from tsunagu.privacy.audit import log_action

from . import report
from .kpis import fiscal_year_rows

CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "pdf": "application/pdf", "csv": "text/csv; charset=utf-8", "json": "application/json"}


def _require_manager(request):
    user = request.user
    if not request.municipality or not (user.is_manager or user.has_role_kind("coordinator")):
        m = request.user.municipality
        raise PermissionDenied(f"評価の画面は{role_title(m, 'manager')}と{role_title(m, 'coordinator')}が使えます")
    return request.municipality


def _fiscal_year(request) -> int:
    current = fiscal_year_of(timezone.localdate())
    try:
        year = int(request.GET.get("fy", current))
    except ValueError:
        year = current
    return year if 2000 <= year <= current + 5 else current


@login_required
def dashboard(request):
    m = _require_manager(request)
    year = _fiscal_year(request)
    rows = fiscal_year_rows(m, year)
    log_action("evaluation.viewed", actor=request.user, request=request, detail={"fiscal_year": year})
    current = fiscal_year_of(timezone.localdate())
    return render(request, "evaluation/dashboard.html", {
        "year": year, "year_label": format_fiscal_year(year),
        "years": [(y, format_fiscal_year(y)) for y in range(current, current - 6, -1)],
        "groups": report.by_area(rows), "charts": report.report_charts(m, year, rows),
        "logic_model": report.logic_model(m, rows),
        "figures": report.dashboard_figures(m, year),
    })


@login_required
def manage(request):
    """目標と実績の入力 (manager): manual actuals per year or month with who entered them, targets per 年度."""
    from django.shortcuts import redirect

    from tsunagu.core.forms import submit

    from . import services
    from .forms import ManualActualForm, TargetForm
    from .models import KpiTarget, ManualActual

    m = request.municipality
    if not m or m.is_prefecture or not services.can_maintain(request.user):
        raise PermissionDenied(f"目標と実績を入力できるのは{role_title(request.user.municipality, 'manager')}だけです")
    year = _fiscal_year(request)
    current = fiscal_year_of(timezone.localdate())
    kwargs = {"municipality": m, "current_year": current}
    forms = {"actual": ManualActualForm(initial={"fiscal_year": year}, **kwargs),
             "target": TargetForm(initial={"fiscal_year": year}, **kwargs)}
    if request.method == "POST":
        which = request.POST.get("form", "")
        actions = {
            "actual": (ManualActualForm, lambda d: services.save_manual_actual(
                request.user, d["kpi"], fiscal_year=d["fiscal_year"], month=d["month"], value=d["value"],
                note=d["note"], request=request), "実績を保存しました。"),
            "target": (TargetForm, lambda d: services.save_target(
                request.user, d["kpi"], fiscal_year=d["fiscal_year"], target=d["target"], request=request),
                "目標を保存しました。"),
        }
        if which not in actions:
            raise PermissionDenied("不明な操作です")
        form_class, action, success = actions[which]
        form = form_class(request.POST, **kwargs)
        forms[which] = form
        response = submit(request, form, action, success=success,
                          on_success=lambda r: redirect(f"{request.path}?fy={r.fiscal_year}"),
                          on_error=lambda f: None)
        if response is not None:
            return response
    rows = fiscal_year_rows(m, year)
    targets = {t.kpi_id: t for t in KpiTarget.objects.filter(municipality=m, fiscal_year=year)
               .select_related("entered_by")}
    entries: dict = {}
    for a in ManualActual.objects.filter(municipality=m, fiscal_year=year).select_related("recorded_by"):
        entries.setdefault(a.kpi_id, []).append(a)
    table = [{"row": r, "target": targets.get(r.kpi.pk), "entries": entries.get(r.kpi.pk, [])} for r in rows]
    log_action("evaluation.viewed", actor=request.user, request=request, detail={"page": "manage",
                                                                               "fiscal_year": year})
    return render(request, "evaluation/manage.html", {
        "year": year, "year_label": format_fiscal_year(year), "table": table, "forms": forms,
        "years": [(y, format_fiscal_year(y)) for y in range(current + 3, current - 6, -1)],
        "missing": sum(1 for r in rows if r.actual is None),
    }, status=400 if any(f.errors for f in forms.values()) else 200)


@login_required
def report_download(request, fmt: str):
    m = _require_manager(request)
    if fmt not in CONTENT_TYPES:
        raise PermissionDenied("この形式には対応していません")
    year = _fiscal_year(request)
    data = report.render(m, year, fmt)
    log_action(f"export.{fmt}" if fmt in ("pdf", "xlsx", "csv") else "export.data", actor=request.user,
               request=request, detail={"report": "kpi", "fiscal_year": year, "bytes": len(data)})
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    from urllib.parse import quote

    name = f"評価報告_{m.name}_{format_fiscal_year(year)}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def table_csv(request, name: str):
    """CSV of any table on the dashboard (aggregates only)."""
    from django.http import Http404

    m = _require_manager(request)
    year = _fiscal_year(request)
    try:
        text = report.table_csv(m, year, name)
    except ValueError:
        raise Http404("この表はありません") from None
    data = ("\ufeff" + text).encode()
    log_action("export.csv", actor=request.user, request=request, detail={"table": name, "fiscal_year": year})
    response = HttpResponse(data, content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{name}-{m.code}-{year}.csv"'
    return response


@login_required
def prefecture_stats_export(request):
    """The municipality's aggregated statistics file for the prefecture (3未満は秘匿)."""
    from .prefecture import export_stats

    m = _require_manager(request)
    year = _fiscal_year(request)
    response = HttpResponse(export_stats(m, year, actor=request.user), content_type=CONTENT_TYPES["json"])
    response["Content-Disposition"] = f'attachment; filename="tsunagu-stats-{m.code}-{year}.json"'
    return response


@login_required
def prefecture_dashboard(request):
    """For 都道府県 users: figures imported from member municipalities. No case data exists here."""
    from django.contrib import messages

    from tsunagu.directory.models import PrefectureMember

    from . import charts
    from .indicators import INDICATORS
    from .models import PrefectureStat
    from .prefecture import StatsError, import_stats

    m = request.municipality
    if not m or m.kind != "prefecture" or not request.user.has_role_kind("prefecture", "manager"):
        raise PermissionDenied("都道府県の担当者だけが使えます")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "取り込むファイルを選んでください。")
        elif upload.size > 2_000_000:
            messages.error(request, "ファイルが大きすぎます（2MB まで）。")
        else:
            try:
                member, count = import_stats(m, upload.read(), actor=request.user)
            except StatsError as exc:
                for line in exc.message.splitlines():
                    messages.error(request, line)
            else:
                messages.success(request, f"{member.name} の {count} 指標を取り込みました。")
    year = _fiscal_year(request)
    members = list(PrefectureMember.objects.filter(municipality=m, active=True))
    stats = PrefectureStat.objects.filter(municipality=m, fiscal_year=year).select_related("member")
    table = {(s.member_id, s.scope, s.code): s for s in stats}
    # Common indicators: the same rows for every municipality, so the prefecture compares them side by side.
    common = [(ind, [table.get((mem.pk, PrefectureStat.COMMON, code)) for mem in members])
              for code, ind in INDICATORS.items()]
    has_common = any(s.scope == PrefectureStat.COMMON for s in table.values())
    # Each municipality's own KPIs: their codes differ by city, so they are listed per municipality.
    own = {}
    for s in stats:
        if s.scope == PrefectureStat.OWN:
            own.setdefault(s.member, []).append(s)
    chart = ""
    if has_common:
        first = common[1]  # 多機関協働 受付件数
        chart = charts.bar_chart(first[0].name, [mem.name for mem in members],
                                 [("値", [v.value if v and not v.suppressed else None for v in first[1]])])
    current = fiscal_year_of(timezone.localdate())
    return render(request, "evaluation/prefecture.html", {
        "members": members, "common": common, "has_common": has_common, "own": own, "year": year, "chart": chart,
        "years": [(y, format_fiscal_year(y)) for y in range(current, current - 6, -1)],
    })


@login_required
def prefecture_activities(request):
    """支援者支援・実態調査・研修: the prefecture's own records (no personal data of residents)."""
    from django.shortcuts import redirect

    from tsunagu.core.forms import submit
    from tsunagu.meetings import services as meeting_services
    from tsunagu.meetings.forms import MeetingForm
    from tsunagu.meetings.governance_models import Training
    from tsunagu.meetings.models import Meeting

    from . import prefecture_services as services
    from .forms import SupporterDoneForm, SupporterForm, SurveyForm, SurveyResultForm, TrainingForm
    from .models import SupporterConsultation, Survey

    m = request.municipality
    if not m or m.kind != "prefecture" or not request.user.has_role_kind("prefecture", "manager"):
        raise PermissionDenied("都道府県の担当者だけが使えます")
    forms = {"supporter": SupporterForm(prefecture=m), "supporter_done": SupporterDoneForm(prefecture=m),
             "survey": SurveyForm(), "result": SurveyResultForm(prefecture=m), "training": TrainingForm(prefecture=m),
             "meeting": MeetingForm(user=request.user)}
    if request.method == "POST":
        which = request.POST.get("form", "")
        actions = {
            "supporter": (SupporterForm, lambda d: services.record_supporter_consultation(
                request.user, request=request, **{k: d[k] for k in ("member", "received_on", "topic", "response")},
                consulter_role=d["consulter_role"] or ""), "支援者支援を記録しました。"),
            "supporter_done": (SupporterDoneForm, lambda d: services.complete_supporter_consultation(
                request.user, d["consultation"], response=d["response"], completed_on=d["completed_on"],
                request=request), "支援者支援を完了にしました。"),
            "survey": (SurveyForm, lambda d: services.create_survey(request.user, request=request, **d),
                       "実態調査を登録しました。"),
            "result": (SurveyResultForm, lambda d: services.record_survey_result(
                request.user, d["question"], member=d["member"], value=d["value"], answer=d["answer"],
                edit_version=d["edit_version"] or concurrency.NEW, request=request), "回答を記録しました。"),
            "meeting": (MeetingForm, lambda d: meeting_services.schedule_meeting(
                request.user, request=request, **d), "会議を登録しました。"),
            "training": (TrainingForm, lambda d: services.record_training(
                request.user, request=request, title=d["title"], held_on=d["held_on"], place=d["place"],
                audience=d["audience"], participants=d["participants"] or 0, members=d["members"]),
                "研修を記録しました。"),
        }
        if which not in actions:
            raise PermissionDenied("不明な操作です")
        form_class, action, success = actions[which]
        kwargs = ({} if which == "survey" else {"user": request.user} if which == "meeting"
                  else {"prefecture": m})
        form = form_class(request.POST, **kwargs)
        forms[which] = form
        response = submit(request, form, action, success=success,
                          on_success=lambda _: redirect("prefecture_activities"), on_error=lambda f: None)
        if response is not None:
            return response
    log_action("evaluation.viewed", actor=request.user, request=request, detail={"page": "prefecture_activities"})
    return render(request, "evaluation/prefecture_activities.html", {
        "forms": forms, "consultations": SupporterConsultation.objects.filter(municipality=m).select_related("member"),
        "surveys": Survey.objects.filter(municipality=m).prefetch_related("questions__results__member"),
        "meetings": Meeting.objects.filter(municipality=m).select_related("meeting_type")[:50],
        "trainings": Training.objects.filter(municipality=m).prefetch_related("members"),
    }, status=400 if any(f.errors for f in forms.values()) else 200)
