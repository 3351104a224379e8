"""The column-wise batch matcher (tsunagu.identity.batch) against the scalar definitions in matching.py.

The records are the benchmark's synthetic residents (bench/namayose/generate.py: 異体字, kana forms, 和暦,
address and phone notations, typos, missing fields, marriages, moves, twins), a few thousand of them, so that
every level of `compare` and every kind of blocking key is reached.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
import pytest

from bench.namayose.generate import Generator
from tsunagu.core import text
from tsunagu.identity import batch, matching
from tsunagu.identity.matching import REVIEW, SUGGEST, compare, features

PREFIXES = ("射水市",)


def _date(s):
    try:
        return text.parse_date(s) if s else None
    except ValueError:
        return None


@pytest.fixture(scope="module")
def records():
    return Generator(11).records(4000)


@pytest.fixture(scope="module")
def feats(records):
    return [features(r.rid, name=r.name, kana=r.kana, birth_date=_date(r.birth), address=r.address, phone=r.phone,
                     sex=r.sex, drop_prefixes=PREFIXES) for r in records]


def scalar_pairs(feats):
    """Every pair sharing a usable blocking key, by the scalar definitions (record indices, i < j)."""
    index = defaultdict(list)
    for x, f in enumerate(feats):
        for key in matching.blocking_keys(f):
            index[key].append(x)
    pairs = set()
    for key, members in index.items():
        if 1 < len(members) <= matching.block_limit(key):
            pairs.update((min(a, b), max(a, b)) for n, a in enumerate(members) for b in members[n + 1:])
    return pairs


def test_blocking_makes_the_same_pairs_as_the_scalar_keys(feats):
    c = batch.Columns.of_features(feats)
    i, j, _ = batch.candidate_pairs(c)
    assert len(i) == len(set(zip(i.tolist(), j.tolist(), strict=True)))  # each pair once
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == scalar_pairs(feats)


@pytest.fixture(scope="module")
def model(feats):
    """Parameters as a batch run learns them (4,000 records are below learn.MIN_RECORDS: learned anyway here,
    so that the learned path is what is checked)."""
    from tsunagu.identity import learn

    c = batch.Columns.of_features(feats)
    before, learn.MIN_RECORDS = learn.MIN_RECORDS, 1000
    try:
        return learn.learn(c)
    finally:
        learn.MIN_RECORDS = before


@pytest.mark.parametrize("which", ["learned", "default"])
def test_every_level_and_score_equals_the_scalar_definition_and_the_bound_is_never_below_it(feats, model, which):
    params = model if which == "learned" else matching.default_model(len(feats))
    assert params.source == which
    # shapes the generator never writes: a surname alone, another reading of the same kanji, no name at all
    extra = [features(900_001 + k, **kw) for k, kw in enumerate([
        {"name": "高橋", "kana": "タカハシ"}, {"name": "高橋 幸子", "kana": "タカハシ サチコ"},
        {"name": "高橋 幸子", "kana": "タカハシ ユキコ"}, {"name": "", "kana": "", "phone": "0766837171"},
        {"name": "高橋 一郎", "kana": "イチロウ", "birth_date": (1979, 12, 31)},
        {"name": "高橋 一郎", "birth_date": (1980, 12, 31)}])]
    feats = feats + extra
    c = batch.Columns.of_features(feats)
    i, j, _ = batch.candidate_pairs(c)
    # random pairs too: they reach the levels blocking rarely produces (training samples them)
    rng = np.random.default_rng(5)
    ri, rj = rng.integers(0, len(feats), 20_000), rng.integers(0, len(feats), 20_000)
    ei = np.repeat(np.arange(len(feats) - len(extra), len(feats)), 400)
    ej = rng.integers(0, len(feats), len(ei))
    xi, xj = np.triu_indices(len(extra), k=1)
    ri, rj = np.r_[ri, ei, xi + len(feats) - len(extra)], np.r_[rj, ej, xj + len(feats) - len(extra)]
    keep = ri != rj
    i, j = np.r_[i, ri[keep]], np.r_[j, rj[keep]]
    levels = batch.pair_levels(c, i, j)
    expected_levels = [matching.levels(feats[a], feats[b]) for a, b in zip(i.tolist(), j.tolist(), strict=True)]
    for k in range(5):
        np.testing.assert_array_equal(levels[k], np.array([e[k] for e in expected_levels]))
    exact = batch.score_pairs(c, i, j, params)
    bound = batch.upper_bound(batch.Weights(c, params), batch.Sides(c, i, j))
    tf = matching.Frequencies.of(feats)
    expected = np.array([compare(feats[a], feats[b], tf, params)[0]
                         for a, b in zip(i.tolist(), j.tolist(), strict=True)])
    assert len(i) > 5000
    np.testing.assert_allclose(exact, expected, rtol=0, atol=1e-9)
    assert (bound >= exact - 1e-9).all()
    assert (exact >= SUGGEST).sum() > 100 and ((exact >= REVIEW) & (exact < SUGGEST)).sum() > 10
    for k, name in enumerate(matching.LEVELS):  # every level is reached
        assert len(np.unique(levels[k])) == len(matching.LEVELS[name]), (name, np.unique(levels[k]))


def test_batch_from_raw_text_equals_batch_from_features(records, feats, model):
    from_features = matching.find_matches(feats, model=model)
    from_text = batch.match_columns(batch.Columns.of_raw(
        [r.rid for r in records], names=[r.name for r in records], kanas=[r.kana for r in records],
        births=[r.birth for r in records], addresses=[r.address for r in records],
        phones=[r.phone for r in records], sexes=[r.sex for r in records], drop_prefixes=PREFIXES), model=model)
    assert sorted(from_text.pairs) == sorted(from_features.pairs)
    assert from_text.households == sorted(from_features.households)
    assert from_text.compared == from_features.compared
    tf = matching.Frequencies.of(feats)
    by_id = {f.id: f for f in feats}
    for a, b, s in from_features.pairs:
        assert s == pytest.approx(compare(by_id[a], by_id[b], tf, model)[0], abs=1e-9)
        assert s >= REVIEW


def test_households_are_homes_without_a_person_match(feats):
    result = matching.find_matches(feats)
    matched = {(a, b) for a, b, _ in result.pairs}
    by_id = {f.id: f for f in feats}
    assert result.households
    for a, b in result.households:
        assert a < b and (a, b) not in matched
        assert by_id[a].ak == by_id[b].ak != "" and by_id[a].pk == by_id[b].pk != ""


def test_empty_and_tiny_inputs():
    assert matching.find_matches([]).pairs == []
    one = features(1, name="高橋 一郎", kana="タカハシ イチロウ", birth_date=dt.date(1980, 3, 1))
    assert matching.find_matches([one]).pairs == []
    nothing = [features(1), features(2)]
    assert matching.find_matches(nothing).compared == 0


def test_a_typo_with_the_same_reading_at_the_same_home_is_suggested_but_twins_are_not():
    home = {"birth_date": dt.date(2010, 5, 5), "address": "射水市小島1-2-3", "phone": "0766837171",
            "drop_prefixes": PREFIXES}
    typo_a = features(1, name="白林 太郎", kana="シラバヤシ タロウ", **home)
    typo_b = features(2, name="白林 大郎", kana="しらばやし たろう", **home)
    twin_a = features(3, name="白林 健太郎", kana="シラバヤシ ケンタロウ", **home)
    twin_b = features(4, name="白林 健二郎", kana="シラバヤシ ケンジロウ", **home)
    tf = matching.Frequencies.of([typo_a, typo_b, twin_a, twin_b])
    assert compare(typo_a, typo_b, tf)[0] >= SUGGEST
    score, why = compare(twin_a, twin_b, tf, explain=True)
    assert score < SUGGEST and "sibling" in [r.code for r in why]
    result = matching.find_matches([typo_a, typo_b, twin_a, twin_b])
    suggested = {(a, b) for a, b, s in result.pairs if s >= SUGGEST}
    assert (1, 2) in suggested and (3, 4) not in suggested
