"""Accuracy and speed of the tsunagu matcher and of Splink (DuckDB) on the same synthetic records."""

from __future__ import annotations

import gc
import os
import time

import numpy as np

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


def blocking_completeness(c: batch.Columns, truth: set) -> float:
    """Share of the true pairs that share a usable blocking key (the batch's own integer keys)."""
    i, j, _ = batch.candidate_pairs(c)
    ids = c.ids
    a, b = ids[i], ids[j]
    found = set(zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist(), strict=True))
    return len(found & truth) / len(truth) if truth else 1.0


def run_tsunagu(records: list[Record], truth: set, log) -> dict:
    """End to end on one core: the text as entered → keys → learned weights → blocking → scored pairs and
    household proposals."""
    gc.collect()
    load_before = os.getloadavg()[0]
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    columns = batch.Columns.of_raw(
        [r.rid for r in records], names=[r.name for r in records], kanas=[r.kana for r in records],
        births=[r.birth for r in records], addresses=[r.address for r in records],
        phones=[r.phone for r in records], sexes=[r.sex for r in records], drop_prefixes=PREFIXES)
    t1 = time.perf_counter()
    from tsunagu.identity.learn import learn

    model = learn(columns)
    t2 = time.perf_counter()
    result = batch.match_columns(columns, households=True, model=model)
    t3 = time.perf_counter()
    cpu = time.process_time() - cpu0
    load_after = os.getloadavg()[0]
    log(f"tsunagu: keys {t1 - t0:.1f}s, learning {t2 - t1:.1f}s, matching {t3 - t2:.1f}s, "
        f"compared {result.compared:,} pairs")
    review = {(a, b) for a, b, s in result.pairs}
    suggest = {(a, b) for a, b, s in result.pairs if s >= matching.SUGGEST}
    out = {
        "seconds_keys": t1 - t0, "seconds_learn": t2 - t1, "seconds_match": t3 - t2,
        "records_per_second": len(records) / (t3 - t0), "cpu_seconds": cpu,
        "records_per_cpu_second": len(records) / cpu, "load_average": [load_before, load_after],
        "compared": result.compared, "review": prf(review, truth), "suggest": prf(suggest, truth),
        "review_band": len(review) - len(suggest), "households": len(result.households),
        "skipped_blocks": result.skipped_blocks, "model": model.as_json(),
    }
    out["blocking_completeness"] = blocking_completeness(columns, truth)  # not timed
    scores = sorted(((s, (a, b) in truth) for a, b, s in result.pairs), reverse=True)
    out["best_f1"], out["best_threshold"] = _best_f1(scores, len(truth))
    # Ablation (not what tsunagu does): the same pairs scored without the namesake cap — what that rule costs
    by_id = {int(x): k for k, x in enumerate(columns.ids.tolist())}
    pi = np.array([by_id[a] for a, b, _ in result.pairs], dtype=np.int64)
    pj = np.array([by_id[b] for a, b, _ in result.pairs], dtype=np.int64)
    free = batch.score_pairs(columns, pi, pj, model, caps=batch.CAPS - {"namesake"})
    ids = columns.ids
    out["suggest_without_namesake_cap"] = prf(
        {(int(a), int(b)) for a, b in zip(ids[pi[free >= matching.SUGGEST]], ids[pj[free >= matching.SUGGEST]],
                                          strict=True)}, truth)
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


SPLINK_CONFIG = """\
Splink 5 (DuckDB), given tsunagu's normalised keys (the same 異体字 folding, kana and long-vowel folding,
和暦 parsing and address keys). Strongly dependent fields share one comparison, as the Splink docs advise
(agreement is not counted twice); each comparison has a null level:
  name       name and reading exact (term-frequency adjusted on the name) / reading exact, name DL ≤ 1 /
             name exact, reading DL ≤ 2 / reading exact / name exact (each TF) / reading DL ≤ 1 / DL ≤ 2 /
             same given-name reading (TF) / same surname reading / else
  birth date exact / one edit (Damerau-Levenshtein ≤ 1 on yyyymmdd) / else
  contact    address and phone exact (TF on address) / address exact (TF) / phone exact (TF) / phone DL ≤ 1 /
             same 町丁目 / same town / else
  sex        exact / else
Prediction blocking: name, reading, phone, address, birth date + given name or surname (kanji or reading),
birth year+month + first 3 kana of the reading — the same kinds of key as tsunagu's. Training, unsupervised:
λ from the deterministic rules (name, birth date) and (reading, birth date) at an assumed recall of 0.75;
u by random sampling (5M pairs); EM pass 1 blocked on birth date, pass 2 on reading + address — never on the
bare name.
Fixed thresholds: match probability ≥ 0.5 and ≥ 0.99; and its best threshold chosen with the truth (oracle)."""


