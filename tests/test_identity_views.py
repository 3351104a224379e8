"""名寄せ pages: the reviewer's queue and decisions, the intake fragment, and the access matrix for them."""

from __future__ import annotations

import datetime as dt

import pytest

from tsunagu.identity import services
from tsunagu.identity.models import IdentityLink, MatchCandidate
from tsunagu.privacy.models import AuditEvent

from .test_identity import consult, pair  # noqa: F401  (fixture)


@pytest.fixture
def queued(imizu, pair):  # noqa: F811
    services.run_batch(imizu)
    return MatchCandidate.objects.get(kind="person")


def test_it_shows_the_queue_to_the_data_steward_only_what_is_needed(client, steward, queued):
    client.force_login(steward)
    body = client.get("/identity/review/").content.decode()
    assert "名寄せの確認" in body and "高橋 一郎" in body and "髙橋 一郎" in body
    assert "小島" in body  # the district, not the house number
    assert "1-2-3" not in body and "0766" not in body
    assert "秘密の主訴" not in body and "通院中の病名" not in body and "債務" not in body
    # Which agency holds a record only where the steward's own grants show it (ACCESS.md G14): here none do.
    assert "他機関の記録" in body and "新湊西地域包括支援センター" not in body and "あいネット" not in body
    event = AuditEvent.objects.get(action="identity.queue_viewed")
    assert event.detail["candidates"] == [queued.pk]


def test_it_shows_the_nav_link_to_reviewers_only(client, steward, intake_a):
    client.force_login(steward)
    assert "名寄せ確認" in client.get("/").content.decode()
    client.force_login(intake_a)
    assert "名寄せ確認" not in client.get("/").content.decode()


def test_it_refuses_the_queue_to_everyone_else(client, intake_a, staff_b, manager, sysadmin, queued):
    for user in (intake_a, staff_b, manager, sysadmin):
        client.force_login(user)
        for url in ("/identity/review/", f"/identity/review/{queued.pk}/"):
            response = client.get(url)
            assert response.status_code == 403
            assert "Traceback" not in response.content.decode()
            assert "名寄せのデータ管理責任者だけが行えます" in response.content.decode()  # why, in Japanese
        assert client.post(f"/identity/review/{queued.pk}/decide/", {"decision": "merge"}).status_code == 403
    assert not IdentityLink.objects.exists()


def test_it_merges_and_unmerges_from_the_pages(client, steward, queued):
    client.force_login(steward)
    page = client.get(f"/identity/review/{queued.pk}/").content.decode()
    assert "生年月日一致" in page and "同一として確定する" in page
    assert AuditEvent.objects.filter(action="identity.candidate_viewed").exists()
    response = client.post(f"/identity/review/{queued.pk}/decide/", {"decision": "merge", "note": "確認済み"})
    assert response.status_code == 302
    link = IdentityLink.objects.get()
    page = client.get(f"/identity/review/{queued.pk}/").content.decode()
    assert "確定を取り消す" in page
    response = client.post(f"/identity/links/{link.pk}/unmerge/", {"note": ""}, follow=True)
    assert "取り消しの理由を入力してください" in response.content.decode()
    assert IdentityLink.objects.exists()
    response = client.post(f"/identity/links/{link.pk}/unmerge/", {"note": "別人と判明"}, follow=True)
    assert "名寄せを取り消しました" in response.content.decode()
    assert not IdentityLink.objects.exists()
    queued.refresh_from_db()
    assert queued.status == "open"


def test_a_bad_decision_gets_a_japanese_error(client, steward, queued):
    client.force_login(steward)
    response = client.post(f"/identity/review/{queued.pk}/decide/", {"decision": "maybe"})
    assert response.status_code == 400
    assert "判断を選んでください" in response.content.decode()
    services.reject_candidate(steward, queued)
    response = client.post(f"/identity/review/{queued.pk}/decide/", {"decision": "merge"})
    assert response.status_code == 400
    assert "のため確定できません" in response.content.decode()


