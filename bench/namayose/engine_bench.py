"""Accuracy and speed of the tsunagu matcher and of Splink (DuckDB) on the same synthetic records."""

from __future__ import annotations

import gc
import os
import time

from tsunagu.core import text
from tsunagu.identity import batch, matching

from .generate import Record, true_pairs

PREFIXES = ("射水市",)


def _date(s: str):
    if not s:
        return None
    try:
        return text.parse_date(s)
    except ValueError:
        return None


def build_features(records: list[Record]) -> list[matching.Features]:
    return [matching.features(r.rid, name=r.name, kana=r.kana, birth_date=_date(r.birth), address=r.address,
                              phone=r.phone, sex=r.sex, drop_prefixes=PREFIXES) for r in records]


def prf(predicted: set, truth: set) -> dict:
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 1.0
    r = tp / len(truth) if truth else 1.0
    return {"tp": tp, "fp": len(predicted) - tp, "fn": len(truth) - tp, "precision": p, "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0, "predicted": len(predicted)}


def blocking_completeness(feats: list[matching.Features], truth: set) -> float:
    index: dict[str, list[int]] = {}
    for f in feats:
        for k in matching.blocking_keys(f):
            index.setdefault(k, []).append(f.id)
    usable: dict[int, set[str]] = {}
    for k, ids in index.items():
        if 1 < len(ids) <= matching.block_limit(k):
            for i in ids:
                usable.setdefault(i, set()).add(k)
    found = sum(1 for a, b in truth if usable.get(a, set()) & usable.get(b, set()))
    return found / len(truth) if truth else 1.0


def run_tsunagu(records: list[Record], truth: set, log) -> dict:
    """End to end on one core: the text as entered → keys → blocking → scored pairs and household proposals."""
    gc.collect()
    load_before = os.getloadavg()[0]
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    columns = batch.Columns.of_raw(
        [r.rid for r in records], names=[r.name for r in records], kanas=[r.kana for r in records],
        births=[r.birth for r in records], addresses=[r.address for r in records],
        phones=[r.phone for r in records], sexes=[r.sex for r in records], drop_prefixes=PREFIXES)
    t1 = time.perf_counter()
    result = batch.match_columns(columns, households=True)
    t2 = time.perf_counter()
    cpu = time.process_time() - cpu0
    load_after = os.getloadavg()[0]
    log(f"tsunagu: keys {t1 - t0:.1f}s, matching {t2 - t1:.1f}s, compared {result.compared:,} pairs")
    feats = build_features(records)  # not timed: blocking completeness is measured with the scalar keys
    review = {(a, b) for a, b, s in result.pairs}
    suggest = {(a, b) for a, b, s in result.pairs if s >= matching.SUGGEST}
    out = {
        "seconds_keys": t1 - t0, "seconds_match": t2 - t1, "records_per_second": len(records) / (t2 - t0),
        "cpu_seconds": cpu, "records_per_cpu_second": len(records) / cpu, "load_average": [load_before, load_after],
        "compared": result.compared, "review": prf(review, truth), "suggest": prf(suggest, truth),
        "review_band": len(review) - len(suggest), "households": len(result.households),
        "blocking_completeness": blocking_completeness(feats, truth),
        "skipped_blocks": result.skipped_blocks,
    }
    # best achievable F1 over thresholds (for reference; our thresholds are fixed in code)
    scores = sorted(((s, (a, b) in truth) for a, b, s in result.pairs), reverse=True)
    out["best_f1"], out["best_threshold"] = _best_f1(scores, len(truth))
    return out


def _best_f1(scores: list[tuple[float, bool]], n_true: int) -> tuple[float, float]:
    tp = fp = 0
    best = (0.0, 0.0)
    for s, is_true in scores:
        tp += is_true
        fp += not is_true
        p, r = tp / (tp + fp), tp / n_true
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best[0]:
            best = (f1, s)
    return best


def run_splink(records: list[Record], truth: set, log) -> dict:
    import duckdb
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    gc.collect()
    t0 = time.perf_counter()
    feats = build_features(records)
    t1 = time.perf_counter()

    def col(values):
        return [v or None for v in values]

    table = pa.table({
        "rid": [f.id for f in feats],
        "name_key": col(f.nk for f in feats), "name_sei": col(f.ns for f in feats),
        "name_mei": col(f.ng for f in feats), "kana_key": col(f.kk for f in feats),
        "kana_sei": col(f.ks for f in feats), "kana_mei": col(f.kg for f in feats),
        "birth": [f"{f.bd[0]:04}-{f.bd[1]:02}-{f.bd[2]:02}" if f.bd else None for f in feats],
        "address_key": col(f.ak for f in feats), "phone_key": col(f.pk for f in feats),
        "sex": col(f.sex for f in feats),
    })
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(table, table_name="records")
    settings = SettingsCreator(
        link_type="dedupe_only", unique_id_column_name="rid",
        comparisons=[
            cl.JaroWinklerAtThresholds("name_key", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("kana_key", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth", input_is_string=True),
            cl.LevenshteinAtThresholds("address_key", [1, 3]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("phone_key", [1]).configure(term_frequency_adjustments=True),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name_key"), block_on("kana_key"), block_on("birth", "name_mei"), block_on("birth", "kana_mei"),
            block_on("birth", "name_sei"), block_on("birth", "kana_sei"), block_on("phone_key"),
            block_on("address_key"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(sdf, settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name_key", "birth"), block_on("kana_key", "birth")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("kana_key"))
    t2 = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=0.001)
    rows = pred.as_duckdbpyrelation().select("rid_l, rid_r, match_probability").fetchall()
    t3 = time.perf_counter()
    log(f"splink: keys {t1 - t0:.1f}s, training {t2 - t1:.1f}s, predict {t3 - t2:.1f}s, {len(rows):,} pairs ≥ 0.001")
    pairs = [((a, b) if a < b else (b, a), p) for a, b, p in rows]
    scores = sorted(((p, pair in truth) for pair, p in pairs), reverse=True)
    best_f1, best_t = _best_f1(scores, len(truth))
    return {
        "seconds_keys": t1 - t0, "seconds_train": t2 - t1, "seconds_predict": t3 - t2,
        "records_per_second": len(records) / (t3 - t0),
        "p50": prf({pair for pair, p in pairs if p >= 0.5}, truth),
        "p99": prf({pair for pair, p in pairs if p >= 0.99}, truth),
        "best_f1": best_f1, "best_threshold": best_t,
    }


__all__ = ["run_tsunagu", "run_splink", "true_pairs"]
