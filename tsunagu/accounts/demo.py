"""Demo of 職員管理 for 射水市: a coordinator who left at the 人事異動 handed an open case to 包括 恵 (imizu.coord),
whose own cases stay with her. Run once (the predecessor's account marks it done)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tsunagu.directory.models import Role, Staff
from tsunagu.directory.services import create_staff

PREDECESSOR = "imizu.coord.zennin"


@transaction.atomic
def load_staff_demo(municipality, *, password: str) -> bool:
    from tsunagu.casework import services as casework
    from tsunagu.intake import services as intake

    from . import staff_admin

    if Staff.objects.filter(username=PREDECESSOR).exists():
        return False
    admin = Staff.objects.filter(municipality=municipality, roles__kind="admin").order_by("id").first()
    successor = Staff.objects.filter(municipality=municipality, roles__kind="coordinator", is_active=True,
                                     agency__isnull=False).order_by("id").first()
    window = Staff.objects.filter(municipality=municipality, roles__kind="intake", is_active=True,
                                  agency__isnull=False).order_by("id").first()
    if not (admin and successor and window):
        return False
    role = Role.objects.filter(municipality=municipality, kind="coordinator", active=True).order_by("id").first()
    predecessor = create_staff(actor=None, municipality=municipality, username=PREDECESSOR,
                               display_name="前任 推進員", password=password, agency=successor.agency, roles=[role])
    received = timezone.now() - dt.timedelta(days=40)
    consultation = intake.record_consultation(
        window, new_person={"name": "引継 太郎", "kana": "ヒキツギ タロウ", "birth_date": dt.date(1968, 7, 7),
                            "address": "射水市本町2丁目3番地", "phone": "0766-00-1111"},
        received_at=received, channel="来所", consulter_type="本人", chief_complaint="失業後の生活費と住まいの不安。",
        issue_tags=["生活困窮", "住まい"], consent={"scope_all_agencies": True, "scope_agencies": [],
                                                 "purposes": ["関係機関へのつなぎ", "多機関協働", "会議での協議"],
                                                 "method": "書面", "obtained_on": received.date()})
    referral = intake.escalate_to_multiagency(window, consultation, message="住まいと就労の複合課題",
                                              at=received + dt.timedelta(hours=2))
    casework.open_case(predecessor, referral=referral, at=received + dt.timedelta(days=1))
    staff_admin.hand_over(admin, predecessor, successor)
    staff_admin.deactivate_staff(admin, predecessor)
    return True
