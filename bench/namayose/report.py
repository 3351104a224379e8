"""RESULTS.md from bench/namayose/results/*.json."""

from __future__ import annotations

import json
from pathlib import Path

from tsunagu.identity import learn, matching

from .engine_bench import SPLINK_CONFIG
from .grid import GRID

HERE = Path(__file__).resolve().parent
ORDER = [d.name for d in GRID]


def _f(x: float) -> str:
    return f"{x:.4f}"


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def _label(r: dict) -> str:
    return f"{r['data']['name']} {r.get('nominal_size', r['size']) // 1000}k"


def _targets(results: list[dict], speed_runs: list[dict]) -> list[str]:
    rows = ["## Targets (issue 16, “Done when”)", "", "| data set | F1 ≥ 0.98 at the suggestion threshold | precision ≥ 0.995 |"
            " F1 > Splink's best (oracle) F1 | blocking completeness ≥ 0.99 | batch ≥ 20,000 records/s |"
            " *review threshold: F1 (precision)* | *oracle F1: tsunagu vs Splink* |",
            "|---|---|---|---|---|---|---|---|"]
    for r in results:
        t, s = r["tsunagu"], r.get("splink")
        sug = t["suggest"]
        vs = (f"{_f(sug['f1'])} vs {_f(s['best_f1'])} {_mark(sug['f1'] > s['best_f1'])}" if s else "—")
        speed = (f"{t['records_per_second']:,.0f}/s {_mark(t['records_per_second'] >= 20000)}"
                 if r["size"] >= 400_000 else f"({t['records_per_second']:,.0f}/s)")
        rev = t["review"]
        oracle = f"{_f(t['best_f1'])} vs {_f(s['best_f1'])}" if s else _f(t["best_f1"])
        rows.append(f"| {_label(r)} | {_f(sug['f1'])} {_mark(sug['f1'] >= 0.98)} | {_f(sug['precision'])} "
                    f"{_mark(sug['precision'] >= 0.995)} | {vs} | {_f(t['blocking_completeness'])} "
                    f"{_mark(t['blocking_completeness'] >= 0.99)} | {speed} | {_f(rev['f1'])} ({_f(rev['precision'])})"
                    f" | {oracle} |")
    lat = [x for r in results for x in r.get("latency", [])]
    rows += [""]
    for x in speed_runs:
        rows.append(f"- Batch ≥ 20,000 records/s on one core at {x['size']:,} records (speed bench below, commit"
                    f" {x.get('commit', '?')}, against a baseline in the same run): **{x['this_wall']:,.0f} records/s**"
                    f" {_mark(x['this_wall'] >= 20000)} ({x['ratio_wall']:.2f} × the baseline's {x['baseline_wall']:,.0f})."
                    " The speed column above was measured during the grid run, on a busier machine (load average"
                    " in the details).")
    for x in lat:
        rows.append(f"- Intake lookup p95 ≤ 20 ms on {x['backend']} at {x['persons']:,} persons: "
                    f"**{x['p95_ms']:.1f} ms** {_mark(x['p95_ms'] <= 20)} (p50 {x['p50_ms']:.1f} ms, p99 "
                    f"{x['p99_ms']:.1f} ms; {x['lookups']:,} lookups, {x['with_candidates']:,} with a visible "
                    f"candidate; {x.get('model', 'default')} parameters; database loaded in {x['load_seconds']:.0f} s;"
                    f" commit {next((r.get('commit_latency', '?') for r in results if x in r.get('latency', [])), '?')})")
    rows += ["", "The last two columns are not targets: they show where the suggestion threshold stands. At the"
             " suggestion threshold the stated caps (namesake, surname change; model.py, matching.py) keep pairs"
             " with nothing but name and birth date in common in the review band by design; the ablation row of"
             " each data set below gives the suggestion figures without the namesake cap.", "",
             "The speed target is judged at 500k records (smaller runs are shown in brackets). Speed is wall-clock"
             " time for one process on one core, end to end from the text as entered: keys, learning the weights,"
             " blocking, scoring, household proposals. The machine is shared (2 cores); each run's CPU time and"
             " load average are given below.", ""]
    return rows


