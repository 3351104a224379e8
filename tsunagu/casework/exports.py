"""Standard forms (相談受付・申込票, アセスメントシート, プランシート, 支援経過記録, 評価シート, 支援ケース一覧)
as PDF and Excel. Each form is described once as a `Sheet` (sections of label/value rows and tables); one
renderer turns it into a PDF laid out like the paper form (WeasyPrint + the bundled Noto Sans JP) and another
into an xlsx workbook (openpyxl)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from tsunagu.core.wareki import format_wareki
from tsunagu.directory.names import approving_meetings

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # label, value
    table: tuple[list[str], list[list[str]]] | None = None  # header, rows
    svg: str = ""  # an inline drawing (eco-map)
    widths: list[int] | None = None  # column widths of the table in % (PDF); equal when not given


@dataclass
class Sheet:
    title: str
    subtitle: str
    sections: list[Section]
    landscape: bool = False


def _dt(value) -> str:
    if not value:
        return ""
    local = timezone.localtime(value) if hasattr(value, "hour") else value
    text = format_wareki(local)
    return f"{text} {local:%H:%M}" if hasattr(value, "hour") else text


def render_pdf(sheet: Sheet, *, municipality_name: str, printed_by: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string("exports/sheet.html", {
        "sheet": sheet, "font_regular": (FONT_DIR / "NotoSansJP_400Regular.ttf").as_uri(),
        "font_bold": (FONT_DIR / "NotoSansJP_700Bold.ttf").as_uri(), "municipality_name": municipality_name,
        "printed_by": printed_by, "printed_at": _dt(timezone.now()),
    })
    return HTML(string=html, base_url=str(FONT_DIR)).write_pdf()


def render_xlsx(sheet: Sheet, *, municipality_name: str, printed_by: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from tsunagu.core.spreadsheet import WIDE_COLUMNS, print_setup, set_cell, workbook_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = sheet.title[:31]
    thin = Side(style="thin", color="888888")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="EEF2F6")
    wrap = Alignment(wrap_text=True, vertical="top")
    set_cell(ws, 1, 1, sheet.title)
    ws["A1"].font = Font(size=16, bold=True)
    set_cell(ws, 2, 1, f"{municipality_name}　{sheet.subtitle}")
    set_cell(ws, 3, 1, f"出力: {_dt(timezone.now())}（{printed_by}）")
    row = 5
    widest = 2
    header_row = 0  # a one-table sheet (支援ケース一覧, 支援経過記録) repeats the title and the table header
    for section in sheet.sections:
        set_cell(ws, row, 1, section.title).font = Font(size=12, bold=True)
        row += 1
        for label, value in section.rows:
            a, b = set_cell(ws, row, 1, label), set_cell(ws, row, 2, value)
            a.fill, a.border, b.border, a.alignment, b.alignment = head_fill, box, box, wrap, wrap
            row += 1
        if section.table:
            header, rows = section.table
            widest = max(widest, len(header))
            if len(sheet.sections) == 1:
                header_row = row
            for col, text in enumerate(header, start=1):
                cell = set_cell(ws, row, col, text)
                cell.fill, cell.border, cell.font = head_fill, box, Font(bold=True)
            row += 1
            for values in rows:
                for col, text in enumerate(values, start=1):
                    cell = set_cell(ws, row, col, text)
                    cell.border, cell.alignment = box, wrap
                row += 1
        if section.svg:
            set_cell(ws, row, 1, "（エコマップは PDF 版に図として出力されます）")
            row += 1
        row += 1
    ws.column_dimensions["A"].width = 24
    for col in range(2, widest + 2):
        ws.column_dimensions[chr(64 + col)].width = 40 if widest <= 2 else 22
    print_setup(ws, title_rows=f"1:{header_row}" if header_row else "1:3",
                landscape=sheet.landscape or widest > WIDE_COLUMNS)
    return workbook_bytes(wb)


# --- the forms -------------------------------------------------------------------------------------------------

def consultation_sheet(consultation, pv, classes, members=(), care: bool = False, referrals=()) -> Sheet:
    """The 相談受付・申込票 with exactly the classes the user's grants open (ACCESS.md invariant 4).

    `referrals`: (referral, its message may be shown) pairs of the つなぎ the reader may know of."""
    from tsunagu.privacy.access import CONTENT, SENSITIVE

    c, p = consultation, consultation.person
    person_rows = [("氏名", p.name), ("フリガナ", p.kana)] if pv.visible else [("氏名", "（表示できません）")]
    if pv.basic:
        person_rows += [("生年月日", format_wareki(p.birth_date) if p.birth_date else ""),
                        ("性別", p.get_sex_display()),
                        ("住所", p.address if pv.address else "（秘匿）"), ("電話", p.phone if pv.address else "（秘匿）"),
                        ("国籍・使用言語", " ".join(x for x in (p.nationality, p.language) if x))]
    content = [("受付機関", c.agency.name), ("主訴", c.chief_complaint), ("課題", "・".join(c.issue_tags)),
               ("緊急度", c.get_urgency_display())]
    if CONTENT in classes:
        content[1:1] = [("受付日時", _dt(c.received_at)), ("相談経路", c.channel),
                        ("相談者", f"{c.consulter_type} {c.consulter_name}".strip())]
        content += [("相談の内容", c.detail), ("対応方針", c.get_triage_display()), ("状態", c.get_status_display())]
        if c.is_closed:
            content.append(("次の一歩", c.next_step))
    sections = [Section("本人", person_rows)]
    if members:
        sections.append(Section("世帯員", table=(["氏名", "続柄", "ケアの状況"] if care else ["氏名", "続柄"], [
            [m.person.name, m.relation] + (["・".join(m.care_roles)] if care else []) for m in members])))
    sections.append(Section("相談の内容", content))
    if SENSITIVE in classes and (c.sensitive_categories or c.sensitive_notes):
        sections.append(Section("要配慮個人情報", [("種類", "・".join(c.sensitive_categories)),
                                                 ("内容", c.sensitive_notes)]))
    if referrals:
        sections.append(Section("つなぎ（つなぐ理由）", table=(["送付日時", "つなぎ先", "共有の根拠", "状態", "つなぐ理由（依頼内容）"], [
            [_dt(r.sent_at), r.to_agency.name, r.get_basis_display(), r.get_status_display(),
             r.message if shown else "（表示できません）"] for r, shown in referrals]), widths=[16, 20, 14, 12, 38]))
    consents = [[format_wareki(x.obtained_on), x.method, x.scope_label(), x.state_label]
                for x in c.consents.all()] if pv.basic else []
    sections.append(Section("本人同意", table=(["同意日", "方法", "範囲", "状態"], consents)))
    version = "本人同意あり" if c.with_consent else "本人同意なし"
    return Sheet(f"相談受付・申込票（{version}）", f"{c} {c.agency.name}", sections)


def assessment_sheet(case, assessment, household=((), False)) -> Sheet:
    """`household`: (members, care roles visible) as the user's grants on the household record allow."""
    from .ecomap import ecomap_svg

    a = assessment
    shown, care = household
    members = [[m.person.name, m.relation, "・".join(m.care_roles) if care else "（表示できません）"] for m in shown]
    sections = [
        Section("基本情報", [("事例", case.title), ("本人", case.person.name), ("担当", str(case.coordinator)),
                          ("主担当機関", case.lead_agency.name if case.lead_agency else "未定")]),
        Section("世帯", [("世帯の状況・家族関係", a.household_notes)], table=(["氏名", "続柄", "ケアの状況"], members)),
        Section("生活歴", [("生活歴", a.life_history)]),
        Section("領域ごとの課題", table=(["領域", "重さ", "内容"], [[i["domain"], {"3": "高", "2": "中", "1": "低"}[i["severity"]],
                                                              i["note"]] for i in a.issues])),
        Section("強みと意向", [("強み・できていること", a.strengths), ("本人の意向", a.wishes)]),
        Section("リスク", table=(["種類", "程度", "補足"], [[k, v["level"], v["note"]] for k, v in a.risks.items()])),
        Section("つながり（エコマップ）", table=(["相手", "種類", "関係"], [[c["name"], c["kind"], c["strength"]]
                                                                 for c in a.connections]),
                svg=ecomap_svg(case.person.name, a.connections, size=420)),
    ]
    return Sheet("インテーク・アセスメントシート", f"{case}（更新 {_dt(a.updated_at)}）", sections)


