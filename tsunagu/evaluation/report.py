"""The evaluation report (評価報告): targets vs actuals by program area, charts, and the dashboard figures.
Rendered as JSON, CSV, Excel (one sheet per program area) and PDF (for the 審議会, with charts)."""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone

from tsunagu.core.spreadsheet import (
    CsvWriter,
    append_row,
    as_text_date,
    print_setup,
    set_cell,
    workbook_bytes,
)
from tsunagu.core.wareki import fiscal_year_range, format_fiscal_year

from . import charts
from .kpis import KpiRow, fiscal_year_rows, monthly, period_bounds

AREAS = ["包括的相談支援", "多機関協働", "アウトリーチ", "参加支援", "地域づくり", "全体"]


def _fmt(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}"


def kpi_json(municipality, fiscal_year: int) -> list[dict]:
    return [{"code": r.kpi.code, "name": r.kpi.name, "area": r.kpi.area, "unit": r.kpi.unit, "target": r.target,
             "actual": r.actual, "rate": r.rate, "baseline": r.baseline, "manual": r.manual}
            for r in fiscal_year_rows(municipality, fiscal_year)]


def kpi_csv(municipality, fiscal_year: int) -> str:
    buf = io.StringIO()
    writer = CsvWriter(buf)
    writer.writerow(["年度", "事業区分", "コード", "指標", "単位", "目標", "実績", "達成率(%)", "計画時実績"])
    for r in fiscal_year_rows(municipality, fiscal_year):
        writer.writerow([format_fiscal_year(fiscal_year), r.kpi.area, r.kpi.code, r.kpi.name, r.kpi.unit,
                         _fmt(r.target), _fmt(r.actual), _fmt(r.rate), _fmt(r.baseline)])
    return buf.getvalue()


def table_csv(municipality, fiscal_year: int, name: str) -> str:
    """CSV of one dashboard table: kpis, by_field, by_agency, flows, pipeline."""
    if name == "kpis":
        return kpi_csv(municipality, fiscal_year)
    figures = dashboard_figures(municipality, fiscal_year)
    headers = {"by_field": ["分野", "相談件数"], "by_agency": ["機関", "相談件数"],
               "flows": ["つなぎ元", "つなぎ先", "件数"], "pipeline": ["事例の状態", "件数"]}
    if name not in headers:
        raise ValueError(f"表 {name!r} はありません")
    buf = io.StringIO()
    writer = CsvWriter(buf)
    writer.writerow(["年度", *headers[name]])
    for row in figures[name]:
        values = [*row[0], row[1]] if name == "flows" else list(row)
        writer.writerow([format_fiscal_year(fiscal_year), *values])
    return buf.getvalue()


def by_area(rows: list[KpiRow]) -> list[tuple[str, list[KpiRow]]]:
    groups = defaultdict(list)
    for r in rows:
        groups[r.kpi.area].append(r)
    return [(a, groups[a]) for a in AREAS if groups[a]]


def logic_model(municipality, rows: list[KpiRow]) -> list[dict]:
    """The profile's logic model with each KPI row in its place (活動 → アウトプット → アウトカム)."""
    by_code = {r.kpi.code: r for r in rows}
    return [{"activity": e["activity"], "policy": e.get("policy") or "",
             "outputs": [by_code[c] for c in e.get("outputs", []) if c in by_code],
             "outcomes": [by_code[c] for c in e.get("outcomes", []) if c in by_code],
             "statements": e.get("outcome_statements", [])}
            for e in (municipality.profile or {}).get("logic_model", [])]


def dashboard_figures(municipality, fiscal_year: int) -> dict:
    """Aggregates for the manager's dashboard; counts only, never names."""
    from tsunagu.casework.models import Case, PlanAction, SupportPlan
    from tsunagu.intake.models import Consultation, Referral

    start, end = period_bounds(*fiscal_year_range(fiscal_year))
    consultations = Consultation.objects.filter(municipality=municipality, received_at__gte=start, received_at__lt=end,
                                                source_referral__isnull=True)
    by_agency = Counter(dict(consultations.values_list("agency__name").annotate(n=Count("id"))))
    by_field = Counter()
    for fields, n in consultations.values_list("agency__fields").annotate(n=Count("id")):
        by_field[(fields or ["その他"])[0]] += n
    flows = Counter()
    for src, dst, n in (Referral.objects.filter(municipality=municipality, sent_at__gte=start, sent_at__lt=end)
                        .values_list("from_agency__name", "to_agency__name").annotate(n=Count("id"))):
        flows[(src, dst)] += n
    # Cases received in the fiscal year, by their present status: a report of one year counts that year's cases.
    pipeline = dict(Case.objects.filter(municipality=municipality, opened_at__gte=start, opened_at__lt=end)
                    .values_list("status").annotate(n=Count("id")))
    today = timezone.localdate()
    return {
        "by_field": by_field.most_common(), "by_agency": by_agency.most_common(15),
        "flows": flows.most_common(15),
        "pipeline": [(label, pipeline.get(code, 0)) for code, label in Case.STATUS_CHOICES],
        "overdue_actions": PlanAction.objects.filter(municipality=municipality, done_at__isnull=True,
                                                     due_date__lt=today, plan__status="approved").count(),
        "plans_past_review": SupportPlan.objects.filter(municipality=municipality, status="approved",
                                                        review_date__lt=today).count(),
        "referrals_waiting": Referral.objects.filter(municipality=municipality, status="sent").count(),
    }


