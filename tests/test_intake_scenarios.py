"""Scenarios of 断らない相談 through the services and through the pages."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tsunagu.core.errors import DomainError
from tsunagu.intake import services
from tsunagu.intake.models import Consultation, Referral
from tsunagu.people.models import HouseholdMember, Person
from tsunagu.privacy.models import AuditEvent, Disclosure
from tsunagu.privacy.services import withdraw_consent

from .conftest import agency_named
from .intake_fixtures import record

pytestmark = pytest.mark.django_db

EIGHTY_FIFTY = [
    {"name": "高橋 ハナ", "kana": "タカハシ ハナ", "relation": "母", "birth_date": dt.date(1944, 2, 1),
     "care_roles": ["要介護"]},
]


def test_8050_household_is_referred_to_disability_support_and_accepted(intake_a, staff_b, client):
    c = record(intake_a, consent_agencies=[staff_b.agency], members=EIGHTY_FIFTY, tags=["8050", "ひきこもり"])
    household_roles = {m.relation: m.care_roles for m in HouseholdMember.objects.filter(household=c.household)}
    assert household_roles == {"本人": [], "母": ["要介護"]}
    # Before the referral, agency B cannot see the person at all.
    assert not Person.objects.visible_to(staff_b).filter(pk=c.person_id).exists()
    r = services.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="障害福祉サービスの検討を")
    assert r.basis == "consent" and r.status == "sent"
    disclosure = Disclosure.objects.get(referral=r)
    assert disclosure.basis == "consent" and disclosure.consent == r.consent and "住所" in disclosure.items
    # B sees it in the inbox page, with the shared record.
    client.force_login(staff_b)
    inbox = client.get("/referrals/inbox/").content.decode()
    assert "高橋 一郎" in inbox and "送付済み" in inbox
    detail = client.get(f"/referrals/{r.pk}/").content.decode()
    assert "射水市放生津町1番1号" in detail and "本人同意に基づいて共有された情報です" in detail
    response = client.post(f"/referrals/{r.pk}/accept/", {"note": "担当: 職員B"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == "accepted" and r.responded_by == staff_b
    # The sender sees the status.
    client.force_login(intake_a)
    assert "受理" in client.get("/referrals/outbox/").content.decode()


def test_returned_referral_carries_reason_and_next_destination_and_is_resent(intake_a, staff_b, coordinator):
    c = record(intake_a, consent_all=True)
    r = services.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    with pytest.raises(DomainError, match="理由"):
        services.return_referral(staff_b, r, reason=" ", suggested_agency=coordinator.agency)
    with pytest.raises(DomainError, match="提案"):
        services.return_referral(staff_b, r, reason="障害の診断がない", suggested_agency=None)
    r = services.return_referral(staff_b, r, reason="障害の診断がない", suggested_agency=coordinator.agency)
    assert r.status == "returned" and r.suggested_agency == coordinator.agency
    c.refresh_from_db()
    assert c.status == "open"
    # Returned: B no longer sees the person.
    assert not Person.objects.visible_to(staff_b).filter(pk=c.person_id).exists()
    with pytest.raises(PermissionDenied):
        services.resend_referral(staff_b, r)
    again = services.resend_referral(intake_a, r)
    assert again.to_agency == coordinator.agency and again.previous == r and again.status == "sent"
    with pytest.raises(DomainError, match="すでに再送"):
        services.resend_referral(intake_a, r)
    assert AuditEvent.objects.filter(action="referral.resent", object_id=str(again.pk)).exists()


def test_consent_withdrawal_removes_access_at_once(intake_a, staff_b, client):
    c = record(intake_a, consent_agencies=[staff_b.agency])
    r = services.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    services.accept_referral(staff_b, r)
    client.force_login(staff_b)
    assert client.get(f"/people/{c.person_id}/").status_code == 200
    assert client.get(f"/intake/{c.pk}/").status_code == 200
    withdraw_consent(intake_a, r.consent, note="本人から電話で撤回の申し出")
    assert client.get(f"/people/{c.person_id}/").status_code == 404
    assert client.get(f"/intake/{c.pk}/").status_code == 404
    inbox = client.get("/referrals/inbox/").content.decode()
    assert "高橋 一郎" not in inbox and "閲覧できません" in inbox
    assert "本人同意が撤回された" in client.get(f"/referrals/{r.pk}/").content.decode()
    # The earlier disclosure stays on record (R8).
    assert Disclosure.objects.filter(referral=r).count() == 1
    assert AuditEvent.objects.filter(action="consent.withdrawn").count() == 1


def test_referral_without_consent_needs_a_statutory_basis_and_shares_the_minimum(intake_a, staff_b, client):
    c = record(intake_a)  # 本人同意なし
    with pytest.raises(DomainError, match="法令上の根拠") as exc:
        services.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    assert exc.value.field == "statutory_basis"
    r = services.refer_consultation(intake_a, c, to_agency=staff_b.agency, statutory_basis="vital")
    assert r.basis == "statutory"
    assert Disclosure.objects.get(referral=r).items == services.SHARED_WITHOUT_CONSENT
    client.force_login(staff_b)
    body = client.get(f"/referrals/{r.pk}/").content.decode()
    assert "必要最小限の情報" in body and "高橋 一郎" in body
    assert "射水市放生津町" not in body and "0766-00-0000" not in body
    person_page = client.get(f"/people/{c.person_id}/").content.decode()
    assert "射水市放生津町" not in person_page


def test_consent_for_another_agency_does_not_cover_this_one(intake_a, staff_b, coordinator):
    c = record(intake_a, consent_agencies=[coordinator.agency])
    with pytest.raises(DomainError, match="法令上の根拠"):
        services.refer_consultation(intake_a, c, to_agency=staff_b.agency)


def test_sensitive_information_stays_with_the_recording_agency(intake_a, staff_b, client):
    c = record(intake_a, consent_all=True, sensitive="精神科通院中（統合失調症）")
    services.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    client.force_login(intake_a)
    assert "統合失調症" in client.get(f"/intake/{c.pk}/").content.decode()
    client.force_login(staff_b)
    body = client.get(f"/intake/{c.pk}/").content.decode()
    assert "統合失調症" not in body and "要配慮個人情報は、受付機関と同意のあるチームだけ" in body


def test_masked_address_is_hidden_from_other_agencies(intake_a, staff_b, client):
    c = record(intake_a, consent_all=True, masked=True, tags=["DV"])
    r = services.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    client.force_login(intake_a)
    assert "射水市放生津町1番1号" in client.get(f"/people/{c.person_id}/").content.decode()
    client.force_login(staff_b)
    body = client.get(f"/referrals/{r.pk}/").content.decode()
    assert "射水市放生津町1番1号" not in body and "秘匿されています" in body


def test_no_consultation_closes_without_a_next_step(intake_a, staff_b):
    c = record(intake_a, consent_all=True)
    with pytest.raises(DomainError, match="次の一歩"):
        services.close_consultation(intake_a, c, outcome="info", next_step="  ")
    services.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    with pytest.raises(DomainError, match="回答待ち"):
        services.close_consultation(intake_a, c, outcome="refer", next_step="障害者相談支援へつないだ")
    with pytest.raises(PermissionDenied):
        services.close_consultation(staff_b, c, outcome="info", next_step="x")
    other = record(intake_a, name="佐藤 花子", kana="サトウ ハナコ")
    closed = services.close_consultation(intake_a, other, outcome="info", next_step="地域包括の介護予防教室を紹介")
    assert closed.status == "closed" and closed.triage == "info"
    with pytest.raises(DomainError, match="終了した相談"):
        services.refer_consultation(intake_a, closed, to_agency=staff_b.agency, statutory_basis="vital")


def test_only_the_receiving_agency_answers_a_referral(intake_a, staff_b, coordinator):
    c = record(intake_a, consent_all=True)
    r = services.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    with pytest.raises(PermissionDenied):
        services.accept_referral(intake_a, r)
    with pytest.raises(PermissionDenied):
        services.accept_referral(coordinator, r)
    services.accept_referral(staff_b, r)
    with pytest.raises(DomainError, match="すでに"):
        services.return_referral(staff_b, r, reason="x", suggested_agency=coordinator.agency)


def test_escalation_to_multiagency_goes_to_the_coordinating_agency(intake_a, coordinator):
    c = record(intake_a, consent_all=True)
    r = services.escalate_to_multiagency(intake_a, c, message="8050 と経済的困窮が重なる")
    assert r.purpose == "multiagency" and "多機関協働" in r.to_agency.kinds
    c.refresh_from_db()
    assert c.status == "multiagency"
    assert Person.objects.visible_to(coordinator).filter(pk=c.person_id).exists()


def test_duplicate_pending_referral_is_refused(intake_a, staff_b):
    c = record(intake_a, consent_all=True)
    services.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    with pytest.raises(DomainError, match="回答待ち"):
        services.refer_consultation(intake_a, c, to_agency=staff_b.agency)


def test_intake_form_records_a_consultation_with_consent(client, intake_a, staff_b):
    client.force_login(intake_a)
    page = client.get("/intake/new/").content.decode()
    assert "相談受付・申込票" in page and "本人同意あり" in page and "本人同意なし" in page
    response = client.post("/intake/new/", {
        "name": "渡邊 次郎", "kana": "わたなべ じろう", "birth_date": "S55.3.1", "address": "射水市中太閤山1丁目",
        "received_at": "2026-11-20T10:30", "channel": "電話", "consulter_type": "本人",
        "chief_complaint": "仕事を失い家賃が払えない", "issue_tags": ["生活困窮", "住まい"], "urgency": "high",
        "with_consent": "yes", "consent_agencies": [staff_b.agency_id], "consent_method": "口頭",
        "consent_date": "令和8年11月20日", "member1_name": "渡邊 花", "member1_relation": "子",
        "member1_care_roles": ["就学"],
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    c = Consultation.objects.get()
    assert c.person.name == "渡邊 次郎" and c.person.birth_date == dt.date(1980, 3, 1)
    assert c.with_consent and c.consents.get().method == "口頭"
    assert c.household.members.count() == 2


def test_intake_form_keeps_everything_on_error(client, intake_a):
    client.force_login(intake_a)
    response = client.post("/intake/new/", {
        "name": "山﨑 三郎", "birth_date": "昭和99年1月1日", "chief_complaint": "", "channel": "来所",
        "consulter_type": "本人", "received_at": "2026-11-20T10:30", "with_consent": "yes",
        "member1_name": "山﨑 桜",
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert "主訴を入力してください。" in body
    assert "同意の方法（書面・口頭）を選んでください。" in body
    assert "世帯員1の続柄を選んでください。" in body
    assert 'value="山﨑 三郎"' in body and 'value="山﨑 桜"' in body and 'value="昭和99年1月1日"' in body
    assert Consultation.objects.count() == 0 and Person.objects.count() == 0


def test_other_agency_cannot_refer_or_close_someone_elses_consultation(client, intake_a, staff_b):
    c = record(intake_a, consent_all=True)
    r = services.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    client.force_login(staff_b)
    assert client.post(f"/intake/{c.pk}/close/", {"outcome": "info", "next_step": "x"}).status_code == 403
    assert client.post(f"/intake/{c.pk}/refer/", {"to_agency": intake_a.agency_id}).status_code == 403
    assert r.status == "sent"


def test_return_form_requires_a_suggestion_on_the_page(client, intake_a, staff_b):
    c = record(intake_a, consent_all=True)
    r = services.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    client.force_login(staff_b)
    response = client.post(f"/referrals/{r.pk}/return/", {"reason": "対象外です"})
    body = response.content.decode()
    assert response.status_code == 400 and "次のつなぎ先の提案を選んでください。" in body and "対象外です" in body
    r.refresh_from_db()
    assert r.status == Referral.SENT


def test_reads_are_audited(client, intake_a):
    c = record(intake_a)
    client.force_login(intake_a)
    client.get(f"/people/{c.person_id}/")
    client.get(f"/intake/{c.pk}/")
    client.get("/intake/")
    client.get("/people/search/", {"q": "たかはし"})
    actions = list(AuditEvent.objects.filter(actor=intake_a).values_list("action", flat=True))
    assert {"person.viewed", "consultation.viewed", "consultation.listed", "person.searched"} <= set(actions)
    search = AuditEvent.objects.get(action="person.searched")
    assert search.detail == {"q": "たかはし", "results": 1}


def test_agency_b_unrelated_sees_nothing(intake_a, staff_b):
    record(intake_a)
    assert Person.objects.visible_to(staff_b).count() == 0
    assert Consultation.objects.visible_to(staff_b).count() == 0


def test_another_municipality_never_sees_it(intake_a, fussa_staff):
    c = record(intake_a, consent_all=True)
    assert Person.objects.visible_to(fussa_staff).count() == 0
    with pytest.raises(DomainError):
        services.refer_consultation(intake_a, c, to_agency=fussa_staff.agency)


def test_search_finds_variant_spellings_only_among_visible(intake_a, staff_b, client):
    record(intake_a, name="髙橋 一郎", kana="タカハシ イチロウ")
    record(staff_b, name="高橋 次郎", kana="タカハシ ジロウ")
    client.force_login(intake_a)
    for q in ["高橋", "髙橋", "ﾀｶﾊｼ", "たかはし", "タカハシ"]:
        body = client.get("/people/search/", {"q": q}).content.decode()
        assert "髙橋 一郎" in body, q
        assert "高橋 次郎" not in body, q


def test_agency_name_matches_seed(imizu):
    assert agency_named(imizu, "新湊西").name == "新湊西地域包括支援センター"


def test_intake_form_asks_for_match_candidates_while_typing(client, intake_a):
    record(intake_a, name="渡邊 次郎", kana="ワタナベ ジロウ")
    client.force_login(intake_a)
    page = client.get("/intake/new/").content.decode()
    assert 'hx-get="/identity/candidates/"' in page and 'id="identity-candidates-slot"' in page
    fragment = client.get("/identity/candidates/", {"name": "渡辺 次郎", "kana": "わたなべ じろう"},
                          HTTP_HX_REQUEST="true").content.decode()
    assert "渡邊 次郎" in fragment and 'name="person_id"' in fragment
