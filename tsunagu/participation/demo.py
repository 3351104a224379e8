"""Demo 参加支援 data for 射水市: a catalog of social resources (居場所, 就労体験, 中間的就労, 農福連携,
ボランティア, 学び), a needs sheet and a placement with 定着支援 for the person outreach handed over, and a
地域課題 for a need no resource meets. Deterministic, run once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tsunagu.community.models import Place
from tsunagu.directory.models import District, Staff
from tsunagu.outreach.models import OutreachTarget

from . import services
from .models import Placement, Resource

CATALOG = [
    # name, kind, host, place code, district code, schedule, days, capacity, cost, needs, access
    ("すてっぴカフェ", "居場所", "(福)射水市社会福祉協議会", "steppi-cafe", "hyoguri", "毎週火・木 13:00〜16:00",
     ["火", "木"], 10, 0, ["居場所", "ひきこもり", "孤立", "人との交流"], ["少人数", "予約不要", "公共交通で通える"]),
    ("いみず野 農園の就労体験", "農福連携", "JAいみず野", None, "daimon", "月・水 9:00〜12:00", ["月", "水"], 4, 0,
     ["就労準備", "生活リズム", "ひきこもり"], ["送迎あり", "少人数", "個別対応可"]),
    ("商店街の中間的就労（清掃・品出し）", "中間的就労", "新湊くらし応援団", None, "honmachi", "平日 10:00〜15:00",
     ["月", "火", "水", "木", "金"], 3, 0, ["就労", "就労準備", "生活困窮"], ["個別対応可"]),
    ("地域食堂のボランティア", "ボランティア", "太閤山地区 地域振興会", None, "taikoyama", "毎月第2・第4土曜", ["土"], 8,
     0, ["地域活動", "人との交流", "孤立"], ["予約不要"]),
    ("学び直し教室", "学び", "射水市教育委員会", None, None, "毎週水曜 18:30〜20:00", ["水"], 12, 300,
     ["学び直し", "人との交流"], ["公共交通で通える"]),
]


def _district(municipality, code):
    return District.objects.for_municipality(municipality).filter(code=code).first() if code else None


def _refer_to_participation(municipality, consultation) -> None:
    """The coordinator takes the handed-over consultation as a case whose plan says 参加支援へつなぐ: the basis on
    which the participation coordinator sees the person (ACCESS.md G9)."""
    from tsunagu.casework import services as casework

    coordinator = Staff.objects.filter(municipality=municipality, roles__kind="coordinator",
                                       agency=consultation.agency).first()
    if coordinator is None:
        return
    case = casework.open_case(coordinator, consultation=consultation)
    today = timezone.localdate()
    casework.draft_plan(coordinator, case, long_term_goal="安心して通える居場所を持つ", short_term_goals="居場所の見学と参加",
                        lead_agency=case.coordinating_agency, review_date=today + dt.timedelta(days=90),
                        refer_participation=True,
                        actions=[{"description": "参加支援コーディネーターと居場所を探す", "agency": case.coordinating_agency,
                                  "due_date": today + dt.timedelta(days=30)}])


@transaction.atomic
def load_participation_demo(municipality) -> int:
    if Resource.objects.filter(municipality=municipality).exists():
        return 0
    staff = Staff.objects.filter(municipality=municipality, roles__kind="participation", agency__isnull=False).first()
    if staff is None:
        return 0
    today = timezone.localdate()
    resources = []
    for name, kind, host, place, district, schedule, days, capacity, cost, needs, access in CATALOG:
        resources.append(services.create_resource(
            staff, name=name, kind=kind, host=host, place=Place.objects.for_municipality(municipality).filter(
                code=place).first() if place else None, district=_district(municipality, district),
            schedule=schedule, days=days, capacity=capacity, cost=cost, needs=needs, accessibility=access))
    target = OutreachTarget.objects.filter(municipality=municipality, person__isnull=False).first()
    if target is None:
        return len(resources)
    person = target.person
    _refer_to_participation(municipality, target.consultation)
    sheet = services.save_needs_sheet(staff, person, needs=["ひきこもり", "居場所", "就労準備"],
                                      wishes="人の少ない場所から始めたい。いずれは働きたい。",
                                      district=_district(municipality, "hyoguri"), available_days=["火", "木"],
                                      max_cost=0, access_needs=["少人数"])
    placement = services.propose(staff, person, resources[0], reasons="ニーズ「ひきこもり・居場所」に対応",
                                 on=today - dt.timedelta(days=5))
    services.advance(staff, placement, status=Placement.VISITED, on=today - dt.timedelta(days=4))
    services.advance(staff, placement, status=Placement.STARTED, on=today - dt.timedelta(days=3))
    services.record_host_support(staff, resources[0], kind="advice", placement=placement,
                                 concern="初回は30分で帰ってしまった。声をかけすぎない方がよいか。",
                                 response="本人のペースを尊重し、次回の日時だけ伝えるよう助言した。")
    services.record_unmet_need(staff, sheet, title="戸破地区に夜間・土日に通える若者の居場所がない",
                               note="平日昼は家族の介護があり通えない人が複数いる")
    return len(resources)
