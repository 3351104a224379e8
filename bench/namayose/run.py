"""名寄せ benchmark: tsunagu's matcher vs a fairly configured Splink (DuckDB) over a grid of data sets, the batch
speed at 500k records, and the intake lookup latency on SQLite and PostgreSQL. One command regenerates it all:

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python -m bench.namayose.run

Writes bench/namayose/results/<data set>-<size>.json and regenerates bench/namayose/RESULTS.md from every
results file. The lookup latency bench creates and drops a PostgreSQL database named by TSUNAGU_BENCH_PG_DB
(default tsunagu_namayose_bench) on 127.0.0.1:5432 as user postgres. `bench.namayose.speed` measures the
batch against a baseline checkout in the same run; its figures join RESULTS.md. Parts can be rerun into the same files (e.g. `--only independent --sizes 50000 --no-latency`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GRID_SIZE = 50_000
LARGE_SIZE = 500_000
LARGE_SETS = ("default", "independent")


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem / 1024 / 1024, 1),
            "python": sys.version.split()[0]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--grid-size", type=int, default=GRID_SIZE)
    ap.add_argument("--large-size", type=int, default=LARGE_SIZE)
    ap.add_argument("--large-sets", default=",".join(LARGE_SETS), help="data sets also run at --large-size")
    ap.add_argument("--only", default="", help="comma-separated data sets (default: the whole grid)")
    ap.add_argument("--sizes", default="", help="comma-separated sizes to run (default: grid and large)")
    ap.add_argument("--no-splink", action="store_true")
    ap.add_argument("--latency", default="sqlite,postgres", help="backends for the intake lookup latency")
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument("--latency-only", action="store_true", help="rerun only the lookup latency into the results")
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.settings")
    from .engine_bench import run_splink, run_tsunagu
    from .generate import Generator, true_pairs
    from .grid import GRID

    def log(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    command = "python -m bench.namayose.run" + ("" if len(sys.argv) == 1 else " " + " ".join(sys.argv[1:]))
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    only = {x for x in args.only.split(",") if x}
    sizes = {int(x) for x in args.sizes.split(",") if x}
    large = {x for x in args.large_sets.split(",") if x}
    if args.latency_only:
        path = out_dir / f"default-{args.large_size}.json"
        res = json.loads(path.read_text())
        res["latency"], res["command_latency"] = _latency(args, args.large_size, log), command
        res["commit_latency"] = commit()
        path.write_text(json.dumps(res, ensure_ascii=False, indent=1))
        from .report import write_report

        write_report()
        return
    runs = [(d, args.grid_size) for d in GRID] + [(d, args.large_size) for d in GRID if d.name in large]
    for data, size in runs:
        if (only and data.name not in only) or (sizes and size not in sizes):
            continue
        path = out_dir / f"{data.name}-{size}.json"
        log(f"{data.name}: generating {size:,} records (seed {args.seed}; {data.description})")
        records = Generator(args.seed, noise=data.noise, names=data.name_lists()).records(size)
        truth = true_pairs(records)
        log(f"{len(records):,} records of {len({r.entity for r in records}):,} persons, {len(truth):,} true pairs")
        res = {"data": data.as_json(), "name_lists": data.name_lists().label, "nominal_size": size, "size": len(records),
               "persons": len({r.entity for r in records}), "true_pairs": len(truth), "seed": args.seed,
               "date": dt.date.today().isoformat(), "machine": machine(), "command": command, "commit": commit()}
        res["tsunagu"] = run_tsunagu(records, truth, log)
        t = res["tsunagu"]
        log(f"tsunagu: suggest F1 {t['suggest']['f1']:.4f} P {t['suggest']['precision']:.4f}, review F1 "
            f"{t['review']['f1']:.4f}, {t['records_per_second']:,.0f} records/s")
        if not args.no_splink:
            res["splink"] = run_splink(records, truth, log)
            log(f"splink: best F1 {res['splink']['best_f1']:.4f}, p≥0.99 F1 {res['splink']['p99']['f1']:.4f}")
        del records
        if data.name == "default" and size == args.large_size and not args.no_latency:
            res["latency"] = _latency(args, size, log)
            res["command_latency"], res["commit_latency"] = command, commit()
        elif path.exists():  # keep the lookup figures of an earlier run
            earlier = json.loads(path.read_text())
            if "latency" in earlier and earlier.get("seed") == args.seed:
                for key in ("latency", "command_latency", "commit_latency"):
                    if key in earlier:
                        res[key] = earlier[key]
        path.write_text(json.dumps(res, ensure_ascii=False, indent=1))
    from .report import write_report

    write_report()
    log(f"wrote {HERE / 'RESULTS.md'}")


def _latency(args, size: int, log) -> list[dict]:
    """One process per backend, one after the other (each loads its own database, then times the lookups)."""
    backends = [b for b in args.latency.split(",") if b]
    log(f"lookup latency on {', '.join(backends)} with {size:,} persons")
    out = []
    for backend in backends:
        proc = subprocess.run([sys.executable, "-m", "bench.namayose.latency", "--backend", backend, "--size",
                               str(size), "--seed", str(args.seed)], cwd=ROOT, capture_output=True, text=True)
        sys.stderr.write(proc.stderr[-3000:])
        if proc.returncode == 0:
            out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            log(f"{backend}: {out[-1]}")
    return out


if __name__ == "__main__":
    main()
