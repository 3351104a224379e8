"""名寄せ services: candidates at intake, the batch run, and the reviewer's merge / reject / unmerge.

The data steward (データ管理責任者) is the 多機関協働 role (role kind "coordinator"): the people who already
work across agencies and convene the 重層的支援会議. Only they see the review queue and decide merges.
Every decision is atomic and audited; a merge adds an IdentityLink and changes no person, consultation,
referral, consent or disclosure row, so it grants no access (R10) and an unmerge restores the exact prior state.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from tsunagu.core.errors import DomainError
from tsunagu.people.models import HouseholdMember, Person
from tsunagu.people.policy import person_views
from tsunagu.privacy.audit import log_action

from . import matching
from .keys import FEATURE_FIELDS, drop_prefixes, features_of_row, refresh_keys
from .models import IdentityLink, MatchCandidate, MatchJob, MatchKey, MatchRun

logger = logging.getLogger(__name__)

REVIEWER_ROLE = "steward"  # 名寄せデータ管理責任者: a role the profile names (ACCESS.md G14)
MASKED_NOTE = "住所・電話の照合結果は表示しません（住所秘匿の記録）"


class IdentityError(DomainError):
    pass


# ------------------------------------------------------------------------------------------------ reviewers

def is_reviewer(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.municipality_id
                and user.has_role_kind(REVIEWER_ROLE))


def require_reviewer(user) -> None:
    if not is_reviewer(user):
        raise PermissionDenied("名寄せの確認は、名寄せのデータ管理責任者だけが行えます")


def access_candidate_by_id(user, candidate_id: int, *, for_update: bool = False) -> MatchCandidate:
    require_reviewer(user)
    qs = MatchCandidate.objects.filter(municipality_id=user.municipality_id)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=candidate_id)
    except (MatchCandidate.DoesNotExist, ValueError, TypeError):
        raise Http404("名寄せ候補が見つかりません") from None


def access_link_by_id(user, link_id: int, *, for_update: bool = False) -> IdentityLink:
    require_reviewer(user)
    qs = IdentityLink.objects.filter(municipality_id=user.municipality_id)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=link_id)
    except (IdentityLink.DoesNotExist, ValueError, TypeError):
        raise Http404("名寄せの記録が見つかりません") from None


# ------------------------------------------------------------------------------------------------ intake

@dataclass
class Candidate:
    person: Person
    score: float
    band: str  # "suggest" | "review" | "name"
    reasons: list[str]
    full: bool = True  # False: the user may see only the name and reading of this person

    @property
    def band_label(self) -> str:
        return {"suggest": "同一人物の可能性が高い", "review": "同一人物の可能性あり"}.get(
            self.band, "氏名が一致（ほかの項目では確かめられません）")


_TOTAL_CACHE: dict[int, tuple[float, int]] = {}
_MODEL_CACHE: dict[int, tuple[float, matching.Model | None]] = {}


def _municipality_total(municipality_id: int) -> int:
    """Number of keyed persons (the N of the term frequencies); cached for 10 minutes."""
    hit = _TOTAL_CACHE.get(municipality_id)
    if hit and time.monotonic() - hit[0] < 600:
        return hit[1]
    total = MatchKey.objects.filter(municipality_id=municipality_id).count()
    _TOTAL_CACHE[municipality_id] = (time.monotonic(), total)
    return total


def municipality_model(municipality_id: int, population: int) -> matching.Model:
    """The parameters the last batch run learned for this municipality (the defaults before any run), with
    the prior moved to today's number of records; cached for 10 minutes (a batch run clears it)."""
    hit = _MODEL_CACHE.get(municipality_id)
    if not hit or time.monotonic() - hit[0] >= 600:
        params = (MatchRun.objects.filter(municipality_id=municipality_id, finished_at__isnull=False)
                  .exclude(parameters={}).order_by("-finished_at", "-id").values_list("parameters", flat=True).first())
        hit = (time.monotonic(), matching.Model.from_json(params) if params else None)
        _MODEL_CACHE[municipality_id] = hit
    stored = hit[1]
    return stored.for_population(population) if stored else matching.default_model(population)


BLOCK_CAP = 2000


