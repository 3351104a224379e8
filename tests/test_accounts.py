"""Accounts (issue 12): lockout, passwords, sessions, the second factor, production safety.

These tests log in through the real login page (`django.test.Client`, not the persona client of conftest).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.test import Client

from tests.two_factor import current_code
from tsunagu.accounts.middleware import LOGIN_AT, SEEN_AT
from tsunagu.directory.models import Role
from tsunagu.directory.services import DirectoryError, create_staff
from tsunagu.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-123"
GOOD_KEY = "t3St-0nly-K3y_qWeRtY-uIoP-aSdF-gHjK-lZxC-vBnM-1234567890"


def login(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    response = client.get("/")
    return response.status_code == 200


# ------------------------------------------------------------------------------------------------ lockout

def test_ten_wrong_passwords_then_the_right_one_does_not_log_in(intake_a):
    client = Client()
    for _ in range(10):
        login(client, "intake_a", "wrong-password-x")
    response = login(client, "intake_a")
    body = response.content.decode()
    assert response.status_code == 429 and "ログインが一時的にロックされています" in body
    assert not logged_in(client)
    assert AuditEvent.objects.filter(action="auth.locked_out", municipality=intake_a.municipality).exists()


def test_lockout_is_per_user_name_from_any_address(intake_a, staff_b):
    for i in range(5):
        login(Client(REMOTE_ADDR=f"192.0.2.{i + 1}"), "intake_a", "wrong-password-x")
    assert login(Client(REMOTE_ADDR="192.0.2.99"), "intake_a").status_code == 429
    other = Client(REMOTE_ADDR="192.0.2.99")  # the same address still works for another user
    assert login(other, "staff_b").status_code == 302 and logged_in(other)


def test_lockout_per_address_needs_more_failures(intake_a):
    for i in range(19):
        login(Client(REMOTE_ADDR="198.51.100.7"), f"guess{i}", "wrong-password-x")
    assert login(Client(REMOTE_ADDR="198.51.100.7"), "intake_a").status_code == 302
    for i in range(20):
        login(Client(REMOTE_ADDR="198.51.100.8"), f"guess{i}", "wrong-password-x")
    assert login(Client(REMOTE_ADDR="198.51.100.8"), "intake_a").status_code == 429


def test_failed_logins_belong_to_the_municipality_of_the_account(intake_a, fussa_staff):
    login(Client(), "intake_a", "wrong-password-x")
    login(Client(), "fussa_staff", "wrong-password-x")
    login(Client(), "nobody-such", "wrong-password-x")
    failed = {e.detail["username"]: e.municipality_id for e in AuditEvent.objects.filter(action="auth.login_failed")}
    assert failed == {"intake_a": intake_a.municipality_id, "fussa_staff": fussa_staff.municipality_id,
                      "nobody-such": None}
    assert all("wrong-password-x" not in e.payload() for e in AuditEvent.objects.all())


def test_the_system_admin_unlocks_an_account(client, intake_a, sysadmin):
    for _ in range(6):
        login(Client(), "intake_a", "wrong-password-x")
    client.force_login(sysadmin)
    page = client.get("/accounts/staff/").content.decode()
    assert "ロック中" in page
    response = client.post(f"/accounts/staff/{intake_a.pk}/unlock/", follow=True)
    assert "ログインのロックを解除しました" in response.content.decode()
    fresh = Client()
    assert login(fresh, "intake_a").status_code == 302 and logged_in(fresh)
    assert AuditEvent.objects.filter(action="staff.unlocked", actor=sysadmin).exists()


def test_only_the_system_admin_manages_accounts(client, intake_a, manager, fussa_staff, sysadmin):
    for user in (intake_a, manager):
        client.force_login(user)
        assert client.get("/accounts/staff/").status_code == 403
        assert client.post(f"/accounts/staff/{intake_a.pk}/unlock/").status_code == 403
    client.force_login(sysadmin)
    assert client.post(f"/accounts/staff/{fussa_staff.pk}/unlock/").status_code == 404
    assert client.post(f"/accounts/staff/{intake_a.pk}/no-such-action/").status_code == 404


# ------------------------------------------------------------------------------------------------ passwords

@pytest.mark.parametrize("password, message", [
    ("a", "短すぎます"),
    ("short-pw1", "短すぎます"),
    ("password1234", "一般的すぎます"),
    ("123456789012345", "数字しか"),
    ("tanaka.hanako1", "似すぎています"),
])
def test_create_staff_applies_the_password_rules(imizu, password, message):
    with pytest.raises(DirectoryError) as err:
        create_staff(actor=None, municipality=imizu, username="tanaka.hanako", display_name="田中 花子",
                     password=password, agency=None, roles=[])
    assert message in err.value.args[0], err.value.args[0]


def test_create_staff_accepts_a_good_password(imizu):
    staff = create_staff(actor=None, municipality=imizu, username="tanaka.hanako", display_name="田中 花子",
                         password="kaze-no-toori-michi-7", agency=None, roles=[])
    assert staff.check_password("kaze-no-toori-michi-7")


def test_password_change_page(intake_a):
    client, other_device = Client(), Client()
    login(client, "intake_a")
    login(other_device, "intake_a")
    weak = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "abc",
                                               "new_password2": "abc"})
    assert weak.status_code == 400 and "短すぎます" in weak.content.decode()
    wrong_old = client.post("/accounts/password/", {"old_password": "nope", "new_password1": "kaze-no-toori-7x",
                                                    "new_password2": "kaze-no-toori-7x"})
    assert wrong_old.status_code == 400
    ok = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "kaze-no-toori-7x",
                                             "new_password2": "kaze-no-toori-7x"}, follow=True)
    assert "パスワードを変更しました" in ok.content.decode()
    assert logged_in(client) and not logged_in(other_device)
    assert AuditEvent.objects.filter(action="staff.password_changed", actor=intake_a).exists()


def test_admin_reset_forces_a_change_at_next_login(client, intake_a, sysadmin):
    victim_session = Client()
    login(victim_session, "intake_a")
    client.force_login(sysadmin)
    page = client.post(f"/accounts/staff/{intake_a.pk}/reset_password/").content.decode()
    temporary = page.split('id="temporary-password">')[1].split("<")[0]
    assert len(temporary) >= 12
    assert not logged_in(victim_session)  # the reset ended the sessions that were open
    fresh = Client()
    assert login(fresh, "intake_a", temporary).status_code == 302
    for path in ("/", "/intake/", "/people/search/"):
        response = fresh.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert "管理者がパスワードを再設定しました" in fresh.get("/accounts/password/").content.decode()
    fresh.post("/accounts/password/", {"old_password": temporary, "new_password1": "kaze-no-toori-7x",
                                       "new_password2": "kaze-no-toori-7x"})
    assert logged_in(fresh)


# ------------------------------------------------------------------------------------------------ sessions

def _age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_idle_timeout_default_30_minutes(intake_a):
    client = Client()
    login(client, "intake_a")
    _age_session(client, **{SEEN_AT: 29 * 60})
    assert logged_in(client)
    _age_session(client, **{SEEN_AT: 31 * 60})
    response = client.get("/intake/", follow=True)
    assert "操作がないまま30分が経ったため、ログアウトしました" in response.content.decode()
    assert response.redirect_chain[0][0].startswith("/accounts/login/?next=/intake/")
    assert AuditEvent.objects.filter(action="auth.session_idle", actor=intake_a).exists()


def test_idle_timeout_comes_from_the_profile(intake_a):
    m = intake_a.municipality
    m.profile = {**m.profile, "security": {"idle_timeout_minutes": 60, "require_two_factor_for_all": False}}
    m.save(update_fields=["profile"])
    client = Client()
    login(client, "intake_a")
    _age_session(client, **{SEEN_AT: 45 * 60})
    assert logged_in(client)
    _age_session(client, **{SEEN_AT: 61 * 60})
    assert not logged_in(client)


def test_absolute_timeout_even_when_busy(intake_a, settings):
    client = Client()
    login(client, "intake_a")
    _age_session(client, **{LOGIN_AT: int(settings.TSUNAGU_SESSION_MAX_HOURS * 3600) + 60, SEEN_AT: 5})
    response = client.get("/", follow=True)
    assert "時間が経ったため、ログアウトしました" in response.content.decode()


def test_htmx_requests_are_sent_to_the_login_page(intake_a):
    client = Client()
    login(client, "intake_a")
    _age_session(client, **{SEEN_AT: 31 * 60})
    response = client.get("/directory/lookup/", {"address": "x"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_logout_everywhere(intake_a):
    phone, desk = Client(), Client()
    login(phone, "intake_a")
    login(desk, "intake_a")
    response = desk.post("/accounts/logout-everywhere/", follow=True)
    assert "すべての端末からログアウトしました" in response.content.decode()
    assert not logged_in(phone) and not logged_in(desk)
    again = Client()
    login(again, "intake_a")
    assert logged_in(again)


# ------------------------------------------------------------------------------------------------ 2FA

def _enrol(client, username):
    login(client, username)
    page = client.get("/accounts/2fa/")
    body = page.content.decode()
    assert "二要素認証の登録" in body and 'src="data:image/svg+xml' in body
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    secret = body.split('id="totp-secret">')[1].split("<")[0].replace(" ", "")
    from base64 import b32encode

    assert secret == b32encode(device.bin_key).decode().rstrip("=")
    wrong = client.post("/accounts/2fa/", {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "確認コードが正しくありません" in wrong.content.decode()
    hurried = client.post("/accounts/2fa/", {"code": current_code(device)})  # django-otp throttles retries
    assert hurried.status_code == 400 and "少し待ってから" in hurried.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    done = client.post("/accounts/2fa/", {"code": current_code(device)}, follow=True)
    codes = [c.split("<")[0] for c in done.content.decode().split("<li><code>")[1:]]
    assert len(codes) == 10
    return device, codes


@pytest.mark.parametrize("persona", ["coordinator", "manager", "sysadmin", "prefecture_user"])
def test_privileged_roles_must_pass_a_second_factor(request, persona):
    user = request.getfixturevalue(persona)
    client = Client()
    assert login(client, user.username).status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/?next=/"
    assert client.get("/audit/").status_code == 302
    _enrol(client, user.username)
    assert logged_in(client)


def test_the_data_steward_role_needs_two_factor(coordinator):
    from tsunagu.accounts.policy import privileged_role_kinds
    from tsunagu.identity.services import REVIEWER_ROLE

    assert REVIEWER_ROLE in privileged_role_kinds()


def test_second_login_asks_for_the_code_and_accepts_a_recovery_code_once(coordinator):
    device, codes = _enrol(Client(), "coord")
    client = Client()
    login(client, "coord")
    page = client.get("/accounts/2fa/").content.decode()
    assert "確認コードの入力" in page and "totp-secret" not in page
    assert client.post("/accounts/2fa/", {"code": "123"}).status_code == 400
    from django_otp.plugins.otp_static.models import StaticDevice

    StaticDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)  # waited a moment
    client.post("/accounts/2fa/", {"code": current_code(device)})
    assert logged_in(client)
    with_recovery = Client()
    login(with_recovery, "coord")
    with_recovery.post("/accounts/2fa/", {"code": codes[0]})
    assert logged_in(with_recovery)
    reused = Client()
    login(reused, "coord")
    assert reused.post("/accounts/2fa/", {"code": codes[0]}).status_code == 400
    assert not logged_in(reused)


def _wrong_codes(client, device, n):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    wrong = "000000" if current_code(device) != "000000" else "111111"
    responses = []
    for _ in range(n):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0,
                                                       throttling_failure_timestamp=None)  # waited a moment
        responses.append(client.post("/accounts/2fa/", {"code": wrong}))
    return responses


def test_wrong_second_factor_codes_lock_the_account_like_wrong_passwords(coordinator):
    device, _ = _enrol(Client(), "coord")
    client = Client()
    login(client, "coord")
    first, *_, last = _wrong_codes(client, device, 5)
    assert first.status_code == 400 and "コードが正しくありません" in first.content.decode()
    assert last.status_code == 429 and "ログインが一時的にロックされています" in last.content.decode()
    assert not logged_in(client)
    # Locked: neither the password nor the right code gets in now.
    again = Client()
    assert login(again, "coord").status_code == 429
    assert again.post("/accounts/2fa/", {"code": current_code(device)}).status_code in (302, 429)
    assert not logged_in(again)
    # The five wrong codes, and the one wrong code of the enrolment, each under the account's municipality.
    assert AuditEvent.objects.filter(action="auth.2fa_failed", municipality=coordinator.municipality).count() == 6


def test_a_correct_password_does_not_wipe_wrong_codes(coordinator):
    device, _ = _enrol(Client(), "coord")
    for _ in range(2):  # two sign-ins with the password, two wrong codes each: the count goes on
        client = Client()
        assert login(client, "coord").status_code == 302
        _wrong_codes(client, device, 2)
    client = Client()
    assert login(client, "coord").status_code == 302
    assert _wrong_codes(client, device, 1)[0].status_code == 429
    assert not logged_in(client)


def test_a_full_sign_in_forgets_earlier_failures(coordinator):
    device, _ = _enrol(Client(), "coord")
    client = Client()
    login(client, "coord")
    _wrong_codes(client, device, 4)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    client.post("/accounts/2fa/", {"code": current_code(device)})
    assert logged_in(client)
    later = Client()
    login(later, "coord")
    assert _wrong_codes(later, device, 1)[0].status_code == 400  # one failure, not the fifth


def test_intake_workers_need_no_second_factor_unless_the_profile_says_so(intake_a):
    client = Client()
    login(client, "intake_a")
    assert logged_in(client)
    m = intake_a.municipality
    m.profile = {**m.profile, "security": {"idle_timeout_minutes": 30, "require_two_factor_for_all": True}}
    m.save(update_fields=["profile"])
    assert client.get("/")["Location"] == "/accounts/2fa/?next=/"


def test_a_privileged_account_passes_the_second_factor_before_the_forced_change(client, coordinator, sysadmin):
    _enrol(Client(), "coord")
    client.force_login(sysadmin)
    page = client.post(f"/accounts/staff/{coordinator.pk}/reset_password/").content.decode()
    temporary = page.split('id="temporary-password">')[1].split("<")[0]
    fresh = Client()
    login(fresh, "coord", temporary)
    assert fresh.get("/accounts/password/")["Location"] == "/accounts/2fa/?next=/accounts/password/"
    from django_otp.plugins.otp_totp.models import TOTPDevice

    fresh.post("/accounts/2fa/", {"code": current_code(TOTPDevice.objects.get(user=coordinator))})
    assert fresh.get("/")["Location"] == "/accounts/password/"
    assert fresh.get("/accounts/password/").status_code == 200


def test_roles_without_two_factor_are_not_asked_for_it(intake_a):
    client = Client()
    login(client, "intake_a")
    assert "この役割では二要素認証は必要ありません" in client.get("/accounts/2fa/").content.decode()


def test_the_next_address_after_the_second_factor_stays_on_this_site(coordinator):
    device, _ = _enrol(Client(), "coord")
    for target, expected in (("true", "/"), ("//evil.example/", "/"), ("https://evil.example/", "/"),
                             ("/cases/", "/cases/")):
        client = Client()
        login(client, "coord")
        device.refresh_from_db()
        response = client.post("/accounts/2fa/", {"code": current_code(device), "next": target})
        assert response["Location"] == expected, target


def test_admin_resets_a_lost_authenticator(client, coordinator, sysadmin):
    _enrol(Client(), "coord")
    client.force_login(sysadmin)
    client.post(f"/accounts/staff/{coordinator.pk}/reset_2fa/")
    again = Client()
    login(again, "coord")
    assert "二要素認証の登録" in again.get("/accounts/2fa/").content.decode()


def test_profile_schema_accepts_the_security_block():
    from tsunagu.directory.profile_schema import Security

    assert Security().idle_timeout_minutes == 30 and Security().require_two_factor_for_all is False
    with pytest.raises(ValueError):
        Security(idle_timeout_minutes=1)


def test_role_kinds_of_the_personas_are_real(imizu):
    assert Role.objects.for_municipality(imizu).filter(kind="coordinator").exists()


# ------------------------------------------------------------------------------------------------ production

def _run(code: str, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGU_") or k == "TSUNAGU_DATA_DIR"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**base, **env})


def test_check_deploy_fails_without_a_real_secret_key(tmp_path):
    env = {"TSUNAGU_DATA_DIR": str(tmp_path)}
    cmd = "from tsunagu.cli import main; import sys; sys.argv=['tsunagu','check','--deploy']; main()"
    result = _run(cmd, **env)
    assert result.returncode != 0 and "本番用の秘密鍵が設定されていません" in result.stderr
    weak = _run(cmd, TSUNAGU_SECRET_KEY="insecure-short", **env)
    assert weak.returncode != 0 and "推測しやすい値" in weak.stderr
    good = _run(cmd, TSUNAGU_SECRET_KEY=GOOD_KEY, TSUNAGU_HTTPS="1", **env)
    assert "tsunagu.E001" not in good.stderr


def test_the_wsgi_server_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run("import tsunagu.wsgi", TSUNAGU_DATA_DIR=str(tmp_path))
    assert result.returncode != 0 and "TSUNAGU_SECRET_KEY" in result.stderr
    ok = _run("import tsunagu.wsgi", TSUNAGU_DATA_DIR=str(tmp_path), TSUNAGU_SECRET_KEY=GOOD_KEY)
    assert ok.returncode == 0, ok.stderr
    debug = _run("import tsunagu.wsgi", TSUNAGU_DATA_DIR=str(tmp_path), TSUNAGU_DEBUG="1")
    assert debug.returncode == 0, debug.stderr
    demo = _run("import tsunagu.wsgi", TSUNAGU_DATA_DIR=str(tmp_path), TSUNAGU_LOCAL_DEMO="1")  # make run
    assert demo.returncode == 0, demo.stderr


def test_https_mode_turns_on_hsts_secure_cookies_and_the_redirect(tmp_path):
    code = ("import tsunagu.settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)")
    on = _run(code, TSUNAGU_HTTPS="1", TSUNAGU_DATA_DIR=str(tmp_path)).stdout.split()
    legacy = _run(code, TSUNAGU_SECURE_COOKIES="1", TSUNAGU_DATA_DIR=str(tmp_path)).stdout.split()
    off = _run(code, TSUNAGU_DATA_DIR=str(tmp_path)).stdout.split()
    assert on == legacy == ["True", "True", "True", "31536000"]
    assert off == ["False", "False", "False", "0"]


def test_https_redirect_and_hsts_header(settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client()
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200  # load balancers check over http
    secure = client.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


def test_local_secret_file_is_private_and_stable(tmp_path):
    code = "import tsunagu.settings as s; print(s.SECRET_KEY)"
    first = _run(code, TSUNAGU_DATA_DIR=str(tmp_path)).stdout.strip()
    second = _run(code, TSUNAGU_DATA_DIR=str(tmp_path)).stdout.strip()
    assert first == second and len(first) >= 50
    assert (tmp_path / "secret-key").stat().st_mode & 0o777 == 0o600


def test_no_menu_before_the_second_factor(coordinator):
    client = Client()
    login(client, "coord")
    page = client.get("/accounts/2fa/").content.decode()
    assert 'aria-label="メインメニュー"' not in page and "ログアウト" in page
