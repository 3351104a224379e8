import pytest
from django.urls import reverse

from tsunagu.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGES = ["home", "agency_list", "address_lookup", "organisation", "audit_log"]


def test_login_page_is_japanese(client):
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="ja">' in body and "ログイン" in body and "パスワード" in body


@pytest.mark.parametrize("name", PAGES)
def test_pages_require_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_login_shows_program_name_and_is_audited(client, intake_a):
    response = client.post("/accounts/login/", {"username": "intake_a", "password": "pw-for-tests-123"},
                           follow=True)
    body = response.content.decode()
    assert "いみず・みんなで・つながっと(good)事業" in body
    assert "新湊西地域包括支援センター" in body
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == intake_a and event.municipality == intake_a.municipality


def test_failed_login_is_audited_without_the_password(client, intake_a):
    response = client.post("/accounts/login/", {"username": "intake_a", "password": "wrong-password"})
    assert "ユーザー名またはパスワードが正しくありません" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.detail == {"username": "intake_a"}
    assert "wrong-password" not in event.payload()


def test_logout_is_a_post_and_audited(client, intake_a):
    client.force_login(intake_a)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=intake_a).exists()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("name", PAGES[:-1])
def test_staff_pages_render(client, intake_a, name):
    client.force_login(intake_a)
    assert client.get(reverse(name)).status_code == 200


def test_audit_log_is_for_the_system_admin_only(client, intake_a, manager, sysadmin):
    # ACCESS.md G12: the system administrator reads the (pseudonymised) log; the manager sees aggregates only (G11).
    for user in (intake_a, manager):
        client.force_login(user)
        forbidden = client.get("/audit/")
        assert forbidden.status_code == 403 and "システム管理の役割の職員だけ" in forbidden.content.decode()
    client.force_login(sysadmin)
    assert client.get("/audit/").status_code == 200
    assert AuditEvent.objects.filter(action="audit.viewed").count() == 1


def test_prefecture_user_sees_no_municipal_directory(client, prefecture_user, imizu):
    client.force_login(prefecture_user)
    body = client.get("/directory/agencies/").content.decode()
    assert "新湊西地域包括支援センター" not in body


def test_address_lookup_page_and_fragment(client, intake_a):
    client.force_login(intake_a)
    page = client.get("/directory/lookup/", {"address": "射水市放生津町1番1号"})
    assert "新湊西地域包括支援センター" in page.content.decode() and "<html" in page.content.decode()
    fragment = client.get("/directory/lookup/", {"address": "射水市放生津町1番1号"}, HTTP_HX_REQUEST="true")
    assert "新湊西地域包括支援センター" in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert AuditEvent.objects.filter(action="directory.address_lookup").count() == 2


def test_address_lookup_rejects_too_long_input_in_japanese(client, intake_a):
    client.force_login(intake_a)
    body = client.get("/directory/lookup/", {"address": "あ" * 201}).content.decode()
    assert "住所は200文字以内で入力してください。" in body


def test_unknown_url_is_a_japanese_404(client, intake_a):
    client.force_login(intake_a)
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and "ページが見つかりません" in response.content.decode()


def test_security_headers(client):
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_production_hasher_is_argon2():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TSUNAGU_FAST_HASHER"}
    out = subprocess.run([sys.executable, "-c", "import tsunagu.settings as s; print(s.PASSWORD_HASHERS[0])"],
                         capture_output=True, text=True, env=env, check=True).stdout.strip()
    assert out == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_demo_command_is_idempotent_and_lists_accounts(db):
    from io import StringIO

    from django.core.management import call_command

    from tsunagu.directory.models import Staff

    out = StringIO()
    call_command("demo", stdout=out)
    first = Staff.objects.count()
    call_command("demo", stdout=StringIO())
    assert Staff.objects.count() == first
    text = out.getvalue()
    assert "imizu.madoguchi" in text and "tsunagu-demo-2026" in text
    madoguchi = Staff.objects.get(username="imizu.madoguchi")
    assert madoguchi.agency.name == "新湊西地域包括支援センター"
    assert madoguchi.check_password("tsunagu-demo-2026")


@pytest.mark.parametrize("path", ["/static/tsunagu/app.css", "/static/tsunagu/htmx.min.js"])
def test_static_files_are_served(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)
