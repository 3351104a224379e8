"""Helpers to build intake records through the services (never by hand)."""

import datetime as dt

from django.utils import timezone

from tsunagu.intake import services


def record(user, *, name="高橋 一郎", kana="タカハシ イチロウ", consent_agencies=None, consent_all=False,
           members=(), tags=("8050",), address="射水市放生津町1番1号", sensitive="", masked=False, person=None,
           purposes=("関係機関へのつなぎ", "多機関協働", "会議での協議")):
    consent = None
    if consent_agencies is not None or consent_all:
        consent = {"scope_all_agencies": consent_all, "scope_agencies": list(consent_agencies or []),
                   "purposes": list(purposes), "method": "書面", "obtained_on": timezone.localdate()}
    return services.record_consultation(
        user, person=person,
        new_person=None if person else {"name": name, "kana": kana, "birth_date": dt.date(1975, 5, 5),
                                        "address": address, "phone": "0766-00-0000", "address_masked": masked},
        received_at=timezone.now(), channel="来所", consulter_type="家族", consulter_name="母",
        chief_complaint="50代の息子が長年ひきこもっている。母は80代で介護が必要。", issue_tags=list(tags),
        urgency="normal", sensitive_categories=["病歴・健康"] if sensitive else [], sensitive_notes=sensitive,
        household_members=list(members), consent=consent,
    )