def candidates_for(user, *, name: str = "", kana: str = "", birth_date=None, address: str = "", phone: str = "",
                   sex: str = "", limit: int = 5, exclude_person_id: int | None = None) -> list[Candidate]:
    """Persons *this user may see* who may be the person being recorded, best first, with reasons.

    Only persons visible to the user are returned (Person.objects.visible_to); the blocking index is
    searched municipality-wide only to find ids, which are then filtered by the access policy before any
    value is read. A candidate is shown when its score reaches REVIEW, or when name and reading are the same
    and the name is not a common one (band "name": a shared rare name alone is worth a look at intake; a
    common one needs more in common). The caller audits what it shows (the intake fragment does).
    """
    if not getattr(user, "is_casework", False):
        return []
    q = matching.features(0, name=name or "", kana=kana or "", birth_date=birth_date, address=address or "",
                          phone=phone or "", sex=sex or "", drop_prefixes=drop_prefixes(user.municipality))
    if not (q.nk or q.kk):
        return []
    lookups = [(field, value) for field, value in (("name_key", q.nk), ("kana_key", q.kk), ("phone_key", q.pk),
                                                   ("address_key", q.ak)) if value]
    if q.bd:
        lookups.append(("birth_date", datetime.date(*q.bd)))
    rows = _block_rows(user.municipality_id, lookups)
    rows.pop(exclude_person_id, None)
    if not rows:
        return []
    records = [features_of_row(r) for r in rows.values()]
    total = _municipality_total(user.municipality_id) + 1
    tf = matching.Frequencies(total)
    model = municipality_model(user.municipality_id, tf.total)
    for table, attr, value in ((tf.nk, "nk", q.nk), (tf.kk, "kk", q.kk), (tf.ak, "ak", q.ak), (tf.pk, "pk", q.pk)):
        if value:
            table[value] = 1 + sum(1 for f in records if getattr(f, attr) == value)
    # The score does not depend on `explain`: score every record without reasons, give them only to the shown.
    scored: dict[int, tuple[float, matching.Features]] = {}
    for f in records:
        score = matching.compare(q, f, tf, model)[0]
        if _shown(q, f, score, tf):
            scored[f.id] = (score, f)
    if not scored:
        return []
    persons = list(Person.objects.visible_to(user).filter(pk__in=list(scored)))
    # The access policy decides what of each candidate the user may see (one bulk check).
    access_of = person_views(user, persons) if persons else {}
    ranked = []
    for person in persons:
        score, f = scored[person.pk]
        full = True
        access = access_of.get(person.pk)
        if access is not None:
            # Score only on what this user may see: a match on a hidden birth date or address must not
            # reveal it (a statutory referral shares the name and reading only; DV addresses are masked).
            full = access.basic
            if not access.basic or not access.address:
                f = _restricted(f, access)
                score = matching.compare(q, f, tf, model)[0]
                if not _shown(q, f, score, tf):
                    continue
        ranked.append((-round(score, 1), person.pk, f, person, full))
    ranked.sort(key=lambda r: r[:2])
    out = []
    for _, _, f, person, full in ranked[:limit]:
        score, why = matching.compare(q, f, tf, model, explain=True)
        out.append(Candidate(person, round(score, 1), matching.band(score), matching.explain(why), full))
    return out


def _shown(q: matching.Features, f: matching.Features, score: float, tf: matching.Frequencies) -> bool:
    if score >= matching.REVIEW:
        return True
    if matching.name_level(q, f)[0] != matching.N_EXACT:
        return False
    field, value = ("nk", q.nk) if q.nk and f.nk else ("kk", q.kk)
    return tf.freq(field, value) <= matching.COMMON


