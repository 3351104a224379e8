"""The fast intake lookup (identity.services.candidates_for) gives exactly what the straightforward one gave.

`reference_candidates_for` below is the earlier implementation, kept verbatim as the specification: one query
per blocking key, every record scored, the policy query on the scored ids, the access view per candidate of
another agency. The fast one must return the same persons, scores, bands, reasons and order, and the bulk
access check must answer exactly as asking for one person at a time does.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tsunagu.identity import matching, services
from tsunagu.identity.keys import FEATURE_FIELDS, drop_prefixes, features_of, features_of_row
from tsunagu.identity.models import MatchKey
from tsunagu.intake import services as intake
from tsunagu.people.models import Person
from tsunagu.people.policy import person_views

from .test_identity import LOOKUP, consult


def reference_candidates_for(user, *, name="", kana="", birth_date=None, address="", phone="", sex="", limit=5,
                             exclude_person_id=None, block_cap=2000):
    if not getattr(user, "is_authenticated", False) or not user.municipality_id or not user.agency_id:
        return []
    q = matching.features(0, name=name or "", kana=kana or "", birth_date=birth_date, address=address or "",
                          phone=phone or "", sex=sex or "", drop_prefixes=drop_prefixes(user.municipality))
    if not (q.nk or q.kk):
        return []
    base = MatchKey.objects.filter(municipality_id=user.municipality_id)
    lookups = [("name_key", q.nk), ("kana_key", q.kk), ("phone_key", q.pk), ("address_key", q.ak)]
    if q.bd:
        lookups.append(("birth_date", f"{q.bd[0]:04}-{q.bd[1]:02}-{q.bd[2]:02}"))
    rows: dict[int, dict] = {}
    for field, value in lookups:
        if value:
            for row in base.filter(**{field: value}).values(*FEATURE_FIELDS)[:block_cap]:
                rows[row["person_id"]] = row
    rows.pop(exclude_person_id, None)
    if not rows:
        return []
    records = [features_of(r) for r in rows.values()]
    tf = matching.Frequencies(services._municipality_total(user.municipality_id) + 1)
    model = services.municipality_model(user.municipality_id, tf.total)

    def worth_showing(f, score):  # the review threshold, or the same name and reading, not a common one
        if score >= matching.REVIEW:
            return True
        if matching.name_level(q, f)[0] != matching.N_EXACT:
            return False
        field, value = ("nk", q.nk) if q.nk and f.nk else ("kk", q.kk)
        return tf.freq(field, value) <= matching.COMMON

    for table, attr, value in ((tf.nk, "nk", q.nk), (tf.kk, "kk", q.kk), (tf.ak, "ak", q.ak), (tf.pk, "pk", q.pk)):
        if value:
            table[value] = 1 + sum(1 for f in records if getattr(f, attr) == value)
    scored = []
    for f in records:
        score, why = matching.compare(q, f, tf, model, explain=True)
        if worth_showing(f, score):
            scored.append((score, f.id, why))
    if not scored:
        return []
    visible = Person.objects.visible_to(user).filter(pk__in=[pid for _, pid, _ in scored])
    persons = {p.pk: p for p in visible}
    by_id = {f.id: f for f in records}
    out = []
    for score, pid, why in sorted(scored, key=lambda s: (-s[0], s[1])):
        person = persons.get(pid)
        if person is None:
            continue
        access = person_views(user, [person])[person.pk]
        full = access.basic
        if not access.basic or not access.address:
            restricted = services._restricted(by_id[pid], access)
            score, why = matching.compare(q, restricted, tf, model, explain=True)
            if not worth_showing(restricted, score):
                continue
        out.append(services.Candidate(person, round(score, 1), matching.band(score), matching.explain(why), full))
    out.sort(key=lambda c: (-c.score, c.person.pk))
    return out[:limit]


def shown(candidates):
    return [(c.person.pk, c.score, c.band, c.reasons, c.full) for c in candidates]


LOOKUPS = [
    LOOKUP,
    {"name": "高橋 一郎", "kana": "タカハシ イチロウ"},
    {"name": "高橋 一朗", "kana": "タカハシ イチロウ", "birth_date": dt.date(1980, 3, 1)},
    {"name": "高橋 和子", "kana": "タカハシ カズコ", "birth_date": dt.date(1950, 6, 1), "phone": "0766837171"},
    {"name": "佐藤 花子", "kana": "サトウ ハナコ", "birth_date": dt.date(1980, 3, 1), "address": "射水市小島1-2-3"},
    {"name": "山田 一郎", "kana": "ヤマダ イチロウ", "birth_date": dt.date(1980, 3, 1), "phone": "0766-83-7171",
     "sex": "male"},
    {"name": "", "kana": "タカハシ イチロウ", "address": "射水市小島一丁目2番3号"},
    {"name": "", "kana": ""},
]


@pytest.fixture
def population(intake_a, staff_b, make_staff, imizu):
    """One resident and namesakes recorded at two windows: own records, a statutory referral (name only),
    a consented referral, a masked (DV) address shared with consent, a withdrawn consent, a marriage."""
    from tsunagu.privacy.services import withdraw_consent

    consult(intake_a)
    consult(intake_a, name="高橋 一朗", birth_date=dt.date(1980, 3, 2))
    consult(intake_a, name="高橋 和子", kana="タカハシ カズコ", birth_date=dt.date(1950, 6, 1))
    consult(staff_b, name="髙橋 一郎", kana="ﾀｶﾊｼ ｲﾁﾛｳ", address="富山県射水市小島1-2-3 コーポ山田201",
            phone="0766837171")
    statutory = consult(intake_a, name="高橋 一郎", birth_date=dt.date(1980, 3, 1), address="射水市本町3-4-5")
    intake.refer_consultation(intake_a, statutory, to_agency=staff_b.agency, statutory_basis="vital")
    consented = consult(intake_a, consent_agencies=[staff_b.agency], phone="0766-00-1111")
    intake.refer_consultation(intake_a, consented, to_agency=staff_b.agency)
    masked = consult(intake_a, consent_agencies=[staff_b.agency], address_masked=True, birth_date=dt.date(1980, 1, 3))
    intake.refer_consultation(intake_a, masked, to_agency=staff_b.agency)
    withdrawn = consult(intake_a, consent_agencies=[staff_b.agency], name="佐藤 一郎", kana="サトウ イチロウ")
    intake.refer_consultation(intake_a, withdrawn, to_agency=staff_b.agency)
    withdraw_consent(intake_a, withdrawn.consents.get(), note="本人から撤回の申し出")
    consult(staff_b, name="山田 一郎", kana="ヤマダ イチロウ", sex="male")
    other = make_staff(imizu, "daimon_lookup", "intake", intake_a.agency.__class__.objects.exclude(
        pk__in=[intake_a.agency_id, staff_b.agency_id]).filter(municipality=imizu).first())
    return [intake_a, staff_b, other]


def test_the_lookup_gives_exactly_what_the_reference_gave(population):
    services._TOTAL_CACHE.clear()
    services._MODEL_CACHE.clear()
    some = False
    for user in population:
        for lookup in LOOKUPS:
            for limit in (5, 1):
                expected = shown(reference_candidates_for(user, limit=limit, **lookup))
                assert shown(services.candidates_for(user, limit=limit, **lookup)) == expected, (user, lookup)
                some = some or bool(expected)
    assert some
    mine = Person.objects.filter(recorded_by_agency_id=population[0].agency_id).first()
    assert (shown(services.candidates_for(population[0], exclude_person_id=mine.pk, **LOOKUP))
            == shown(reference_candidates_for(population[0], exclude_person_id=mine.pk, **LOOKUP)))


def test_a_block_over_the_cap_is_read_per_key_as_before(population, monkeypatch):
    monkeypatch.setattr(services, "BLOCK_CAP", 1)
    services._TOTAL_CACHE.clear()
    for user in population:
        for lookup in LOOKUPS:
            assert (shown(services.candidates_for(user, **lookup))
                    == shown(reference_candidates_for(user, block_cap=1, **lookup))), (user, lookup)


def test_row_features_are_the_features_of_the_key(population):
    rows = list(MatchKey.objects.values(*FEATURE_FIELDS))
    rows += [dict(rows[0], birth_date=None, address_key="", phone_key=""),
             dict(rows[0], address_key="小島"), dict(rows[0], address_key="小島①-2"),
             dict(rows[0], address_key="小島1-2-3-201")]
    for row in rows:
        assert features_of_row(tuple(row[f] for f in FEATURE_FIELDS)) == features_of(row)
    # a stored key gives what matching.features makes of the person as entered
    for person in Person.objects.select_related("municipality"):
        stored = MatchKey.objects.values_list(*FEATURE_FIELDS).get(person_id=person.pk)
        assert features_of_row(stored) == matching.features(
            person.pk, name=person.name, kana=person.kana, birth_date=person.birth_date, address=person.address,
            phone=person.phone, sex=person.sex, drop_prefixes=drop_prefixes(person.municipality))
    # a town alone is not an address; a house number gives the 町丁目 block
    town_only = features_of(dict(rows[0], address_key="小島"))
    assert (town_only.ak, town_only.town, town_only.blk) == ("", "小島", "")
    full = features_of(dict(rows[0], address_key="小島1-2-3-201"))
    assert (full.ak, full.town, full.blk) == ("小島1-2-3-201", "小島", "小島1")
    no_birth = features_of(rows[-4])
    assert no_birth.bd is None and no_birth.ak == no_birth.pk == ""


def test_bulk_access_answers_as_one_by_one(intake_a, staff_b, coordinator, manager, steward, make_staff, imizu):
    """The bulk check the lookup uses answers for each person exactly as asking for that person alone."""
    from tsunagu.casework import services as casework
    from tsunagu.intake import services as intake
    from tsunagu.privacy.services import withdraw_consent

    from .intake_fixtures import record

    consented = record(intake_a, name="同意 太郎", consent_agencies=[staff_b.agency, coordinator.agency])
    intake.refer_consultation(intake_a, consented, to_agency=staff_b.agency)
    case = casework.open_case(coordinator, referral=intake.escalate_to_multiagency(intake_a, consented))
    casework.add_team_member(coordinator, case, agency=staff_b.agency, role="障害福祉")
    statutory = record(intake_a, name="無同意 次郎", masked=True)
    intake.refer_consultation(intake_a, statutory, to_agency=staff_b.agency, statutory_basis="vital")
    withdrawn = record(intake_a, name="撤回 三郎", consent_agencies=[staff_b.agency])
    intake.refer_consultation(intake_a, withdrawn, to_agency=staff_b.agency)
    withdraw_consent(intake_a, withdrawn.consents.get(), note="撤回")
    persons = list(Person.objects.all())
    member = make_staff(imizu, "member", "meeting_member", None)
    for user in (intake_a, staff_b, coordinator, manager, steward, member):
        bulk = person_views(user, persons)
        assert bulk == {p.pk: person_views(user, [p])[p.pk] for p in persons}, user.username
    assert not person_views(staff_b, [withdrawn.person])[withdrawn.person_id].visible
    assert person_views(staff_b, [consented.person])[consented.person_id].sensitive  # the team (G4)
