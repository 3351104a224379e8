"""名寄せ benchmark: tsunagu's matcher vs Splink (DuckDB) on the same synthetic data, plus lookup latency.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python -m bench.namayose.run --size 50000 --size 500000 --latency sqlite,postgres --latency-size 500000

Writes bench/namayose/results/<size>.json and regenerates bench/namayose/RESULTS.md from every results file.
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
    ap.add_argument("--size", type=int, action="append", required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-splink", action="store_true")
    ap.add_argument("--latency", default="", help="sqlite,postgres")
    ap.add_argument("--latency-size", type=int, default=0)
    ap.add_argument("--splink-only", action="store_true", help="rerun Splink into existing results files")
    ap.add_argument("--latency-only", action="store_true", help="rerun the lookup latency into existing results")
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagu.settings")
    from .engine_bench import run_splink, run_tsunagu
    from .generate import Generator, true_pairs

    def log(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    command = "python -m bench.namayose.run " + " ".join(sys.argv[1:])
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    for size in args.size:
        name = f"{size}" if args.seed == 7 else f"{size}-seed{args.seed}"  # seed 7 is the reported set
        if args.latency_only:
            res = json.loads((out_dir / f"{name}.json").read_text())
            res["command_latency"] = command
            res["latency"] = _latency(args, size, log)
            (out_dir / f"{name}.json").write_text(json.dumps(res, ensure_ascii=False, indent=1))
            continue
        log(f"generating {size:,} records (seed {args.seed})")
        records = Generator(args.seed).records(size)
        truth = true_pairs(records)
        log(f"{len(records):,} records of {len({r.entity for r in records}):,} persons, {len(truth):,} true pairs")
        if args.splink_only:
            res = json.loads((out_dir / f"{name}.json").read_text())
            res["command_splink"] = command
            res["splink"] = run_splink(records, truth, log)
            log(f"splink: {json.dumps(res['splink'], ensure_ascii=False)}")
            (out_dir / f"{name}.json").write_text(json.dumps(res, ensure_ascii=False, indent=1))
            continue
        res = {"size": len(records), "persons": len({r.entity for r in records}), "true_pairs": len(truth),
               "seed": args.seed, "date": dt.date.today().isoformat(), "machine": machine(), "command": command}
        res["tsunagu"] = run_tsunagu(records, truth, log)
        log(f"tsunagu: {json.dumps(res['tsunagu'], ensure_ascii=False)}")
        if not args.no_splink:
            res["splink"] = run_splink(records, truth, log)
            log(f"splink: {json.dumps(res['splink'], ensure_ascii=False)}")
        del records
        if args.latency and args.latency_size == size:
            res["latency"] = _latency(args, size, log)
        elif (out_dir / f"{name}.json").exists():  # keep the lookup figures of an earlier --latency-only run
            earlier = json.loads((out_dir / f"{name}.json").read_text())
            if "latency" in earlier and earlier.get("seed") == args.seed:
                res["latency"], res["command_latency"] = earlier["latency"], earlier.get("command_latency")
        (out_dir / f"{name}.json").write_text(json.dumps(res, ensure_ascii=False, indent=1))
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
