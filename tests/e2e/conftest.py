"""End-to-end harness: Playwright drives Debian's chromium against a live server.

Screenshots of failing journeys are saved under test-artifacts/ (CI keeps them).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = os.environ.get("TSUNAGU_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("chromium がありません。`make browser` でインストールしてください。", pytrace=False)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request, live_server):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def login(page, username: str, password: str) -> None:
    """Log in through the real pages, including the second factor of privileged roles.

    On first login the 2FA page shows a QR code and the same key as text: the helper reads that key, as a
    person's authenticator app would from the QR code, and enters the code it gives; later logins use the
    device's key like the app on the person's phone.
    """
    page.goto("/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()
    if "/accounts/2fa/" not in page.url or "/recovery/" in page.url:
        return
    from tests.two_factor import code_for_key, current_code

    secret = page.locator("#totp-secret")
    if secret.count():
        from base64 import b32decode

        raw = secret.inner_text().replace(" ", "")
        key = b32decode(raw + "=" * (-len(raw) % 8)).hex()
        page.get_by_label("確認コード").fill(code_for_key(key))
        page.get_by_role("button", name="登録する").click()
        page.get_by_role("link", name="控えました。続ける").click()
    else:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.get_by_label("確認コード").fill(current_code(device))
        page.get_by_role("button", name="確認する").click()
    page.wait_for_load_state()
