"""名寄せ services: candidates at intake (visible only), the batch queue, merge / reject / unmerge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils import timezone

from tsunagu.identity import services
from tsunagu.identity.models import IdentityLink, MatchCandidate, MatchKey
from tsunagu.intake import services as intake
from tsunagu.people.models import Person
from tsunagu.privacy.models import AuditEvent

from .conftest import agency_named


def consult(user, *, consent_agencies=None, **person):
    data = {"name": "高橋 一郎", "kana": "タカハシ イチロウ", "birth_date": dt.date(1980, 3, 1),
            "address": "射水市小島一丁目2番3号", "phone": "0766-83-7171", **person}
    consent = None
    if consent_agencies is not None:
        consent = {"scope_all_agencies": False, "scope_agencies": list(consent_agencies),
                   "purposes": ["関係機関へのつなぎ"], "method": "書面", "obtained_on": timezone.localdate()}
    return intake.record_consultation(
        user, new_person=data, received_at=timezone.now(), channel="来所", consulter_type="本人",
        chief_complaint="秘密の主訴: 借金と通院のこと", issue_tags=["債務"], urgency="normal",
        sensitive_categories=["病歴・健康"], sensitive_notes="通院中の病名", consent=consent)


def has_reason(reasons: list[str], label: str) -> bool:
    """A reason is its label and the bits it added ('生年月日一致 +14.9')."""
    return any(r == label or r.startswith(label + " ") for r in reasons)


LOOKUP = {"name": "髙橋　一郎", "kana": "ﾀｶﾊｼ ｲﾁﾛｳ", "birth_date": dt.date(1980, 3, 1),
          "address": "富山県射水市小島1-2-3", "phone": "0766837171"}


@pytest.fixture
def pair(intake_a, staff_b):
    """The same resident recorded at two windows, written differently, plus a family member."""
    a = consult(intake_a).person
    b = consult(staff_b, name="髙橋 一郎", kana="ﾀｶﾊｼ ｲﾁﾛｳ", birth_date=dt.date(1980, 3, 1),
                address="富山県射水市小島1-2-3 コーポ山田201", phone="0766837171").person
    mother = consult(staff_b, name="高橋 和子", kana="タカハシ カズコ", birth_date=dt.date(1950, 6, 1)).person
    return a, b, mother


def test_it_keeps_match_keys_in_step_with_person(intake_a):
    p = consult(intake_a).person
    key = MatchKey.objects.get(person=p)
    assert (key.name_key, key.kana_key, key.address_key, key.phone_key) == ("高橋一郎", "タカハシイチロウ", "小島1-2-3",
                                                                             "0766837171")
    p.name = "髙橋 二郎"
    p.save(update_fields=["name"])
    assert MatchKey.objects.get(person=p).name_key == "高橋二郎"


def test_intake_candidates_are_only_among_visible_persons(imizu, intake_a, staff_b, fussa_staff, make_staff):
    mine = consult(intake_a).person
    found = services.candidates_for(intake_a, **LOOKUP)
    assert [c.person for c in found] == [mine]
    assert found[0].band == "suggest"
    assert has_reason(found[0].reasons, "生年月日一致")
    assert services.candidates_for(staff_b, **LOOKUP) == []  # recorded by another agency: invisible
    assert services.candidates_for(fussa_staff, **LOOKUP) == []  # another municipality
    other = make_staff(imizu, "daimon", "intake", agency_named(imizu, "大門地域包括"))
    assert services.candidates_for(other, **LOOKUP) == []


def test_a_statutory_referral_shows_the_candidate_scored_on_name_only(intake_a, staff_b):
    c = consult(intake_a)
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, statutory_basis="vital")
    found = services.candidates_for(staff_b, **LOOKUP)
    assert [x.person for x in found] == [c.person]
    assert not found[0].full
    assert not any("生年月日" in r or "住所" in r or "電話" in r for r in found[0].reasons)


def test_a_consented_referral_shows_the_full_comparison(intake_a, staff_b):
    c = consult(intake_a, consent_agencies=[staff_b.agency])
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    found = services.candidates_for(staff_b, **LOOKUP)
    assert found and found[0].full and has_reason(found[0].reasons, "生年月日一致")


def test_namesakes_sharing_a_common_name_and_birth_year_are_not_proposed(imizu, intake_a, staff_b):
    consult(intake_a, name="佐藤 太郎", kana="サトウ タロウ", birth_date=dt.date(1980, 3, 1))
    consult(staff_b, name="佐藤 太郎", kana="サトウ タロウ", birth_date=dt.date(1980, 9, 12),
            address="射水市本町3-4-5", phone="0766-51-0000")
    services.run_batch(imizu)
    assert not MatchCandidate.objects.filter(kind="person").exists()


def test_batch_fills_the_queue_once(imizu, pair):
    a, b, mother = pair
    run = services.run_batch(imizu)
    person = MatchCandidate.objects.get(kind="person")
    assert (person.person_a_id, person.person_b_id) == (a.pk, b.pk)
    assert person.band == "suggest" and person.status == "open"
    assert has_reason(person.reasons, "氏名・フリガナ一致（異体字・表記ゆれは同一視）")
    households = MatchCandidate.objects.filter(kind="household")
    assert {(h.person_a_id, h.person_b_id) for h in households} == {(a.pk, mother.pk), (b.pk, mother.pk)}
    assert run.created == 3
    again = services.run_batch(imizu)
    assert (again.created, again.updated, again.stale, again.unchanged) == (0, 0, 0, 3)
    assert MatchCandidate.objects.count() == 3
    assert AuditEvent.objects.filter(action="identity.batch_run").count() == 2


def test_the_command_prints_progress_and_counts(imizu, pair, capsys):
    call_command("match", municipality=imizu.code)
    out = capsys.readouterr().out
    assert "比較したペア" in out and "新規 3 件" in out
    call_command("match", municipality=imizu.code)
    assert "新規 0 件" in capsys.readouterr().out
    with pytest.raises(CommandError, match="団体コード '999999' の自治体がありません"):
        call_command("match", municipality="999999")


SNAPSHOT_APPS = ("people", "intake", "privacy", "identity")
APPEND_ONLY = {"privacy.auditevent", "privacy.auditchainhead"}  # the audit log records the merge and unmerge


def snapshot():
    rows = {}
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower in APPEND_ONLY:
                continue
            rows[model._meta.label_lower] = sorted(
                repr(sorted(model_to_dict(o, fields=[f.name for f in o._meta.concrete_fields]).items()))
                 for o in model.objects.all())
    return rows


def test_merge_then_unmerge_restores_the_exact_prior_state(imizu, pair, steward):
    services.run_batch(imizu)
    candidate = MatchCandidate.objects.get(kind="person")
    before = snapshot()
    link = services.merge_candidate(steward, candidate, note="生年月日と住所が一致")
    assert services.cluster_of(candidate.person_a_id) == {candidate.person_a_id, candidate.person_b_id}
    candidate.refresh_from_db()
    assert candidate.status == "merged" and candidate.decided_by == steward
    merged = AuditEvent.objects.get(action="identity.merged")
    assert merged.detail["persons"] == [candidate.person_a_id, candidate.person_b_id]
    assert "高橋" not in merged.object_repr  # no names in the audit summary
    services.unmerge_link(steward, link, note="別人と判明")
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="identity.unmerged").count() == 1
    assert services.cluster_of(candidate.person_a_id) == {candidate.person_a_id}


def test_unmerge_needs_a_reason(imizu, pair, steward):
    services.run_batch(imizu)
    link = services.merge_candidate(steward, MatchCandidate.objects.get(kind="person"))
    with pytest.raises(services.IdentityError, match="取り消しの理由"):
        services.unmerge_link(steward, link, note=" ")
    assert IdentityLink.objects.filter(pk=link.pk).exists()


def test_a_merge_grants_no_access(imizu, pair, steward, intake_a, staff_b, client):
    a, b, _ = pair
    services.run_batch(imizu)
    services.merge_candidate(steward, MatchCandidate.objects.get(kind="person"))
    assert set(Person.objects.visible_to(staff_b).filter(pk__in=[a.pk, b.pk])) == {b}
    assert set(Person.objects.visible_to(intake_a).filter(pk__in=[a.pk, b.pk])) == {a}
    assert set(Person.objects.visible_to(steward).filter(pk__in=[a.pk, b.pk])) == set()
    assert [c.person for c in services.candidates_for(staff_b, **LOOKUP)] == [b]
    client.force_login(staff_b)
    assert client.get(f"/people/{a.pk}/").status_code == 404


def test_only_the_data_steward_decides(imizu, pair, intake_a, manager, sysadmin, make_staff, fussa):
    services.run_batch(imizu)
    candidate = MatchCandidate.objects.get(kind="person")
    for user in (intake_a, manager, sysadmin):
        with pytest.raises(PermissionDenied):
            services.merge_candidate(user, candidate)
    fussa_coordinator = make_staff(fussa, "fussa_coord", "steward")
    with pytest.raises(Http404):
        services.merge_candidate(fussa_coordinator, candidate)
    assert not IdentityLink.objects.exists()


def test_a_rejected_pair_is_not_proposed_again(imizu, pair, steward):
    services.run_batch(imizu)
    candidate = MatchCandidate.objects.get(kind="person")
    services.reject_candidate(steward, candidate, note="別人")
    with pytest.raises(services.IdentityError, match="別人・別世帯"):
        services.merge_candidate(steward, candidate)
    run = services.run_batch(imizu)
    candidate.refresh_from_db()
    assert candidate.status == "rejected" and run.created == 0
    assert AuditEvent.objects.filter(action="identity.rejected").count() == 1


def test_a_household_link_is_separate_from_person_links(imizu, pair, steward):
    a, _, mother = pair
    services.run_batch(imizu)
    household = MatchCandidate.objects.get(kind="household", person_a=a, person_b=mother)
    link = services.merge_candidate(steward, household)
    assert link.kind == "household"
    assert services.cluster_of(a.pk) == {a.pk}
    assert services.cluster_of(a.pk, kind="household") == {a.pk, mother.pk}
    assert AuditEvent.objects.filter(action="identity.household_linked").exists()


def test_a_masked_address_is_never_revealed_by_the_queue(imizu, intake_a, staff_b):
    victim = consult(intake_a, address_masked=True).person
    other = consult(staff_b, name="髙橋 一郎", kana="ﾀｶﾊｼ ｲﾁﾛｳ", address="射水市小島1-2-3").person
    consult(staff_b, name="高橋 和子", kana="タカハシ カズコ", birth_date=dt.date(1950, 6, 1))
    services.run_batch(imizu)
    candidate = MatchCandidate.objects.get(kind="person")
    assert {candidate.person_a_id, candidate.person_b_id} == {victim.pk, other.pk}
    assert not any("住所" in r and "秘匿" not in r for r in candidate.reasons)
    assert services.MASKED_NOTE in candidate.reasons
    assert not MatchCandidate.objects.filter(kind="household").filter(person_a=victim).exists()
    assert not MatchCandidate.objects.filter(kind="household").filter(person_b=victim).exists()


def test_the_batch_stores_its_parameters_and_the_intake_lookup_uses_them(imizu, intake_a, pair):
    from tsunagu.identity import matching
    from tsunagu.identity.models import MatchRun

    services._MODEL_CACHE.clear()
    before = services.candidates_for(intake_a, **LOOKUP)[0].score
    run = services.run_batch(imizu)
    assert run.parameters["source"] == "default"  # three persons: too few to learn from
    assert services.municipality_model(imizu.pk, 50_000).source == "default"
    # parameters as a larger city's run would have learned them: here, the same with ten times the prior odds
    learned = matching.Model.from_json(run.parameters)
    learned.source = "learned"
    params = learned.as_json() | {"prior": learned.prior + 3.32}
    MatchRun.objects.filter(pk=run.pk).update(parameters=params)
    services._MODEL_CACHE.clear()
    assert services.municipality_model(imizu.pk, 50_000).source == "learned"
    after = services.candidates_for(intake_a, **LOOKUP)[0]
    assert after.score == pytest.approx(before + 3.3, abs=0.11)
    assert has_reason(after.reasons, "生年月日一致")


def test_at_intake_a_shared_name_alone_is_shown_only_when_the_name_is_not_common():
    from tsunagu.identity import matching

    q = matching.features(0, name="佐藤 太郎", kana="サトウ タロウ")
    f = matching.features(1, name="佐藤 太郎", kana="サトウ タロウ", birth_date=dt.date(1980, 3, 1))
    rare = matching.Frequencies(500_000, nk={"佐藤太郎": 20}, kk={"サトウタロウ": 20})
    common = matching.Frequencies(500_000, nk={"佐藤太郎": 400}, kk={"サトウタロウ": 400})
    for tf in (rare, common):
        assert matching.compare(q, f, tf)[0] < matching.REVIEW  # the name alone: below the review threshold
    assert services._shown(q, f, matching.compare(q, f, rare)[0], rare)
    assert not services._shown(q, f, matching.compare(q, f, common)[0], common)