def _block_rows(municipality_id: int, lookups: list[tuple[str, object]]) -> dict[int, tuple]:
    """MatchKey rows (tuples of FEATURE_FIELDS, by person id) that share at least one key with the query.

    One indexed OR query reads every block whole while no block holds more than BLOCK_CAP rows (the usual
    case); otherwise each block is read on its own, capped at BLOCK_CAP rows.
    """
    if not lookups:
        return {}
    base = MatchKey.objects.filter(municipality_id=municipality_id)
    any_key = Q()
    for field, value in lookups:
        any_key |= Q(**{field: value})
    most = BLOCK_CAP * len(lookups)
    found = list(base.filter(any_key).values_list(*FEATURE_FIELDS)[:most + 1])
    if len(found) <= most and all(sum(1 for r in found if r[FEATURE_FIELDS.index(field)] == value) <= BLOCK_CAP
                                  for field, value in lookups):
        return {r[0]: r for r in found}
    rows: dict[int, tuple] = {}
    for field, value in lookups:
        for r in base.filter(**{field: value}).values_list(*FEATURE_FIELDS)[:BLOCK_CAP]:
            rows[r[0]] = r
    return rows


def _restricted(f: matching.Features, access) -> matching.Features:
    g = matching.Features(f.id, nk=f.nk, ns=f.ns, ng=f.ng, kk=f.kk, ks=f.ks, kg=f.kg)
    if access.basic:
        g.bd, g.pk, g.sex = f.bd, f.pk, f.sex
        if access.address:
            g.ak, g.blk, g.town = f.ak, f.blk, f.town
    return g


# ------------------------------------------------------------------------------------------------ batch

def run_batch(municipality, *, actor=None, progress: Callable[[str], None] | None = None) -> MatchRun:
    """Fill the review queue for one municipality. Idempotent: a second run adds and changes nothing.

    Open candidates get the new score; merged and rejected ones are never reopened or rescored; open ones
    that no longer reach the threshold become 'stale'.
    """
    say = progress or (lambda _msg: None)
    started = timezone.now()
    t0 = time.perf_counter()
    persons = Person.objects.filter(municipality=municipality).only(
        "id", "municipality_id", "name", "kana", "birth_date", "address", "phone", "sex").order_by("id")
    say(f"{municipality.name}: 本人の記録 {persons.count():,} 件の比較キーを確認しています…")
    refresh_keys(municipality, persons.iterator(chunk_size=5000), progress=say)
    rows = MatchKey.objects.filter(municipality=municipality).values_list(*FEATURE_FIELDS).order_by("person_id")
    records = [features_of_row(r) for r in rows.iterator(chunk_size=5000)]
    say(f"比較キー {len(records):,} 件を読み込みました（{time.perf_counter() - t0:.1f} 秒）。照合しています…")
    result = matching.find_matches(records, progress=say)
    say(f"比較したペア {result.compared:,} 組、同一人物の候補 {len(result.pairs):,} 組、"
        f"同一世帯の候補 {len(result.households):,} 組（{time.perf_counter() - t0:.1f} 秒）")
    by_id = {f.id: f for f in records}
    tf = matching.Frequencies.of(records)
    model = result.model
    same_household = _household_pairs(municipality)
    linked = _linked_clusters(municipality)
    masked = set(Person.objects.filter(municipality=municipality, address_masked=True).values_list("id", flat=True))
    found: dict[tuple[str, int, int], tuple[float, str, list[str]]] = {}
    for a, b, score in result.pairs:
        if a in linked and linked.get(a) == linked.get(b):
            continue  # already one identity (its own candidate, if any, stays as decided)
        _, why = matching.compare(by_id[a], by_id[b], tf, model, explain=True)
        reasons = matching.explain(why)
        if a in masked or b in masked:  # DV/虐待: say nothing about where the person lives
            reasons = [r for r in reasons if "住所" not in r and "電話" not in r] + [MASKED_NOTE]
        found[(MatchCandidate.PERSON, a, b)] = (round(score, 2), matching.band(score), reasons)
    for a, b in result.households:
        if (a, b) in same_household or a in masked or b in masked:
            continue
        score, why = matching.compare(by_id[a], by_id[b], tf, model, explain=True)
        found[(MatchCandidate.HOUSEHOLD, a, b)] = (round(score, 2), "household", matching.explain(why))
    with transaction.atomic():
        run = MatchRun.objects.create(municipality=municipality, started_at=started, persons=len(records),
                                      pairs_compared=result.compared, person_pairs=len(result.pairs),
                                      household_pairs=sum(1 for k in found if k[0] == MatchCandidate.HOUSEHOLD),
                                      parameters=model.as_json())
        _store(municipality, run, found)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at", "created", "updated", "unchanged", "stale"])
        transaction.on_commit(lambda: _MODEL_CACHE.pop(municipality.pk, None))
        log_action("identity.batch_run", actor=actor, municipality=municipality, obj=run,
                   object_repr=f"名寄せ一括照合 #{run.pk}",
                   detail={"persons": run.persons, "compared": run.pairs_compared, "created": run.created,
                           "updated": run.updated, "unchanged": run.unchanged, "stale": run.stale})
    say(f"確認待ちに反映しました: 新規 {run.created:,} 件・更新 {run.updated:,} 件・変化なし {run.unchanged:,} 件・"
        f"候補から外れた {run.stale:,} 件（合計 {time.perf_counter() - t0:.1f} 秒）")
    return run


