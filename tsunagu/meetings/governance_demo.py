"""Demo governance data for 射水市: a 共生社会推進会議 with topics, a difficult case, this year's staff roster
and a training. Deterministic, run once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tsunagu.core.wareki import fiscal_year_of
from tsunagu.directory.models import MeetingType, Role, Staff

from . import governance, services
from .governance_models import RosterEntry


@transaction.atomic
def load_governance_demo(municipality) -> int:
    if RosterEntry.objects.filter(municipality=municipality).exists():
        return 0
    manager = Staff.objects.filter(municipality=municipality, roles__kind="manager", agency__isnull=False).first()
    if manager is None:
        return 0
    today = timezone.localdate()
    fy = fiscal_year_of(today)
    city_type = MeetingType.objects.for_municipality(municipality).filter(consent_rule="none", active=True).first()
    if city_type is not None:
        meeting = services.schedule_meeting(manager, meeting_type=city_type, title=f"{city_type.name}（第1回）",
                                            scheduled_at=timezone.now() + dt.timedelta(days=10), place="射水市役所")
        governance.add_topic(manager, meeting, section="体制検討の部", title="重層的支援体制整備事業の実施状況",
                             note="相談受付件数・支援会議の開催状況を報告")
        governance.add_topic(manager, meeting, section="連携強化の部", title="アウトリーチの情報提供協定の拡大",
                             note="郵便局に続き、新聞販売店との協定を検討")
    governance.record_difficult_case(
        manager, fiscal_year=fy, title="高齢の親と長期ひきこもりの子の世帯（8050）", issues=["8050", "ひきこもり", "介護"],
        response="地域包括支援センターが親の介護から関わり、アウトリーチ支援専門員が手紙と訪問で本人と関係をつくった。",
        lessons="親の支援の場面を本人との接点として生かす。")
    roles = Role.objects.for_municipality(municipality).filter(kind__in=["liaison", "coordinator", "outreach",
                                                                           "participation"])
    for role in roles:
        for agency in role.agencies.all()[:3]:
            holder = Staff.objects.filter(agency=agency, roles=role).first()
            governance.add_roster_entry(manager, fiscal_year=fy, agency=agency, duty=role.name,
                                        staff_name=str(holder) if holder else "（未定）", phone=agency.phone)
    governance.record_training(manager, held_on=today - dt.timedelta(days=20), title="重層的支援体制整備事業 基礎研修",
                               organiser="射水市 地域福祉課", audience="相談支援機関の職員", participants=42,
                               note="支援会議の守秘義務と情報共有の根拠")
    return 1
