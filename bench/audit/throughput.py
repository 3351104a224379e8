"""Audit writes per second with N threads: one lane (the chain before issue 18) against several lanes.

    DATABASE_URL=postgres://…/tsunagu python -m bench.audit.throughput [--threads 8] [--seconds 5] [--lanes 16]
                                                                       [--hold-ms 0] [--json out.json]

Runs in a scratch test database (created and dropped, as the test runner does), so the real audit log is not
touched. Each thread writes events one transaction at a time, as the read of a page does (`--hold-ms` keeps the
transaction open a little after the write, as a request that does more work after logging would). Both
configurations run in the same process, one after the other, and the ratio is printed: no fixed expectation,
the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.settings")
    import django

    django.setup()


def run(threads: int, seconds: float, lanes: int, hold_ms: float) -> dict:
    from django.conf import settings
    from django.db import connection, transaction

    from tsunagu.privacy import chain
    from tsunagu.privacy.audit import log_action
    from tsunagu.privacy.models import AuditChainHead, AuditEvent

    settings.TSUNAGU_AUDIT_LANES = lanes
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    log_action("staff.updated", actor_label="bench", detail={"warmup": True})  # makes the lanes
    counts = [0] * threads
    errors: list[str] = []
    start = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def worker(i: int):
        try:
            start.wait()
            while time.perf_counter() < stop_at[0]:
                with transaction.atomic():
                    log_action("staff.updated", actor_label=f"bench {i}", detail={"n": counts[i]})
                    if hold_ms:
                        time.sleep(hold_ms / 1000)
                counts[i] += 1
        except Exception as exc:  # noqa: BLE001 — reported in the result
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    stop_at[0] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    start.wait()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    total, problems = chain.verify()
    used = sorted(set(AuditEvent.objects.values_list("lane", flat=True)))
    return {"lanes": lanes, "threads": threads, "seconds": round(elapsed, 2), "writes": sum(counts),
            "writes_per_s": round(sum(counts) / elapsed, 1), "lanes_used": len(used), "verified": total,
            "problems": problems[:3], "errors": errors[:3]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--lanes", type=int, default=16)
    parser.add_argument("--hold-ms", type=float, default=0.0)
    parser.add_argument("--json", help="write the results here as JSON")
    args = parser.parse_args(argv)
    _setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    os.environ.setdefault("TSUNAGU_AUDIT_KEY", "bench-audit-key-" + "b" * 40)
    from django.conf import settings

    settings.TSUNAGU_AUDIT_KEY = settings.TSUNAGU_AUDIT_KEY or os.environ["TSUNAGU_AUDIT_KEY"]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        vendor = connection.vendor
        single = run(args.threads, args.seconds, 1, args.hold_ms)
        lanes = run(args.threads, args.seconds, args.lanes, args.hold_ms)
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)
    ratio = lanes["writes_per_s"] / single["writes_per_s"] if single["writes_per_s"] else None
    result = {"database": vendor, "hold_ms": args.hold_ms, "single_lane": single, "lanes": lanes,
              "ratio": round(ratio, 2) if ratio else None, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "cpus": os.cpu_count(), "load": os.getloadavg()[0]}
    for r in (single, lanes):
        print(f"{vendor}: {r['threads']} threads, {r['lanes']} lane(s): {r['writes_per_s']} writes/s "
              f"({r['writes']} in {r['seconds']} s, {r['lanes_used']} lanes used, verify: "
              f"{'ok' if not r['problems'] else r['problems'][0]}{', errors: ' + r['errors'][0] if r['errors'] else ''})")
    print(f"ratio (lanes / single lane): {result['ratio']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, ensure_ascii=False, indent=2)
    return 0 if not (single["problems"] or lanes["problems"] or single["errors"] or lanes["errors"]) else 1


if __name__ == "__main__":
    sys.exit(main())
