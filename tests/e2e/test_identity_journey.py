"""Browser journey for 名寄せ: two windows recorded one resident differently; the data steward merges, then undoes it.

The records are made through the intake service (as each window would), the queue is filled by the
`tsunagu match` command, and everything after that happens in the browser as the users would do it.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from tsunagu.core.demo import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IMIZU = "162116"


@pytest.fixture
def demo(transactional_db):
    call_command("demo", households=20, stdout=StringIO())


def _consult(username: str, **person):
    """A consultation recorded at the user's window, with the date written as that window wrote it."""
    from tsunagu.core.forms import JapaneseDateField
    from tsunagu.directory.models import Staff
    from tsunagu.intake import services as intake

    person["birth_date"] = JapaneseDateField().clean(person["birth_date"])  # what the intake form does
    return intake.record_consultation(
        Staff.objects.get(username=username), new_person=person, received_at=timezone.now(), channel="来所",
        consulter_type="本人", chief_complaint="名寄せ試験: 生活費のことで相談したい", issue_tags=["債務"],
        urgency="normal")


@pytest.fixture
def same_resident_twice(demo):
    """新湊西地域包括支援センター and あいネットいみず each recorded 高橋 一郎, written their own way."""
    a = _consult("imizu.madoguchi", name="髙橋　一郎", kana="たかはし いちろう", birth_date="昭和55年3月1日",
                 address="射水市小島一丁目2番3号", phone="0766-83-7171").person
    b = _consult("imizu.shogai", name="高橋 一郎", kana="ﾀｶﾊｼ ｲﾁﾛｳ", birth_date="1980-03-01",
                 address="富山県射水市小島1-2-3 コーポ山田201", phone="0766837171").person
    out = StringIO()
    call_command("match", municipality=IMIZU, stdout=out)
    assert "完了" in out.getvalue()
    return a, b


def _logout(page):
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/accounts/login/")


def test_data_steward_merges_a_pair_from_the_queue_and_undoes_it(page, same_resident_twice):
    from tsunagu.identity.models import IdentityLink, MatchCandidate
    from tsunagu.people.models import Person
    from tsunagu.privacy.models import AuditEvent

    a, b = same_resident_twice
    candidate = MatchCandidate.objects.get(kind="person", person_a_id=min(a.pk, b.pk), person_b_id=max(a.pk, b.pk))
    assert candidate.status == "open"
    before = {p.pk: model_to_dict(p) for p in Person.objects.filter(pk__in=[a.pk, b.pk])}
    audit_start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    # A window worker has no way into the queue: no menu link, and the page itself is refused in Japanese.
    login(page, "imizu.madoguchi", DEMO_PASSWORD)
    page.wait_for_url("**/")
    assert page.locator("header.site").get_by_role("link", name="名寄せ確認").count() == 0
    for url in ("/identity/review/", f"/identity/review/{candidate.pk}/"):
        response = page.goto(url)
        assert response.status == 403
        assert page.get_by_role("heading", name="この操作を行う権限がありません").is_visible()
        body = page.locator("main").inner_text()
        assert "髙橋" not in body and "ﾀｶﾊｼ" not in body and "生年月日一致" not in body
    _logout(page)

    # The data steward (名寄せデータ管理責任者, a role of its own: ACCESS.md G14) opens the queue from the menu.
    login(page, "imizu.steward", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="名寄せ確認").click()
    page.get_by_role("heading", name="名寄せの確認", exact=True).wait_for()
    assert "最終の一括照合" in page.content()
    row = page.get_by_role("row").filter(has_text="髙橋　一郎").filter(has_text="高橋 一郎")
    assert row.count() == 1
    text = row.inner_text()
    assert "生年月日一致" in text
    assert "昭和55年3月1日" in text  # both written in 和暦, whatever the window typed
    # Which agency holds each record is not the steward's to see (「他機関の記録」): G14.
    assert "他機関の記録" in text and "新湊西地域包括支援センター" not in text and "あいネットいみず" not in text
    assert "1-2-3" not in text and "0766" not in text  # the district only, no house number or phone
    row.get_by_role("link", name="確認する").click()

    # The pair side by side, with the reasons; the steward confirms it is one person.
    page.get_by_role("heading", name=f"名寄せ候補 #{candidate.pk}（同一人物）").wait_for()
    assert "状態: 確認待ち" in page.locator("main").inner_text()
    reasons = page.locator("section").filter(has=page.get_by_role("heading", name="照合の根拠")).inner_text()
    assert "生年月日一致" in reasons
    page.get_by_label("同一として確定する").check()
    page.get_by_label("メモ（判断の根拠）").fill("生年月日・住所・電話が一致。両機関に確認済み")
    page.get_by_role("button", name="記録する").click()
    page.get_by_text("同一として確定しました。各機関が見られる記録は変わりません。").wait_for()
    assert page.get_by_role("row").filter(has_text="髙橋　一郎").filter(has_text="高橋 一郎").count() == 0

    link = IdentityLink.objects.get(candidate=candidate)
    assert link.linked_by.username == "imizu.steward"

    # The link is on record under 確定済み, with who decided and the note.
    page.get_by_role("navigation", name="状態").get_by_role("link", name="確定済み").click()
    row = page.get_by_role("row").filter(has_text="髙橋　一郎").filter(has_text="高橋 一郎")
    row.get_by_role("link", name="確認する").click()
    main = page.locator("main")
    main.get_by_text("状態: 確定").wait_for()
    assert "名寄 確子 が" in main.inner_text() and "に確定しました" in main.inner_text()
    assert "生年月日・住所・電話が一致。両機関に確認済み" in main.inner_text()

    # It turns out to be a mistake: the steward undoes the merge with a reason.
    page.get_by_label("取り消しの理由").fill("別人と判明したため取り消す")
    page.get_by_role("button", name="確定を取り消す").click()
    page.get_by_text("名寄せを取り消しました。2件の記録は確定前の状態に戻りました。").wait_for()
    assert "状態: 確認待ち" in main.inner_text()
    assert page.get_by_label("同一として確定する").is_visible()  # open to decide again
    page.get_by_role("link", name="← 名寄せの確認へ戻る").click()
    page.get_by_role("heading", name="名寄せの確認", exact=True).wait_for()
    row = page.get_by_role("row").filter(has_text="髙橋　一郎").filter(has_text="高橋 一郎")
    assert row.count() == 1 and "生年月日一致" in row.inner_text()

    # In the database: the merge came and went, nothing else moved, and every step is in the audit log.
    assert not IdentityLink.objects.filter(pk=link.pk).exists()
    candidate.refresh_from_db()
    assert (candidate.status, candidate.decided_by_id, candidate.decided_at, candidate.decision_note) == (
        "open", None, None, "")
    assert {p.pk: model_to_dict(p) for p in Person.objects.filter(pk__in=[a.pk, b.pk])} == before
    events = AuditEvent.objects.filter(id__gt=audit_start or 0)
    assert AuditEvent.objects.filter(action="identity.batch_run").exists()
    merged = events.get(action="identity.merged")
    assert merged.actor.username == "imizu.steward"
    assert merged.detail["candidate"] == candidate.pk and sorted(merged.detail["persons"]) == sorted([a.pk, b.pk])
    unmerged = events.get(action="identity.unmerged")
    assert unmerged.actor.username == "imizu.steward" and unmerged.reason == "別人と判明したため取り消す"
    assert unmerged.detail["link"] == link.pk and unmerged.detail["candidate"] == candidate.pk
    assert merged.id < unmerged.id
    assert events.filter(action="identity.queue_viewed", actor__username="imizu.steward").count() >= 3
    assert events.filter(action="identity.candidate_viewed", actor__username="imizu.steward").exists()
    assert not events.filter(action__startswith="identity.", actor__username="imizu.madoguchi").exists()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "改ざんはありません" in out.getvalue()


