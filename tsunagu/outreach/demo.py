"""Demo outreach data for 射水市: information-provision agreements and targets in every stage — one found by
水道検針 now on the 支援会議 agenda, one who consented and was handed to intake. Deterministic, run once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tsunagu.directory.models import Staff
from tsunagu.meetings.models import Meeting
from tsunagu.privacy.models import Consent

from . import services
from .models import InfoAgreement, OutreachTarget

TARGETS = [
    # name, kana, age, address, source, provider, noticed, tags, attempts [(days ago, kind, outcome, note)]
    ("", "", "70代", "射水市戸破1500番地", "水道検針", "射水市上下水道局 検針員",
     "2か月続けて検針票がポストに残っている。夜だけ明かりがつく。", ["孤立"], []),
    ("村井 実", "ムライ ミノル", "50代", "射水市大島北野20番地", "民生委員", "大島地区 民生委員",
     "80代の母の通院に付き添う姿を見なくなった。息子は長く家から出ていない様子。", ["ひきこもり", "8050"],
     [(50, "letter", "no_response", "訪問のお知らせを置いた"), (30, "visit", "sign", "手紙がなくなっていた")]),
    ("", "", "40代", "射水市太閤山8丁目10番地", "債権管理・滞納", "射水市 納税課",
     "市税と水道料金の滞納が続いている。督促にも応答がない。", ["生活困窮", "債務"],
     [(60, "letter", "no_response", ""), (40, "visit", "no_response", ""), (20, "family", "family", "姉と電話で話せた"),
      (6, "accompany", "talked", "姉の同行で本人と会えた。借金のことを相談したいとのこと")]),
    ("高瀬 はる", "タカセ ハル", "80代", "射水市本町三丁目5番地", "郵便局", "新湊郵便局",
     "郵便物がたまり、配達員の声かけにも反応がない。", ["孤立", "介護"],
     [(45, "visit", "refused", "玄関越しに「構わないで」と言われた")]),
]


@transaction.atomic
def load_outreach_demo(municipality) -> int:
    if OutreachTarget.objects.filter(municipality=municipality).exists():
        return 0
    staff = Staff.objects.filter(municipality=municipality, roles__kind="outreach", agency__isnull=False).first()
    if staff is None:
        return 0
    today = timezone.localdate()
    water = services.record_agreement(staff, partner="射水市上下水道局", source="水道検針",
                                      scope="2か月以上検針票が回収されない世帯・使用量が急に途絶えた世帯の住所と気づき",
                                      concluded_on=today - dt.timedelta(days=500))
    services.record_agreement(staff, partner="射水市内郵便局", source="郵便局",
                              scope="郵便物の滞留など、配達時に気づいた見守りが必要な世帯の住所と状況",
                              concluded_on=today - dt.timedelta(days=300),
                              expires_on=today + dt.timedelta(days=400))
    targets = []
    for i, (name, kana, age, address, source, provider, noticed, tags, attempts) in enumerate(TARGETS):
        agreement = water if source == "水道検針" else (
            InfoAgreement.objects.filter(municipality=municipality, source=source).first())
        target = services.register_target(
            staff, name=name, kana=kana, approx_age=age, address=address, source=source, provider=provider,
            noticed=noticed, issue_tags=tags, agreement=agreement,
            legal_basis="agreement" if agreement else "vital", found_on=today - dt.timedelta(days=70 - i * 5))
        for days, kind, outcome, note in attempts:
            services.record_contact(staff, target, kind=kind, attempted_on=today - dt.timedelta(days=days),
                                    outcome=outcome, note=note)
        targets.append(target)
    services.change_stage(staff, targets[3], stage=OutreachTarget.WATCHING,
                          note="拒否が強いため、郵便局と民生委員の見守りを続け、月1回様子を確認する。")
    shien = Meeting.objects.filter(municipality=municipality, meeting_type__kind="支援会議",
                                   status=Meeting.SCHEDULED, convened_by__agency_id=staff.agency_id).first()
    if shien is not None:
        services.put_on_agenda(staff, targets[1], shien, summary="民生委員からの情報。母の通院状況を関係機関で共有したい。")
    services.obtain_consent(staff, targets[2], name="森川 修", kana="モリカワ オサム", consent={
        "scope_all_agencies": True, "scope_agencies": [], "method": "書面", "obtained_on": today,
        "purposes": list(Consent.PURPOSES)})
    return len(targets)
