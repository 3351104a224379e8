"""Single intake lookup latency (candidates_for) with N persons in SQLite or PostgreSQL.

Run as its own process (Django is configured from the environment): creates a fresh database, loads the
射水市 profile, bulk-loads N persons spread over six agencies (the user sees only their own agency's), then
times candidates_for for 1,000 held-out records of the same population. Drops the database at the end.
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
PG_DB = "tsunagu_namayose_bench"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--lookups", type=int, default=1000)
    args = ap.parse_args()
    sqlite_path = Path("/tmp/tsunagu_namayose_bench.sqlite3")
    if args.backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(sqlite_path) + suffix).unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)
        os.environ["TSUNAGU_SQLITE_PATH"] = str(sqlite_path)
    else:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            con.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.settings")
    import django

    django.setup()
    try:
        result = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.backend == "postgres":
            import psycopg

            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as con:
                con.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(str(sqlite_path) + suffix).unlink(missing_ok=True)
    print(json.dumps(result))


def run(args) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from tsunagu.directory.models import Agency, Role, Staff
    from tsunagu.directory.profile_validation import validate_files
    from tsunagu.directory.services import load_profile
    from tsunagu.identity.keys import _source_hash, drop_prefixes, key_values
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
    agencies = list(Agency.objects.for_municipality(muni).order_by("id")[:6])
    user = Staff.objects.create_user(username="bench", password="bench-password-123", municipality=muni,
                                     agency=agencies[0])
    user.roles.set(Role.objects.for_municipality(muni).filter(kind="intake")[:1])
    records = Generator(args.seed).records(int((args.size + args.lookups) * 1.05))  # records() may return fewer
    stored, queries = records[:args.size], records[args.size:args.size + args.lookups]
    prefixes = drop_prefixes(muni)
    t0 = time.perf_counter()
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
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    else:
        with connection.cursor() as c:
            c.execute("ANALYZE")
    log(f"loaded {len(stored):,} persons in {time.perf_counter() - t0:.0f}s")
    for r in queries[:50]:  # warm-up
        candidates_for(user, name=r.name, kana=r.kana, birth_date=_date(r.birth), address=r.address, phone=r.phone)
    times, hits = [], 0
    for r in queries:
        t = time.perf_counter()
        found = candidates_for(user, name=r.name, kana=r.kana, birth_date=_date(r.birth), address=r.address,
                               phone=r.phone)
        times.append((time.perf_counter() - t) * 1000)
        hits += bool(found)
    times.sort()
    q = statistics.quantiles(times, n=100)
    return {"backend": args.backend, "persons": len(stored), "lookups": len(times), "p50_ms": q[49],
            "p95_ms": q[94], "p99_ms": q[98], "mean_ms": statistics.fmean(times), "with_candidates": hits,
            "load_seconds": time.perf_counter() - t0}


if __name__ == "__main__":
    main()