def plan_sheet(case, plan) -> Sheet:
    team = [[m.agency.name, m.role] for m in case.team.filter(active=True).select_related("agency")]
    actions = [[x.description, x.agency.name, x.person_in_charge, format_wareki(x.due_date),
                "完了" if x.done_at else ""] for x in plan.actions.select_related("agency")]
    return Sheet("支援プラン（プランシート）", f"{case} 第{plan.version}版・{plan.get_status_display()}", [
        Section("目標", [("長期目標", plan.long_term_goal), ("短期目標", plan.short_term_goals)]),
        Section("体制", [("主担当機関", plan.lead_agency.name), ("見直し日", format_wareki(plan.review_date)),
                       ("アウトリーチへ", "つなぐ" if plan.refer_outreach else "—"),
                       ("参加支援へ", "つなぐ" if plan.refer_participation else "—"),
                       ("承認", _dt(plan.approved_at) or f"未承認（{approving_meetings(plan.municipality)}で承認されると有効になります）")],
                table=(["機関", "役割"], team)),
        Section("取組", table=(["取組", "担当機関", "担当者", "期限", "状況"], actions), widths=[44, 20, 14, 14, 8]),
    ], landscape=True)


def notes_sheet(case, notes) -> Sheet:
    rows = [[_dt(n.occurred_at), n.agency.name, n.get_kind_display(), n.text, str(n.author)] for n in notes]
    return Sheet("支援経過記録", str(case), [Section("経過", table=(["日時", "機関", "種類", "内容", "記録者"], rows),
                                                widths=[14, 16, 8, 50, 12])], landscape=True)


def evaluation_sheet(case, evaluation) -> Sheet:
    e = evaluation
    return Sheet("評価シート", f"{case}（プラン第{e.plan.version}版）", [
        Section("評価", [("目標の達成状況", e.goal_review), ("本人・世帯の変化", e.changes),
                       ("残された課題", e.remaining_issues), ("評価の結論", e.get_recommendation_display()),
                       ("つながり続ける", "する" if e.follow_up else "しない"), ("状態", e.get_status_display()),
                       ("承認", _dt(e.approved_at) or "未承認")]),
    ])


def case_list_sheet(rows) -> Sheet:
    """`rows`: (case, PersonView) pairs of cases the user's grants open."""
    rows = [[str(c.pk), c.title, c.person.name if pv.visible else "", c.get_status_display(),
             c.lead_agency.name if c.lead_agency else "", str(c.coordinator), format_wareki(c.opened_at),
             format_wareki(c.closed_at) if c.closed_at else ""] for c, pv in rows]
    return Sheet("支援ケース一覧", f"{len(rows)} 件", [Section("事例", table=(
        ["番号", "事例名", "本人", "状態", "主担当機関", "担当", "受付日", "終結日"], rows),
        widths=[6, 22, 14, 10, 16, 12, 10, 10])], landscape=True)
