"""Demo intake data for 射水市: a few hundred households and consultations written through the services,
with 8050 / ダブルケア / ひきこもり / ヤングケアラー shapes and referrals in every state. Deterministic."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from tsunagu.directory.models import CASEWORK_ROLE_KINDS, Agency, District, Role, Staff
from tsunagu.privacy.services import withdraw_consent

from . import services
from .models import Consultation

SURNAMES = [("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("髙橋", "タカハシ"), ("田中", "タナカ"),
            ("渡辺", "ワタナベ"), ("渡邊", "ワタナベ"), ("伊藤", "イトウ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
            ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"),
            ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"),
            ("斎藤", "サイトウ"), ("齋藤", "サイトウ"), ("清水", "シミズ"), ("山崎", "ヤマザキ"), ("山﨑", "ヤマザキ"),
            ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("石川", "イシカワ"), ("前田", "マエダ"),
            ("藤井", "フジイ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("村上", "ムラカミ"), ("酒井", "サカイ"),
            ("澤田", "サワダ"), ("浜田", "ハマダ"), ("濱田", "ハマダ"), ("野村", "ノムラ"), ("中川", "ナカガワ")]
MALE = [("一郎", "イチロウ"), ("健", "ケン"), ("翔太", "ショウタ"), ("大輔", "ダイスケ"), ("誠", "マコト"),
        ("浩二", "コウジ"), ("隆", "タカシ"), ("拓海", "タクミ"), ("悠真", "ユウマ"), ("茂", "シゲル"), ("勇", "イサム")]
FEMALE = [("花子", "ハナコ"), ("恵子", "ケイコ"), ("美咲", "ミサキ"), ("陽菜", "ヒナ"), ("和子", "カズコ"),
          ("幸子", "サチコ"), ("由美", "ユミ"), ("愛", "アイ"), ("さくら", "サクラ"), ("節子", "セツコ"), ("結衣", "ユイ")]

SHAPES = {
    "8050": {"tags": ["8050", "ひきこもり", "介護"], "fields": ["介護"],
             "complaint": "80代の母の介護サービス利用の相談。同居する50代の息子が長年ひきこもっており、将来が心配。"},
    "double_care": {"tags": ["ダブルケア", "介護", "子育て"], "fields": ["子ども", "介護"],
                    "complaint": "乳幼児の子育てと実父の介護が重なり、心身ともに限界。仕事も続けられるか不安。"},
    "hikikomori": {"tags": ["ひきこもり", "孤立"], "fields": ["困窮", "その他"],
                   "complaint": "30代の本人が数年間ほとんど外出していない。家族も相談先が分からなかった。"},
    "young_carer": {"tags": ["ヤングケアラー", "障がい", "子育て"], "fields": ["子ども"],
                    "complaint": "中学生が精神疾患のある母の世話と弟妹の世話をしており、欠席が増えている（学校から）。"},
    "poverty": {"tags": ["生活困窮", "債務", "住まい"], "fields": ["困窮"],
                "complaint": "失業して家賃と公共料金を滞納している。借入れもあり返済に困っている。"},
    "disability": {"tags": ["障がい", "就労"], "fields": ["障がい"],
                   "complaint": "障害のある本人が就労について相談したい。家族の高齢化で今後の生活も心配。"},
    "elderly": {"tags": ["介護", "孤立"], "fields": ["介護"],
                "complaint": "一人暮らしの高齢者。物忘れが増え、近所の民生委員から様子が心配との連絡。"},
}


def _staff_for(agency: Agency, intake_role: Role) -> Staff:
    """The demo casework user of that agency if there is one, else a quiet demo account that cannot log in."""
    existing = (Staff.objects.filter(agency=agency, roles__kind__in=sorted(CASEWORK_ROLE_KINDS)).order_by("id")
                .first())
    if existing:
        return existing
    staff = Staff(username=f"demo-{agency.municipality.code}-{agency.code}", display_name=f"{agency.name} 職員",
                  municipality=agency.municipality, agency=agency)
    staff.set_unusable_password()
    staff.save()
    staff.roles.set([intake_role])
    return staff


def _name(rng, surname, sex):
    given = rng.choice(MALE if sex == "male" else FEMALE)
    return f"{surname[0]} {given[0]}", f"{surname[1]} {given[1]}"


def _birth(rng, age, today):
    return today - dt.timedelta(days=int(age * 365.25) + rng.randint(0, 360))


@transaction.atomic
def load_intake_demo(municipality, *, households: int = 300, seed: int = 2026) -> int:
    """Create the demo consultations once; returns how many were created (0 when they already exist)."""
    if Consultation.objects.filter(municipality=municipality).exists():
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    agencies = list(Agency.objects.for_municipality(municipality).filter(active=True))
    intake_role = Role.objects.for_municipality(municipality).filter(kind="intake").first()
    windows = [a for a in agencies if "包括的相談支援" in a.kinds]
    by_field = {f: [a for a in windows if f in a.fields] for f in ("介護", "障がい", "子ども", "困窮", "その他")}
    districts = list(District.objects.for_municipality(municipality).filter(active=True))
    created = 0
    for _ in range(households):
        shape_key = rng.choice(list(SHAPES))
        shape = SHAPES[shape_key]
        field = rng.choice(shape["fields"])
        agency = rng.choice(by_field.get(field) or windows)
        actor = _staff_for(agency, intake_role)
        surname = rng.choice(SURNAMES)
        district = rng.choice(districts)
        address = f"射水市{district.match_keys[0]}{rng.randint(1, 999)}番地"
        members = []
        if shape_key == "8050":
            name, kana = _name(rng, surname, "female")
            person = {"name": name, "kana": kana, "birth_date": _birth(rng, rng.randint(78, 89), today), "sex": "female"}
            cname, ckana = _name(rng, surname, "male")
            members = [{"name": cname, "kana": ckana, "relation": "子", "birth_date": _birth(rng, rng.randint(48, 58), today),
                        "care_roles": ["ひきこもり"]}]
        elif shape_key == "double_care":
            name, kana = _name(rng, surname, "female")
            person = {"name": name, "kana": kana, "birth_date": _birth(rng, rng.randint(35, 45), today), "sex": "female"}
            fname, fkana = _name(rng, surname, "male")
            kname, kkana = _name(rng, surname, rng.choice(["male", "female"]))
            members = [{"name": fname, "kana": fkana, "relation": "父", "birth_date": _birth(rng, 75, today),
                        "care_roles": ["要介護"]},
                       {"name": kname, "kana": kkana, "relation": "子", "birth_date": _birth(rng, 2, today),
                        "care_roles": ["子育て中"]}]
        elif shape_key == "young_carer":
            name, kana = _name(rng, surname, rng.choice(["male", "female"]))
            person = {"name": name, "kana": kana, "birth_date": _birth(rng, 14, today)}
            mname, mkana = _name(rng, surname, "female")
            members = [{"name": mname, "kana": mkana, "relation": "母", "birth_date": _birth(rng, 42, today),
                        "care_roles": ["障がい"]}]
        else:
            sex = rng.choice(["male", "female"])
            name, kana = _name(rng, surname, sex)
            age = {"hikikomori": 34, "poverty": 45, "disability": 28, "elderly": 82}[shape_key]
            person = {"name": name, "kana": kana, "birth_date": _birth(rng, age + rng.randint(-5, 5), today), "sex": sex}
        person.update(address=address, phone=f"0766-{rng.randint(50, 89)}-{rng.randint(1000, 9999)}",
                      address_masked=shape_key == "young_carer" and rng.random() < 0.2)
        with_consent = rng.random() < 0.7
        consent = None
        if with_consent:
            consent = {"scope_all_agencies": rng.random() < 0.5, "scope_agencies": rng.sample(windows, 3),
                       "purposes": ["関係機関へのつなぎ", "多機関協働"], "method": rng.choice(["書面", "口頭"]),
                       "obtained_on": today - dt.timedelta(days=rng.randint(0, 400))}
        received = timezone.now() - dt.timedelta(days=rng.randint(0, 540), hours=rng.randint(0, 8))
        c = services.record_consultation(
            actor, new_person=person, received_at=received, channel=rng.choice(["来所", "電話", "訪問", "関係機関から"]),
            consulter_type=rng.choice(["本人", "家族", "民生委員", "関係機関"]), chief_complaint=shape["complaint"],
            issue_tags=shape["tags"], urgency=rng.choice(["high", "normal", "normal", "low"]),
            household_members=members, consent=consent,
            sensitive_categories=["病歴・健康"] if shape_key in ("young_carer", "disability") else [],
            sensitive_notes="通院中（詳細は受付機関の記録）" if shape_key in ("young_carer", "disability") else "",
        )
        created += 1
        _progress(rng, c, actor, windows, intake_role)
    return created


def _progress(rng, c, actor, windows, intake_role):
    """Move a consultation to one of the states staff meet in practice, at plausible times after intake."""
    now = timezone.now()

    def later(days: int) -> dt.datetime:
        return min(c.received_at + dt.timedelta(days=days, hours=rng.randint(1, 6)), now)

    roll = rng.random()
    others = [a for a in windows if a.pk != c.agency_id]
    if roll < 0.25:
        services.handle_in_house(actor, c)
        if rng.random() < 0.5:
            services.close_consultation(actor, c, outcome="self", next_step="自機関で支援を継続し、3か月後に見守りの電話",
                                        at=later(rng.randint(20, 90)))
        return
    if roll < 0.35:
        services.close_consultation(actor, c, outcome="info", next_step="地域の通いの場と相談窓口の一覧を情報提供した",
                                    at=later(0))
        return
    if roll < 0.42:
        try:
            services.escalate_to_multiagency(actor, c, message="複数の課題が重なり、単独機関では対応が難しい",
                                             statutory_basis="" if c.with_consent else "vital", at=later(3))
        except services.IntakeError:
            pass
        return
    target = rng.choice(others)
    r = services.refer_consultation(actor, c, to_agency=target, message="ご対応をお願いします",
                                    statutory_basis="vital" if rng.random() < 0.5 else "benefit", at=later(1))
    receiver = _staff_for(target, intake_role)
    outcome = rng.random()
    if outcome < 0.3:
        return  # sent, awaiting an answer
    if outcome < 0.7:
        services.accept_referral(receiver, r, note="担当者を決めて連絡します", at=later(rng.randint(2, 6)))
        own = Consultation.objects.filter(source_referral=r).first()
        if own is not None and own.received_at < timezone.now():  # the receiver's own record: its 支援経過
            services.add_consultation_note(receiver, own, kind="phone", occurred_at=own.received_at,
                                           text="本人に電話し、来週の訪問を約束した")
        if r.basis == "consent" and rng.random() < 0.1:
            withdraw_consent(actor, r.consent, note="本人から共有をやめてほしいと申し出")
        return
    suggestion = rng.choice([a for a in others if a.pk != target.pk])
    services.return_referral(receiver, r, reason="当機関の対象年齢・分野外のため", suggested_agency=suggestion,
                             at=later(3))
    if rng.random() < 0.6:
        again = services.resend_referral(actor, r, statutory_basis="vital", at=later(5))
        if rng.random() < 0.6:
            services.accept_referral(_staff_for(suggestion, intake_role), again, at=later(8))