def test_the_intake_fragment_shows_visible_candidates_only(client, intake_a, staff_b):
    consult(intake_a)
    query = {"name": "髙橋 一郎", "kana": "たかはし いちろう", "birth_date": "昭和55年3月1日",
             "address": "射水市小島1-2-3", "phone": "0766837171"}
    client.force_login(intake_a)
    body = client.get("/identity/candidates/", query).content.decode()
    assert "高橋 一郎" in body and "同一人物の可能性が高い" in body and "生年月日一致" in body
    assert AuditEvent.objects.filter(action="identity.intake_candidates").exists()
    client.force_login(staff_b)
    body = client.get("/identity/candidates/", query).content.decode()
    assert "高橋 一郎" not in body and "見つかりませんでした" in body


def test_the_intake_fragment_reads_the_intake_form_fields(client, intake_a):
    consult(intake_a)
    client.force_login(intake_a)
    body = client.get("/identity/candidates/", {"name": "高橋一郎", "kana": "タカハシイチロウ", "birth_date": "S55.3.1",
                                                "sex": "male", "member1_name": "高橋 和子"}).content.decode()
    assert "高橋 一郎" in body


def test_the_intake_fragment_explains_a_bad_date(client, intake_a):
    client.force_login(intake_a)
    body = client.get("/identity/candidates/", {"name": "高橋", "birth_date": "昭和99年13月1日"}).content.decode()
    assert "存在しない日付" in body or "読めません" in body or "期間外" in body


IDENTITY_ROUTES = {  # name → (url, method)
    "identity_review": ("/identity/review/", "GET"),
    "identity_candidate": ("/identity/review/{c}/", "GET"),
    "identity_candidate_decide": ("/identity/review/{c}/decide/", "POST"),
    "identity_link_unmerge": ("/identity/links/{l}/unmerge/", "POST"),
    "identity_intake_candidates": ("/identity/candidates/?name=%E9%AB%98%E6%A9%8B", "GET"),
    "identity_batch_status": ("/identity/runs/{j}/", "GET"),
    "identity_batch_start": ("/identity/runs/", "POST"),
}


def test_every_persona_on_every_identity_route(client, imizu, pair, steward, intake_a, staff_b,  # noqa: F811
                                               manager, sysadmin, fussa_staff, prefecture_user, make_staff):
    """Only the data steward reaches the queue; the fragment needs an agency; nobody sees another city."""
    services.run_batch(imizu)
    candidate = MatchCandidate.objects.get(kind="person")
    link = services.merge_candidate(steward, MatchCandidate.objects.filter(kind="household").first())
    member = make_staff(imizu, "member", "meeting_member", None)
    fussa_coord = make_staff(fussa_staff.municipality, "fussa_coord", "steward", fussa_staff.agency)
    job = services.start_batch_job(steward)  # (not run: the test's transaction never commits)
    personas = {"steward": steward, "intake_a": intake_a, "staff_b": staff_b, "manager": manager,
                "sysadmin": sysadmin, "fussa_staff": fussa_staff, "fussa_coord": fussa_coord,
                "prefecture": prefecture_user, "member": member, "anonymous": None}
    failures = []
    for name, (url, method) in IDENTITY_ROUTES.items():
        url = url.format(c=candidate.pk, l=link.pk, j=job.pk)
        for label, user in personas.items():
            client.logout()
            if user is not None:
                client.force_login(user)
            response = client.post(url, {}) if method == "POST" else client.get(url)
            if user is None:
                allowed = {302}
            elif name == "identity_intake_candidates":
                allowed = {200} if user.is_casework else {403}
            elif label == "steward":
                allowed = {200} if method == "GET" else {400, 302}
            elif label == "fussa_coord":  # a steward of another city: its own queue and runs only
                allowed = {200} if name == "identity_review" else {302} if name == "identity_batch_start" else {404}
            else:
                allowed = {403}
            body = response.content.decode()
            leak = response.status_code == 200 and "一郎" in body and label != "steward" and label != "intake_a"
            if response.status_code not in allowed or leak or "Traceback" in body:
                failures.append(f"{name} {label}: {response.status_code} (期待 {allowed}){' 氏名' if leak else ''}")
    assert failures == []
    assert IdentityLink.objects.filter(pk=link.pk).exists()  # an empty POST changed nothing