# ------------------------------------------------------------------------------------------------ from the screen

JOB_STALLED_AFTER = datetime.timedelta(minutes=10)  # no progress for this long: the server stopped mid-run
JOB_THREAD_PREFIX = "match-job-"


def start_batch_job(actor, *, request=None, launch: Callable[[int], None] | None = None) -> MatchJob:
    """The data steward starts a batch run from the review page. It runs in the background (a thread of the
    server process; the page polls its progress); one run at a time per municipality."""
    require_reviewer(actor)
    from tsunagu.core.models import Municipality

    with transaction.atomic():
        Municipality.objects.select_for_update().filter(pk=actor.municipality_id).first()  # one start at a time
        expire_stalled_jobs(actor.municipality_id)
        if MatchJob.objects.filter(municipality_id=actor.municipality_id,
                                   status__in=[MatchJob.QUEUED, MatchJob.RUNNING]).exists():
            raise IdentityError("一括照合はすでに実行中です。終わるまでお待ちください。")
        now = timezone.now()
        job = MatchJob.objects.create(municipality_id=actor.municipality_id, requested_by=actor, requested_at=now,
                                      heartbeat_at=now, message="開始を待っています…")
        log_action("identity.batch_requested", actor=actor, obj=job, request=request,
                   object_repr=f"名寄せ一括照合の開始 #{job.pk}")
        transaction.on_commit(lambda: (launch or _in_thread)(job.pk))
    return job


def _in_thread(job_id: int) -> None:
    threading.Thread(target=run_job, args=(job_id,), name=f"{JOB_THREAD_PREFIX}{job_id}", daemon=True).start()


def run_job(job_id: int) -> MatchJob:
    """Run one requested batch, recording its progress on the job row (read by the status page)."""
    from django.db import connection

    last = [0.0]

    def progress(message: str) -> None:
        if time.monotonic() - last[0] >= 0.5:  # often enough for the page, not a write per line
            last[0] = time.monotonic()
            MatchJob.objects.filter(pk=job_id).update(message=message[:300], heartbeat_at=timezone.now())

    try:
        job = MatchJob.objects.select_related("municipality", "requested_by").get(pk=job_id)
        MatchJob.objects.filter(pk=job_id).update(status=MatchJob.RUNNING, heartbeat_at=timezone.now(),
                                                  message="照合を始めました…")
        run = run_batch(job.municipality, actor=job.requested_by, progress=progress)
        MatchJob.objects.filter(pk=job_id).update(
            status=MatchJob.DONE, run=run, finished_at=timezone.now(), heartbeat_at=timezone.now(),
            message=f"完了しました: 新規 {run.created:,} 件・更新 {run.updated:,} 件・変化なし {run.unchanged:,} 件・"
                    f"候補から外れた {run.stale:,} 件")
    except Exception:  # noqa: BLE001 — recorded for the page and the log; the queue is unchanged (one transaction)
        logger.exception("名寄せの一括照合 #%s が失敗しました", job_id)
        MatchJob.objects.filter(pk=job_id).update(
            status=MatchJob.FAILED, finished_at=timezone.now(),
            message="一括照合が途中で失敗しました。確認待ちの一覧は変わっていません。システム管理者にお知らせください。")
    try:
        return MatchJob.objects.get(pk=job_id)
    finally:
        if threading.current_thread().name.startswith(JOB_THREAD_PREFIX):
            connection.close()  # the thread's own connection


