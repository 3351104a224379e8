"""Single intake lookup latency (candidates_for) with N persons in SQLite or PostgreSQL.

Run as its own process (Django is configured from the environment): creates a fresh database, loads the
射水市 profile, bulk-loads N persons spread over six agencies (the user sees only their own agency's), then
times candidates_for for 1,000 held-out records of the same population. Drops the database at the end.

To iterate on the lookup without reloading 500k persons each time:
  --keep    do not drop the database at the end (nor at the start, when it is reused)
  --reuse   when the database already holds exactly --size persons of the benchmark municipality, skip the
            load (migrations still run, so a new index migration is applied); otherwise start afresh
  --dump F  write every lookup's result (person ids, scores, bands, reasons, full) to F as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
PG_DB = os.environ.get("TSUNAGU_BENCH_PG_DB", "tsunagu_namayose_bench")  # created and dropped by this bench


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--lookups", type=int, default=1000)
    ap.add_argument("--keep", action="store_true", help="keep the database (do not drop it at the end)")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse a kept database when it already holds --size persons (skip the load)")
    ap.add_argument("--dump", type=Path, help="write every lookup's result to this JSON file")
    args = ap.parse_args()
    if args.backend == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ["TSUNAGU_SQLITE_PATH"] = str(SQLITE_PATH)
        SQLITE_PATH.parent.mkdir(exist_ok=True)
        if not args.reuse:
            _drop(args.backend)
    else:
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
        if not (args.reuse and _pg_exists()):
            _drop(args.backend)
            _pg_admin(f"CREATE DATABASE {PG_DB}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.settings")
    import django

    django.setup()
    try:
        result = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop(args.backend)
    print(json.dumps(result))


SQLITE_PATH = HERE.parents[2] / "var" / "namayose_bench.sqlite3"
BENCH_USER = "bench"


def _pg_admin(sql: str, params=()) -> list:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as con:
        cur = con.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _pg_exists() -> bool:
    return bool(_pg_admin("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DB,)))


def _drop(backend: str) -> None:
    if backend == "postgres":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_PATH) + suffix).unlink(missing_ok=True)


def run(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from tsunagu.directory.models import Agency, Role, Staff
    from tsunagu.directory.profile_validation import validate_files
    from tsunagu.directory.services import load_profile
    from tsunagu.identity.models import MatchKey
    from tsunagu.identity.services import candidates_for
    from tsunagu.people.models import Person

    from .engine_bench import _date
    from .generate import Generator

    log = lambda msg: print(f"[{args.backend}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    call_command("migrate", verbosity=0)
    profiles, problems = validate_files([HERE.parents[2] / "profiles" / "imizu.yaml"])
    assert not problems, problems
    muni = load_profile(profiles[0], source="profiles/imizu.yaml")
    if args.reuse:
        held = Person.objects.filter(municipality=muni).count()
        if held and (held != args.size or MatchKey.objects.filter(municipality=muni).count() != held
                     or not Staff.objects.filter(username=BENCH_USER).exists()):
            log(f"the kept database holds {held:,} persons, not {args.size:,}: starting afresh")
            connection.close()
            _drop(args.backend)
            if args.backend == "postgres":
                _pg_admin(f"CREATE DATABASE {PG_DB}")
            call_command("migrate", verbosity=0)
            muni = load_profile(profiles[0], source="profiles/imizu.yaml")
            held = 0
    else:
        held = 0
    agencies = list(Agency.objects.for_municipality(muni).order_by("id")[:6])
    records = Generator(args.seed).records(int((args.size + args.lookups) * 1.05))  # records() may return fewer
    stored, queries = records[:args.size], records[args.size:args.size + args.lookups]
    t0 = time.perf_counter()
    if held:
        user = Staff.objects.get(username=BENCH_USER)
        with connection.cursor() as c:  # statistics for any index a new migration added
            c.execute("ANALYZE")
        log(f"reusing the kept database ({held:,} persons)")
    else:
        user = Staff.objects.create_user(username=BENCH_USER, password="bench-password-123", municipality=muni,
                                         agency=agencies[0])
        user.roles.set(Role.objects.for_municipality(muni).filter(kind="intake")[:1])
        _load(muni, agencies, stored)
        _store_model(muni, stored)
        with connection.cursor() as c:
            c.execute("ANALYZE")
        log(f"loaded {len(stored):,} persons in {time.perf_counter() - t0:.0f}s")
    load_seconds = time.perf_counter() - t0
    for r in queries[:50]:  # warm-up
        candidates_for(user, name=r.name, kana=r.kana, birth_date=_date(r.birth), address=r.address, phone=r.phone)
    times, hits, dump = [], 0, []
    for r in queries:
        t = time.perf_counter()
        found = candidates_for(user, name=r.name, kana=r.kana, birth_date=_date(r.birth), address=r.address,
                               phone=r.phone)
        times.append((time.perf_counter() - t) * 1000)
        hits += bool(found)
        if args.dump:
            dump.append([[c.person.pk, c.score, c.band, c.reasons, c.full] for c in found])
    if args.dump:
        args.dump.write_text(json.dumps(dump, ensure_ascii=False))
    times.sort()
    q = statistics.quantiles(times, n=100)
    from tsunagu.identity.services import municipality_model

    source = municipality_model(muni.pk, len(stored)).source
    return {"backend": args.backend, "persons": len(stored), "lookups": len(times), "p50_ms": q[49], "model": source,
            "p95_ms": q[94], "p99_ms": q[98], "mean_ms": statistics.fmean(times), "with_candidates": hits,
            "load_seconds": load_seconds, "reused": bool(held)}


def _store_model(muni, stored) -> None:
    """The parameters a batch run would learn from these records, stored as a batch run stores them (the
    lookup then reads them as it does in production)."""
    from django.utils import timezone

    from tsunagu.identity import batch
    from tsunagu.identity.learn import learn
    from tsunagu.identity.models import MatchRun

    from .engine_bench import PREFIXES

    c = batch.Columns.of_raw([r.rid for r in stored], names=[r.name for r in stored], kanas=[r.kana for r in stored],
                             births=[r.birth for r in stored], addresses=[r.address for r in stored],
                             phones=[r.phone for r in stored], sexes=[r.sex for r in stored], drop_prefixes=PREFIXES)
    now = timezone.now()
    MatchRun.objects.create(municipality=muni, started_at=now, finished_at=now, persons=len(stored),
                            parameters=learn(c).as_json())


def _load(muni, agencies, stored) -> None:
    from django.db import transaction

    from tsunagu.identity.keys import _source_hash, drop_prefixes, key_values
    from tsunagu.identity.models import MatchKey
    from tsunagu.people.models import Person

    from .engine_bench import _date

    prefixes = drop_prefixes(muni)
    for start in range(0, len(stored), 5000):
        chunk = stored[start:start + 5000]
        persons = []
        for i, r in enumerate(chunk):
            p = Person(id=r.rid, municipality=muni, name=r.name, kana=r.kana, birth_date=_date(r.birth), sex=r.sex,
                       address=r.address, phone=r.phone, recorded_by_agency=agencies[(start + i) % len(agencies)])
            p.refresh_keys()
            persons.append(p)
        keys = [MatchKey(person_id=p.pk, municipality=muni, source=_source_hash(p), **key_values(p, prefixes))
                for p in persons]
        with transaction.atomic():
            Person.objects.bulk_create(persons, batch_size=1000)
            MatchKey.objects.bulk_create(keys, batch_size=1000)


if __name__ == "__main__":
    main()