def run_splink(records: list[Record], truth: set, log) -> dict:
    import duckdb
    import pyarrow as pa
    import splink.comparison_level_library as cll
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
        "kana3": col(f.kk[:3] for f in feats),
        "birth": [f"{f.bd[0]:04}-{f.bd[1]:02}-{f.bd[2]:02}" if f.bd else None for f in feats],
        "birth8": [f"{f.bd[0]:04}{f.bd[1]:02}{f.bd[2]:02}" if f.bd else None for f in feats],
        "birth_ym": [f"{f.bd[0]:04}{f.bd[1]:02}" if f.bd else None for f in feats],
        "address_key": col(f.ak for f in feats), "block": col(f.blk for f in feats),
        "town": col(f.town for f in feats), "phone_key": col(f.pk for f in feats),
        "sex": col(f.sex for f in feats),
    })
    con = duckdb.connect()
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(table, table_name="records")
    # Strongly dependent fields share one comparison (as the Splink docs advise), so that agreement is not
    # counted twice: kanji name with reading, address with phone.
    name = cl.CustomComparison(output_column_name="name", comparison_levels=[
        cll.And(cll.NullLevel("name_key"), cll.NullLevel("kana_key")),
        cll.Or(cll.And(cll.ExactMatchLevel("name_key"), cll.Or(cll.ExactMatchLevel("kana_key"),
                                                                 cll.NullLevel("kana_key"))),
               cll.And(cll.NullLevel("name_key"), cll.ExactMatchLevel("kana_key"))).configure(
            tf_adjustment_column="name_key", tf_adjustment_weight=1.0),
        cll.And(cll.ExactMatchLevel("kana_key"), cll.DamerauLevenshteinLevel("name_key", 1)).configure(
            tf_adjustment_column="kana_key"),
        cll.And(cll.ExactMatchLevel("name_key"), cll.DamerauLevenshteinLevel("kana_key", 2)).configure(
            tf_adjustment_column="name_key"),
        cll.ExactMatchLevel("kana_key").configure(tf_adjustment_column="kana_key"),
        cll.ExactMatchLevel("name_key").configure(tf_adjustment_column="name_key"),
        cll.DamerauLevenshteinLevel("kana_key", 1), cll.DamerauLevenshteinLevel("kana_key", 2),
        cll.ExactMatchLevel("kana_mei").configure(tf_adjustment_column="kana_mei"),
        cll.ExactMatchLevel("kana_sei"), cll.ElseLevel()])
    contact = cl.CustomComparison(output_column_name="contact", comparison_levels=[
        cll.And(cll.NullLevel("town"), cll.NullLevel("phone_key")),
        cll.And(cll.ExactMatchLevel("address_key"), cll.ExactMatchLevel("phone_key")).configure(
            tf_adjustment_column="address_key"),
        cll.ExactMatchLevel("address_key").configure(tf_adjustment_column="address_key"),
        cll.ExactMatchLevel("phone_key").configure(tf_adjustment_column="phone_key"),
        cll.DamerauLevenshteinLevel("phone_key", 1), cll.ExactMatchLevel("block"), cll.ExactMatchLevel("town"),
        cll.ElseLevel()])
    settings = SettingsCreator(
        link_type="dedupe_only", unique_id_column_name="rid",
        comparisons=[name, cl.DamerauLevenshteinAtThresholds("birth8", [1]), contact, cl.ExactMatch("sex")],
        blocking_rules_to_generate_predictions=[
            block_on("name_key"), block_on("kana_key"), block_on("birth", "name_mei"), block_on("birth", "kana_mei"),
            block_on("birth", "name_sei"), block_on("birth", "kana_sei"), block_on("birth_ym", "kana3"),
            block_on("phone_key"), block_on("address_key"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(sdf, settings, log_level=30)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name_key", "birth"), block_on("kana_key", "birth")], recall=0.75)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("kana_key", "address_key"))
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


__all__ = ["SPLINK_CONFIG", "run_splink", "run_tsunagu", "true_pairs"]