def expire_stalled_jobs(municipality_id: int) -> None:
    MatchJob.objects.filter(municipality_id=municipality_id, status__in=[MatchJob.QUEUED, MatchJob.RUNNING],
                            heartbeat_at__lt=timezone.now() - JOB_STALLED_AFTER).update(
        status=MatchJob.FAILED, finished_at=timezone.now(),
        message="応答がなくなりました（サーバーの再起動など）。確認待ちの一覧は変わっていません。もう一度開始してください。")


def job_for(user, job_id: int) -> MatchJob:
    require_reviewer(user)
    expire_stalled_jobs(user.municipality_id)
    try:
        return MatchJob.objects.select_related("run", "requested_by").get(municipality_id=user.municipality_id,
                                                                          pk=job_id)
    except (MatchJob.DoesNotExist, ValueError, TypeError):
        raise Http404("一括照合の記録が見つかりません") from None


def _household_pairs(municipality) -> set[tuple[int, int]]:
    """Pairs already recorded in one 世帯 (people.HouseholdMember): no need to propose them."""
    members: dict[int, list[int]] = {}
    for hh, pid in HouseholdMember.objects.filter(municipality=municipality).values_list("household_id", "person_id"):
        members.setdefault(hh, []).append(pid)
    pairs = set()
    for ids in members.values():
        ids.sort()
        pairs.update((a, b) for x, a in enumerate(ids) for b in ids[x + 1:])
    return pairs