def test_data_steward_starts_the_batch_from_the_screen_and_watches_it_finish(page, demo):
    """Issue 13 (9): the batch run is started from the review page, runs in the background, shows its progress."""
    from tsunagu.identity.models import MatchCandidate, MatchJob, MatchRun
    from tsunagu.privacy.models import AuditEvent

    a = _consult("imizu.madoguchi", name="佐々木　花子", kana="ささき はなこ", birth_date="平成2年7月7日",
                 address="射水市小島一丁目5番8号", phone="0766-83-1234").person
    b = _consult("imizu.shogai", name="佐々木 花子", kana="ｻｻｷ ﾊﾅｺ", birth_date="1990-07-07",
                 address="富山県射水市小島1-5-8", phone="0766831234").person
    runs_before = MatchRun.objects.count()

    login(page, "imizu.steward", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="名寄せ確認").click()
    page.get_by_role("heading", name="一括照合").wait_for()
    page.get_by_role("button", name="一括照合を開始する").click()
    page.get_by_text("一括照合を開始しました。").wait_for()
    page.get_by_role("heading", name="名寄せの一括照合").wait_for()
    # The page polls until the run is done; nothing on it names a person.
    page.get_by_text("完了しました: 新規").wait_for(timeout=120_000)
    import threading

    for thread in threading.enumerate():  # the run's thread is ending (its database connection with it)
        if thread.name.startswith("match-job-"):
            thread.join(30)
    status = page.locator("#batch-status").inner_text()
    assert "一括照合 #" in status and "完了" in status and "佐々木" not in status
    job = MatchJob.objects.get()
    assert job.status == "done" and job.requested_by.username == "imizu.steward" and job.run is not None
    assert MatchRun.objects.count() == runs_before + 1
    assert AuditEvent.objects.filter(action="identity.batch_requested", actor__username="imizu.steward").exists()
    assert AuditEvent.objects.filter(action="identity.batch_run", object_id=str(job.run.pk)).exists()

    # The pair is in the queue now.
    page.get_by_role("link", name="確認待ちの一覧へ").click()
    row = page.get_by_role("row").filter(has_text="佐々木　花子").filter(has_text="佐々木 花子")
    assert row.count() == 1
    assert MatchCandidate.objects.filter(kind="person", person_a_id=min(a.pk, b.pk), person_b_id=max(a.pk, b.pk),
                                         status="open").exists()
    # Another start while none runs is allowed again; the button is back.
    assert page.get_by_role("button", name="一括照合を開始する").is_visible()