def _speed(speed: list[dict]) -> list[str]:
    rows = []
    for x in speed:
        rows += [f"### Batch speed at {x['size']:,} records against a baseline in the same run", "",
                 f"`.venv/bin/{x['command']}` (commit {x.get('commit', '?')}; the baseline checkout made with"
                 " `git archive`) — this checkout and the baseline on the same records,"
                 " one process each, alternating; best of each. The baseline had fixed weights (no learning step).", "",
                 "| | records/s (wall clock) | records per CPU second |", "|---|---|---|",
                 f"| baseline = {x['baseline']} | | |",
                 f"| this checkout | **{x['this_wall']:,.0f}** | {x['this_cpu']:,.0f} |",
                 f"| baseline | {x['baseline_wall']:,.0f} | {x['baseline_cpu']:,.0f} |",
                 f"| ratio | {x['ratio_wall']:.2f} | {x['ratio_cpu']:.2f} |", "",
                 "Load average at the start of each run: " + ", ".join(
                     f"{r['which']} {r['load']:.2f}" for r in x["runs"]) + ".", ""]
    return rows


def _noise_table(results: list[dict]) -> list[str]:
    seen, rows = set(), ["## Data sets", "", "| data set | name lists | what differs from the default generator |",
                         "|---|---|---|"]
    for r in results:
        d = r["data"]
        if d["name"] in seen:
            continue
        seen.add(d["name"])
        changed = ", ".join(f"{k} = {v}" for k, v in d["changed_noise"].items()) or "—"
        rows.append(f"| {d['name']} | {r['name_lists']} | {d['description']}: {changed} |")
    first = results[0]["data"]["noise"]
    rows += ["", "Default noise rates (`bench/namayose/generate.py`, `Noise`): "
             + ", ".join(f"{k} = {v}" for k, v in first.items() if k not in results[0]["data"]["changed_noise"]) + ".",
             "Every record also varies in notation: 異体字 (髙/高, 﨑/崎, 邊/辺, 齋/斎 …), katakana / hiragana /"
             " half-width kana, 和暦 and western date formats, address notations (一丁目2番3号 / 1-2-3 / 全角, with or"
             " without prefecture, city and building), phone notations; households share surname, address and"
             " often a landline; twins share a birth date.", ""]
    return rows