def _linked_clusters(municipality) -> dict[int, int]:
    """person id → cluster root, over confirmed person links (union-find)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in IdentityLink.objects.filter(municipality=municipality, kind=MatchCandidate.PERSON).values_list(
            "person_a_id", "person_b_id"):
        parent[root(a)] = root(b)
    return {x: root(x) for x in list(parent)}


def _store(municipality, run: MatchRun, found: dict) -> None:
    now = timezone.now()
    existing = {(c.kind, c.person_a_id, c.person_b_id): c
                for c in MatchCandidate.objects.filter(municipality=municipality)
                .only("id", "kind", "person_a_id", "person_b_id", "score", "band", "reasons", "status")}
    new, changed = [], []
    for key, (score, band, reasons) in found.items():
        c = existing.get(key)
        if c is None:
            new.append(MatchCandidate(municipality=municipality, kind=key[0], person_a_id=key[1], person_b_id=key[2],
                                      score=score, band=band, reasons=reasons, found_at=now, updated_at=now))
        elif c.status in (MatchCandidate.OPEN, MatchCandidate.STALE) and (
                c.status == MatchCandidate.STALE or c.score != score or c.band != band or c.reasons != reasons):
            c.score, c.band, c.reasons, c.status, c.updated_at = score, band, reasons, MatchCandidate.OPEN, now
            changed.append(c)
        else:
            run.unchanged += 1
    gone = [c for key, c in existing.items() if key not in found and c.status == MatchCandidate.OPEN]
    for c in gone:
        c.status, c.updated_at = MatchCandidate.STALE, now
    MatchCandidate.objects.bulk_create(new, batch_size=1000)
    MatchCandidate.objects.bulk_update(changed + gone, ["score", "band", "reasons", "status", "updated_at"],
                                       batch_size=500)
    run.created, run.updated, run.stale = len(new), len(changed), len(gone)


# ------------------------------------------------------------------------------------------------ decisions

def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def cluster_of(person_id: int, *, kind: str = MatchCandidate.PERSON) -> set[int]:
    """Person ids confirmed to be the same person (or household) as `person_id`, itself included."""
    seen, todo = {person_id}, [person_id]
    while todo:
        batch, todo = todo, []
        for a, b in IdentityLink.objects.filter(kind=kind).filter(
                Q(person_a_id__in=batch) | Q(person_b_id__in=batch)).values_list("person_a_id", "person_b_id"):
            for pid in (a, b):
                if pid not in seen:
                    seen.add(pid)
                    todo.append(pid)
    return seen


@transaction.atomic
def merge_candidate(actor, candidate: MatchCandidate, *, note: str = "", request=None) -> IdentityLink:
    """A reviewer confirms: these two records are the same person (or household). Adds a link, moves nothing."""
    candidate = access_candidate_by_id(actor, candidate.pk, for_update=True)
    if candidate.status != MatchCandidate.OPEN:
        raise IdentityError(f"この候補は「{candidate.get_status_display()}」のため確定できません")
    a, b = _ordered(candidate.person_a_id, candidate.person_b_id)
    if IdentityLink.objects.filter(kind=candidate.kind, person_a_id=a, person_b_id=b).exists():
        raise IdentityError("この2件はすでに結び付けられています")
    now = timezone.now()
    link = IdentityLink.objects.create(municipality_id=actor.municipality_id, kind=candidate.kind, person_a_id=a,
                                       person_b_id=b, candidate=candidate, linked_by=actor, linked_at=now,
                                       note=(note or "").strip()[:300])
    candidate.status, candidate.decided_by, candidate.decided_at = MatchCandidate.MERGED, actor, now
    candidate.decision_note = (note or "").strip()[:300]
    candidate.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    code = "identity.merged" if candidate.kind == MatchCandidate.PERSON else "identity.household_linked"
    log_action(code, actor=actor, obj=link, request=request, reason=link.note,
               detail={"candidate": candidate.pk, "persons": [a, b], "score": candidate.score,
                       "reasons": candidate.reasons})
    return link


@transaction.atomic
def link_at_intake(actor, own: Person, other: Person, *, request=None) -> IdentityLink:
    """A window records a consultation about a person another agency recorded: its own new record is linked to
    the other as the same person. The link grants nothing (R10); the steward can undo it like any merge."""
    a, b = _ordered(own.pk, other.pk)
    link, _ = IdentityLink.objects.get_or_create(
        kind=MatchCandidate.PERSON, person_a_id=a, person_b_id=b,
        defaults={"municipality_id": actor.municipality_id, "linked_by": actor, "linked_at": timezone.now(),
                  "note": "受付時に窓口が同一人物として選択"})
    log_action("identity.linked_at_intake", actor=actor, obj=link, request=request, detail={"persons": [a, b]})
    return link


@transaction.atomic
def reject_candidate(actor, candidate: MatchCandidate, *, note: str = "", request=None) -> MatchCandidate:
    """A reviewer decides: different people (or households). The batch never proposes the pair again."""
    candidate = access_candidate_by_id(actor, candidate.pk, for_update=True)
    if candidate.status != MatchCandidate.OPEN:
        raise IdentityError(f"この候補は「{candidate.get_status_display()}」のため処理できません")
    candidate.status, candidate.decided_by, candidate.decided_at = MatchCandidate.REJECTED, actor, timezone.now()
    candidate.decision_note = (note or "").strip()[:300]
    candidate.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    log_action("identity.rejected", actor=actor, obj=candidate, request=request, reason=candidate.decision_note,
               detail={"persons": [candidate.person_a_id, candidate.person_b_id], "score": candidate.score})
    return candidate


@transaction.atomic
def unmerge_link(actor, link: IdentityLink, *, note: str = "", request=None) -> None:
    """Undo a merge exactly: the link goes, the candidate is open again as before the decision."""
    link = access_link_by_id(actor, link.pk, for_update=True)
    if not (note or "").strip():
        raise IdentityError("取り消しの理由を入力してください", field="note")
    detail = {"link": link.pk, "persons": [link.person_a_id, link.person_b_id], "candidate": link.candidate_id,
              "linked_by": link.linked_by_id, "linked_at": link.linked_at.isoformat(), "link_note": link.note}
    kind = link.kind
    candidate_id = link.candidate_id
    link.delete()
    if candidate_id:
        MatchCandidate.objects.filter(pk=candidate_id).update(status=MatchCandidate.OPEN, decided_by=None,
                                                              decided_at=None, decision_note="")
    code = "identity.unmerged" if kind == MatchCandidate.PERSON else "identity.household_unlinked"
    log_action(code, actor=actor, object_type="identity.identitylink", object_id=detail["link"],
               object_repr=f"名寄せリンク #{detail['link']}", reason=note.strip()[:300], request=request,
               detail=detail)