def test_birth_date_is_hidden_for_a_statutory_referral(client, intake_a, staff_b):
    from tsunagu.intake import services as intake

    c = consult(intake_a)
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, statutory_basis="vital")
    client.force_login(staff_b)
    body = client.get("/identity/candidates/", {"name": "高橋 一郎", "kana": "タカハシ イチロウ",
                                                "birth_date": "1980-03-01"}).content.decode()
    assert "高橋 一郎" in body
    assert "昭和55" not in body and "生年月日一致" not in body
    assert dt.date(1980, 3, 1).isoformat() not in body


# ------------------------------------------------------------------------------------------------ the batch from the screen

def _start(client, steward, django_capture_on_commit_callbacks):
    client.force_login(steward)
    with django_capture_on_commit_callbacks() as launched:  # the thread is started once the request commits
        response = client.post("/identity/runs/")
    from tsunagu.identity.models import MatchJob

    job = MatchJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/identity/runs/{job.pk}/"
    assert len(launched) == 1
    return job


def test_the_steward_starts_the_batch_and_follows_its_progress(client, imizu, pair, steward,  # noqa: F811
                                                                django_capture_on_commit_callbacks):
    job = _start(client, steward, django_capture_on_commit_callbacks)
    page = client.get(f"/identity/runs/{job.pk}/").content.decode()
    assert "開始待ち" in page and 'hx-trigger="every 2s"' in page  # it polls while the run is waiting or running
    assert client.get("/identity/review/").content.decode().count("一括照合を開始する") == 0  # one at a time
    services.run_job(job.pk)  # what the background thread runs
    fragment = client.get(f"/identity/runs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "完了しました: 新規 " in fragment and "同一人物の候補" in fragment and "hx-trigger" not in fragment
    assert "一郎" not in fragment  # counts only
    job.refresh_from_db()
    assert job.status == "done" and job.run.created >= 1 and job.finished_at is not None
    assert MatchCandidate.objects.filter(kind="person", status="open").exists()
    assert AuditEvent.objects.filter(action="identity.batch_requested", actor=steward).exists()
    assert AuditEvent.objects.filter(action="identity.batch_run", actor=steward).exists()
    assert "一括照合を開始する" in client.get("/identity/review/").content.decode()


def test_a_second_start_while_one_runs_is_refused(client, imizu, pair, steward,  # noqa: F811
                                                 django_capture_on_commit_callbacks):
    _start(client, steward, django_capture_on_commit_callbacks)
    again = client.post("/identity/runs/", follow=True)
    assert "一括照合はすでに実行中です" in again.content.decode()
    from tsunagu.identity.models import MatchJob

    assert MatchJob.objects.count() == 1


def test_a_run_that_stopped_answering_is_marked_failed(client, imizu, pair, steward,  # noqa: F811
                                                      django_capture_on_commit_callbacks):
    from django.utils import timezone

    from tsunagu.identity.models import MatchJob

    job = _start(client, steward, django_capture_on_commit_callbacks)
    MatchJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    body = client.get(f"/identity/runs/{job.pk}/").content.decode()
    assert "失敗" in body and "応答がなくなりました" in body
    assert "一括照合を開始する" in client.get("/identity/review/").content.decode()


def test_a_failing_run_leaves_the_queue_as_it_was(client, imizu, pair, steward, monkeypatch,  # noqa: F811
                                                 django_capture_on_commit_callbacks):
    services.run_batch(imizu)
    before = list(MatchCandidate.objects.values_list("id", "status", "score").order_by("id"))
    job = _start(client, steward, django_capture_on_commit_callbacks)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "run_batch", broken)
    services.run_job(job.pk)
    body = client.get(f"/identity/runs/{job.pk}/").content.decode()
    assert "一括照合が途中で失敗しました" in body and "disk full" not in body and "Traceback" not in body
    assert list(MatchCandidate.objects.values_list("id", "status", "score").order_by("id")) == before


def test_only_the_data_steward_starts_a_batch(client, intake_a, manager, sysadmin, imizu):
    from tsunagu.identity.models import MatchJob

    for user in (intake_a, manager, sysadmin):
        client.force_login(user)
        assert client.post("/identity/runs/").status_code == 403
    assert MatchJob.objects.count() == 0