def _details(r: dict) -> list[str]:
    t, s = r["tsunagu"], r.get("splink")
    model = t["model"]
    st = model.get("stats", {})
    lines = [f"### {_label(r)}: {r['size']:,} records, {r['persons']:,} persons, {r['true_pairs']:,} true pairs"
             f" (seed {r['seed']}; commit {r.get('commit', '?')})", "",
             "| system / threshold | precision | recall | F1 | predicted pairs |", "|---|---|---|---|---|"]

    def row(label, x):
        lines.append(f"| {label} | {_f(x['precision'])} | {_f(x['recall'])} | {_f(x['f1'])} | {x['predicted']:,} |")

    row(f"tsunagu, suggestion (P ≥ 0.99: ≥ {matching.SUGGEST:.2f} bits)", t["suggest"])
    row(f"tsunagu, review (P ≥ 0.1: ≥ {matching.REVIEW:.2f} bits)", t["review"])
    row("*ablation: tsunagu suggestion without the namesake cap*", t["suggest_without_namesake_cap"])
    if s:
        row("Splink, p ≥ 0.99", s["p99"])
        row("Splink, p ≥ 0.5", s["p50"])
    lines += ["",
              f"- Best F1 over all thresholds (oracle): tsunagu {t['best_f1']:.4f} (at {t['best_threshold']:.1f} bits)"
              + (f", Splink **{s['best_f1']:.4f}** (at p = {s['best_threshold']:.4f})" if s else ""),
              f"- Review band (pairs a human looks at, below the suggestion threshold): {t['review_band']:,};"
              f" household proposals: {t['households']:,}",
              f"- Blocking completeness {t['blocking_completeness']:.4f}; pairs compared {t['compared']:,}"
              f" ({t['compared'] / r['size']:.1f} per record); oversized blocks skipped {t['skipped_blocks']:,}",
              f"- Learned: {model['source']} parameters; estimated true pairs {st.get('estimated_matches', 0):,.0f}"
              f" (actual {r['true_pairs']:,}); m(birth exact) {model['m']['birth'][0]:.3f};"
              f" prior {model['prior']:.1f} bits; EM {st.get('iterations_a', 0)} + {st.get('iterations_b', 0)}"
              f" iterations on {st.get('pairs_a', 0):,} + {st.get('pairs_b', 0):,} pairs",
              f"- Speed, one core: **{t['records_per_second']:,.0f} records/s** (keys {t['seconds_keys']:.1f} s,"
              f" learning {t['seconds_learn']:.1f} s, matching {t['seconds_match']:.1f} s; CPU {t['cpu_seconds']:.1f} s"
              f" = {t['records_per_cpu_second']:,.0f} records per CPU second; load average"
              f" {t['load_average'][0]:.2f} before, {t['load_average'][1]:.2f} after)"]
    if s:
        lines.append(f"- Splink (2 threads): {s['records_per_second']:,.0f} records/s (keys {s['seconds_keys']:.1f} s,"
                     f" training {s['seconds_train']:.1f} s, prediction {s['seconds_predict']:.1f} s)")
    return lines + [""]


def write_report() -> None:
    results = [json.loads(p.read_text()) for p in HERE.glob("results/*.json") if not p.name.startswith("speed-")]
    speed = [json.loads(p.read_text()) for p in sorted(HERE.glob("results/speed-*.json"))]
    if not results:
        return
    results.sort(key=lambda r: (r["size"] > 100_000, ORDER.index(r["data"]["name"]) if r["data"]["name"] in ORDER
                                else 99))
    m = results[-1]["machine"]
    commands = list(dict.fromkeys(x for r in results for x in (r["command"], r.get("command_latency")) if x))
    lines = [
        "# 名寄せ benchmark: tsunagu vs Splink over a grid of data sets",
        "",
        f"- Date: {max(r['date'] for r in results)}; machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM,"
        f" Python {m['python']}",
        "- Regenerated by (from the repository root, after `.venv/bin/pip install -e '.[bench]'`): "
        + "; ".join(f"`.venv/bin/{c}`" for c in commands),
        "- tsunagu: Fellegi–Sunter with m and u learned from each data set itself, unsupervised"
        f" (`tsunagu/identity/learn.py`: u from {learn.RANDOM_PAIRS:,} random pairs, EM blocked on birth date and"
        " then on address/phone, never on the bare name; term-frequency adjustment on names, addresses, phones);"
        " levels and caps in `tsunagu/identity/matching.py`. Thresholds are a rule on the posterior: suggestion"
        f" P ≥ 0.99 ({matching.SUGGEST:.2f} bits), review P ≥ 0.1 ({matching.REVIEW:.2f} bits), fixed in"
        " `tsunagu/identity/model.py` and committed before this grid was first run. The matcher was designed on"
        " the `default` data set with seed 3; every figure here is seed 7.",
        "- The namesake cap (same name, reading and birth date with nothing else in common: a review case,"
        " never a suggestion) is part of what tsunagu does; the ablation row shows the same run without it.",
        "",
        "```",
        SPLINK_CONFIG,
        "```",
        "",
    ]
    lines += _targets(results, speed) + _speed(speed) + _noise_table(results) + ["## Details", ""]
    for r in results:
        lines += _details(r)
    (HERE / "RESULTS.md").write_text("\n".join(lines))


if __name__ == "__main__":
    write_report()