def report_charts(municipality, fiscal_year: int, rows: list[KpiRow]) -> list[str]:
    targeted = [r for r in rows if r.target is not None][:10]
    out = []
    if targeted:
        out.append(charts.bar_chart(f"{format_fiscal_year(fiscal_year)} 目標と実績",
                                    [r.kpi.name[:8] for r in targeted],
                                    [("目標", [r.target for r in targeted]), ("実績", [r.actual for r in targeted])]))
    trend = [r for r in rows if r.kpi.kind in ("multiagency_cases", "consultations_total")][:3]
    if trend:
        months = None
        series = []
        for r in trend:
            points = monthly(r.kpi, fiscal_year)
            months = [label for label, _ in points]
            series.append((r.kpi.name[:30], [v for _, v in points]))
        out.append(charts.line_chart("月別の推移", months, series))
    figures = dashboard_figures(municipality, fiscal_year)
    if figures["by_field"]:
        out.append(charts.bar_chart("分野別の相談件数", [f for f, _ in figures["by_field"]],
                                    [("相談件数", [n for _, n in figures["by_field"]])], height=260))
    out.append(charts.bar_chart(f"{format_fiscal_year(fiscal_year)}に受け付けた事例の状況",
                                [label for label, _ in figures["pipeline"]],
                                [("事例数", [n for _, n in figures["pipeline"]])], height=260))
    return out


def render_report_xlsx(municipality, fiscal_year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Border, Font, PatternFill, Side

    rows = fiscal_year_rows(municipality, fiscal_year)
    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="888888")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head = PatternFill("solid", fgColor="EEF2F6")
    header = ["指標", "単位", "目標", "実績", "達成率(%)", "計画時実績", "備考"]
    groups = by_area(rows) or [("全体", [])]
    for area, area_rows in groups:
        ws = wb.create_sheet(area[:31])
        title = set_cell(ws, 1, 1, f"{municipality.name} {municipality.program_name} 評価（{format_fiscal_year(fiscal_year)}）")
        title.font = Font(size=14, bold=True)
        set_cell(ws, 2, 1, f"事業区分: {area}　出力: {as_text_date(timezone.localtime())}")
        for col, text in enumerate(header, start=1):
            cell = set_cell(ws, 4, col, text)
            cell.font, cell.fill, cell.border = Font(bold=True), head, box
        for i, r in enumerate(area_rows, start=5):
            values = [r.kpi.name, r.kpi.unit, r.target, r.actual, r.rate, r.baseline,
                      "手入力" if r.manual or r.kpi.kind == "manual" else ""]
            for col, v in enumerate(values, start=1):
                set_cell(ws, i, col, v).border = box
        ws.column_dimensions["A"].width = 48
        for col in "BCDEFG":
            ws.column_dimensions[col].width = 12
        print_setup(ws, title_rows="1:4", landscape=False)  # 48 + 6 × 12 characters fit an upright A4
    model = logic_model(municipality, rows)
    if model:
        ws = wb.create_sheet("ロジックモデル")
        title = set_cell(ws, 1, 1, f"{municipality.name} ロジックモデル（{format_fiscal_year(fiscal_year)}）")
        title.font = Font(size=14, bold=True)
        append_row(ws, ["活動", "基本方針", "区分", "指標・目指す状態", "目標", "実績", "達成率(%)"])
        for e in model:
            for label, items in (("アウトプット", e["outputs"]), ("アウトカム", e["outcomes"])):
                for r in items:
                    append_row(ws, [e["activity"], e["policy"], label, r.kpi.name, r.target, r.actual, r.rate])
            for text in e["statements"]:
                append_row(ws, [e["activity"], e["policy"], "目指す状態", text])
        ws.column_dimensions["A"].width = 30
        ws.column_dimensions["D"].width = 50
        print_setup(ws, title_rows="1:2", landscape=True)
    return workbook_bytes(wb)


def render_report_pdf(municipality, fiscal_year: int) -> bytes:
    from weasyprint import HTML

    from tsunagu.casework.exports import FONT_DIR

    rows = fiscal_year_rows(municipality, fiscal_year)
    html = render_to_string("evaluation/report_pdf.html", {
        "municipality": municipality, "fiscal_year": fiscal_year, "label": format_fiscal_year(fiscal_year),
        "groups": by_area(rows), "charts": report_charts(municipality, fiscal_year, rows),
        "logic_model": logic_model(municipality, rows), "font_regular": (FONT_DIR / "NotoSansJP_400Regular.ttf").as_uri(),
        "font_bold": (FONT_DIR / "NotoSansJP_700Bold.ttf").as_uri(), "printed": timezone.localtime(),
    })
    return HTML(string=html, base_url=str(FONT_DIR)).write_pdf()


def render(municipality, fiscal_year: int, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"municipality": municipality.code, "fiscal_year": fiscal_year,
                           "fiscal_year_label": format_fiscal_year(fiscal_year),
                           "kpis": kpi_json(municipality, fiscal_year)}, ensure_ascii=False, indent=2).encode()
    if fmt == "csv":
        return ("\ufeff" + kpi_csv(municipality, fiscal_year)).encode()
    if fmt == "xlsx":
        return render_report_xlsx(municipality, fiscal_year)
    if fmt == "pdf":
        return render_report_pdf(municipality, fiscal_year)
    raise ValueError(f"形式 {fmt!r} には対応していません（json / csv / xlsx / pdf）")

