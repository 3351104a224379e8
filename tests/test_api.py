"""The JSON API (issue 14): tokens, scopes, errors, and that each resource answers exactly what the grant opens
(ACCESS.md §2, invariant 4: "side paths obey the same table … the API")."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tsunagu.accounts import tokens
from tsunagu.accounts.models import ApiToken
from tsunagu.intake import services as intake
from tsunagu.privacy.models import AuditEvent, ReadRecord

from .conftest import agency_named
from .intake_fixtures import record

pytestmark = pytest.mark.django_db

SECRET_DETAIL = "CANARY-API-DETAIL"
SECRET_SENS = "CANARY-API-SENS"
ADDRESS = "射水市放生津町1番1号"


def token_for(user, scopes=None, days=1):
    raw = f"{tokens.PREFIX}test-{user.username}-{timezone.now().timestamp()}"
    ApiToken.objects.create(municipality_id=user.municipality_id, staff=user, name="test", prefix=raw[:10],
                            digest=tokens.digest(raw), scopes=scopes if scopes is not None else list(tokens.SCOPES),
                            expires_at=timezone.now() + dt.timedelta(days=days))
    return raw


def call(client, method, url, token, body=None, **query):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "GET":
        return client.get(url, query, **headers)
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def consultation(user, **kw):
    c = record(user, sensitive=SECRET_SENS, **kw)
    c.detail = SECRET_DETAIL
    c.save(update_fields=["detail"])
    return c


# ------------------------------------------------------------------------------------------------ auth, errors

def test_no_token_is_401_json_in_japanese(client, intake_a):
    r = client.get("/api/v1/persons", {"q": "高橋"})
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated" and "トークン" in r.json()["message"]
    assert r["WWW-Authenticate"] == "Bearer"


def test_a_session_is_not_a_token(client, intake_a):
    client.force_login(intake_a)
    assert client.get("/api/v1/persons", {"q": "高橋"}).status_code == 401


def test_expired_revoked_and_disabled_tokens_are_refused(client, intake_a, sysadmin):
    raw = token_for(intake_a)
    assert call(client, "GET", "/api/v1/consultations", raw).status_code == 200
    t = ApiToken.objects.get(digest=tokens.digest(raw))
    assert t.last_used_at is not None
    tokens.revoke_token(sysadmin, t)
    assert call(client, "GET", "/api/v1/consultations", raw).status_code == 401
    raw2 = token_for(intake_a)
    ApiToken.objects.filter(digest=tokens.digest(raw2)).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert call(client, "GET", "/api/v1/consultations", raw2).status_code == 401
    raw3 = token_for(intake_a)
    intake_a.is_active = False
    intake_a.save()
    assert call(client, "GET", "/api/v1/consultations", raw3).status_code == 401


def test_scope_is_checked_per_resource(client, intake_a):
    raw = token_for(intake_a, scopes=["persons:read"])
    r = call(client, "GET", "/api/v1/consultations", raw)
    assert r.status_code == 403 and r.json()["code"] == "forbidden" and "相談" in r.json()["message"]
    c = consultation(intake_a)
    assert call(client, "POST", f"/api/v1/referrals/{c.pk}/accept", raw).status_code in (403, 404)


def test_rate_limit_answers_429(client, intake_a, settings):
    settings.TSUNAGU_API_RATE_PER_MINUTE = 3
    raw = token_for(intake_a)
    codes = [call(client, "GET", "/api/v1/consultations", raw).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429


def test_invalid_input_is_400_json(client, intake_a):
    raw = token_for(intake_a)
    r = call(client, "POST", "/api/v1/consultations", raw, {"channel": "来所"})
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = call(client, "GET", "/api/v1/persons/99999999", raw)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_token_is_hashed_at_rest_and_never_logged(client, intake_a, sysadmin):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=intake_a, confirmed=True, name="t")
    token, raw = tokens.issue_token(sysadmin, intake_a, name="基幹システム", scopes=["persons:read"], days=30)
    assert token.digest == tokens.digest(raw) and raw not in token.digest and token.prefix == raw[:10]
    call(client, "GET", "/api/v1/persons", raw, q="高橋")
    for event in AuditEvent.objects.all():
        assert raw not in json.dumps(event.detail, ensure_ascii=False, default=str)


def test_two_factor_roles_get_short_tokens_only_after_enrolling(coordinator, sysadmin):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tsunagu.core.errors import DomainError

    with pytest.raises(DomainError):
        tokens.issue_token(sysadmin, coordinator, name="x", scopes=["cases:read"], days=10)
    TOTPDevice.objects.create(user=coordinator, confirmed=True, name="t")
    with pytest.raises(DomainError):
        tokens.issue_token(sysadmin, coordinator, name="x", scopes=["cases:read"], days=31)
    tokens.issue_token(sysadmin, coordinator, name="x", scopes=["cases:read"], days=30)


def test_only_the_admin_issues_tokens(client, intake_a, sysadmin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        tokens.issue_token(intake_a, intake_a, name="x", scopes=["persons:read"], days=1)
    client.force_login(intake_a)
    assert client.get("/accounts/api-tokens/").status_code == 403


def test_admin_screen_shows_the_token_once(client, sysadmin, intake_a):
    client.force_login(sysadmin)
    r = client.post("/accounts/api-tokens/", {"staff": intake_a.pk, "name": "基幹システム",
                                               "scopes": ["persons:read", "consultations:read"], "days": 30})
    assert r.status_code == 200
    page = r.content.decode()
    token = ApiToken.objects.get()
    raw = page.split("<code>")[1].split("</code>")[0]
    assert raw.startswith(tokens.PREFIX) and tokens.digest(raw) == token.digest
    assert raw not in client.get("/accounts/api-tokens/").content.decode()
    r = client.post(f"/accounts/api-tokens/{token.pk}/revoke/")
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


# ------------------------------------------------------------------------------------------------ grants

def test_own_agency_reads_in_full_and_is_audited(client, intake_a):
    c = consultation(intake_a, consent_all=True)
    raw = token_for(intake_a)
    r = call(client, "GET", f"/api/v1/consultations/{c.pk}", raw)
    assert r.status_code == 200
    body = r.json()
    assert body["detail"] == SECRET_DETAIL and body["sensitive_notes"] == SECRET_SENS
    event = AuditEvent.objects.filter(action="consultation.viewed").latest("pk")
    assert event.detail["via"] == "api"
    assert ReadRecord.objects.filter(event=event, person_id=c.person_id).exists()
    p = call(client, "GET", f"/api/v1/persons/{c.person_id}", raw).json()
    assert p["basic"]["address"] == ADDRESS


def test_statutory_receiver_gets_name_and_summary_only(client, intake_a, staff_b):
    c = consultation(intake_a)  # no consent
    ref = intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="至急の見守りを",
                                    statutory_basis="vital")
    raw = token_for(staff_b)
    p = call(client, "GET", f"/api/v1/persons/{c.person_id}", raw).json()
    assert p["name"] == "高橋 一郎" and p["basic"] is None and p["households"] is None
    body = call(client, "GET", f"/api/v1/consultations/{c.pk}", raw).json()
    assert body["chief_complaint"] and body["detail"] is None and body["sensitive_notes"] is None
    assert body["channel"] is None
    r = call(client, "GET", f"/api/v1/referrals/{ref.pk}", raw).json()
    assert r["message"] == "至急の見守りを"
    text = json.dumps([p, body, r], ensure_ascii=False)
    assert SECRET_DETAIL not in text and SECRET_SENS not in text and ADDRESS not in text


def test_consented_receiver_gets_basic_and_content_not_sensitive(client, intake_a, staff_b):
    c = consultation(intake_a, consent_agencies=[staff_b.agency])
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="よろしく")
    raw = token_for(staff_b)
    body = call(client, "GET", f"/api/v1/consultations/{c.pk}", raw).json()
    assert body["detail"] == SECRET_DETAIL and body["sensitive_notes"] is None
    p = call(client, "GET", f"/api/v1/persons/{c.person_id}", raw).json()
    assert p["basic"]["address"] == ADDRESS
    assert SECRET_SENS not in json.dumps([body, p], ensure_ascii=False)


def test_masked_address_stays_hidden_from_the_receiver(client, intake_a, staff_b):
    c = consultation(intake_a, consent_agencies=[staff_b.agency], masked=True)
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    p = call(client, "GET", f"/api/v1/persons/{c.person_id}", token_for(staff_b)).json()
    assert p["basic"] is not None and p["basic"]["address"] is None and p["basic"]["phone"] is None


def test_returned_referral_ends_the_grant(client, intake_a, staff_b, imizu):
    c = consultation(intake_a, consent_agencies=[staff_b.agency])
    ref = intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="よろしく")
    raw = token_for(staff_b)
    other = agency_named(imizu, "地域福祉課")
    r = call(client, "POST", f"/api/v1/referrals/{ref.pk}/return", raw,
             {"reason": "担当外のため", "suggested_agency": other.pk})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert r.json()["person"] is None and r.json()["message"] is None
    assert call(client, "GET", f"/api/v1/persons/{c.person_id}", raw).status_code == 404
    assert call(client, "GET", f"/api/v1/consultations/{c.pk}", raw).status_code == 404


@pytest.mark.parametrize("who", ["manager", "sysadmin", "steward", "fussa_staff", "prefecture_user"])
def test_no_grant_no_record(client, request, intake_a, who):
    user = request.getfixturevalue(who)
    c = consultation(intake_a, consent_all=True)
    raw = token_for(user)
    for url in (f"/api/v1/persons/{c.person_id}", f"/api/v1/consultations/{c.pk}"):
        assert call(client, "GET", url, raw).status_code == 404
    r = call(client, "GET", "/api/v1/persons", raw, q="高橋")
    assert r.status_code in (403, 200)
    assert "高橋" not in r.content.decode()


# ------------------------------------------------------------------------------------------------ writes

def test_record_consultation_through_the_same_service(client, intake_a):
    raw = token_for(intake_a)
    r = call(client, "POST", "/api/v1/consultations", raw, {
        "name": "山田 花子", "kana": "ヤマダ ハナコ", "received_at": "2026-04-01T10:00:00+09:00", "channel": "電話",
        "consulter_type": "本人", "chief_complaint": "生活費が足りない", "with_consent": "no"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["person"]["name"] == "山田 花子" and body["agency"] == intake_a.agency.name
    assert AuditEvent.objects.filter(action="consultation.recorded").exists() or AuditEvent.objects.exists()


def test_referral_send_accept_and_consent_withdraw(client, intake_a, staff_b):
    c = consultation(intake_a, consent_agencies=[staff_b.agency])
    raw_a, raw_b = token_for(intake_a), token_for(staff_b)
    r = call(client, "POST", f"/api/v1/consultations/{c.pk}/referrals", raw_a,
             {"to_agency": staff_b.agency.pk, "message": "お願いします"})
    assert r.status_code == 201, r.content
    ref_id = r.json()["id"]
    assert call(client, "POST", f"/api/v1/referrals/{ref_id}/accept", raw_a).status_code == 403  # the sender
    r = call(client, "POST", f"/api/v1/referrals/{ref_id}/accept", raw_b, {"note": "担当します"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    consents = call(client, "GET", f"/api/v1/persons/{c.person_id}/consents", raw_a).json()
    assert len(consents) == 1
    r = call(client, "POST", f"/api/v1/consents/{consents[0]['id']}/withdraw", raw_a, {"note": "本人から電話で"})
    assert r.status_code == 200 and r.json()["withdrawn_at"]
    # the consent is gone: the receiver sees the consultation no more
    assert call(client, "GET", f"/api/v1/consultations/{c.pk}", raw_b).status_code == 404


def test_widening_a_consent_opens_the_receiver(client, intake_a, staff_b, imizu):
    c = consultation(intake_a, consent_agencies=[agency_named(imizu, "地域福祉課")])
    raw_a, raw_b = token_for(intake_a), token_for(staff_b)
    ref = intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, statutory_basis="vital")
    assert call(client, "GET", f"/api/v1/consultations/{c.pk}", raw_b).json()["detail"] is None
    current = call(client, "GET", f"/api/v1/persons/{c.person_id}/consents", raw_a).json()[0]
    r = call(client, "POST", f"/api/v1/persons/{c.person_id}/consents", raw_a, {
        "scope_all": True, "method": "書面", "obtained_on": str(timezone.localdate()), "supersedes": current["id"],
        "purposes": ["関係機関へのつなぎ"]})
    assert r.status_code == 201, r.content
    assert call(client, "GET", f"/api/v1/consultations/{c.pk}", raw_b).json()["detail"] == SECRET_DETAIL
    assert ref.pk


def test_kpis_for_the_manager_only(client, manager, intake_a):
    r = call(client, "GET", "/api/v1/kpis", token_for(manager))
    assert r.status_code == 200 and isinstance(r.json(), list)
    assert call(client, "GET", "/api/v1/kpis/prefecture-stats", token_for(manager)).status_code == 200
    assert call(client, "GET", "/api/v1/kpis", token_for(intake_a)).status_code == 403


def test_openapi_and_docs(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.json()["openapi"].startswith("3.")
    assert "/api/v1/persons/{person_id}" in r.json()["paths"]
    assert client.get("/api/v1/docs").status_code == 200
