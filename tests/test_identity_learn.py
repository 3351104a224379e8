"""Learning the 名寄せ weights from unlabelled records (tsunagu.identity.learn) recovers what the truth says.

The records are the benchmark generator's (bench/namayose/generate.py), whose truth is known: EM must find
about as many true pairs as there are, the birth-date agreement rate of true pairs, and must not take
namesakes or households for the match class — the failure of EM trained on pairs that share a name.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.namayose.generate import Generator, Noise, namesake_heavy, true_pairs
from tsunagu.identity import batch, learn, matching
from tsunagu.identity import model as md

PREFIXES = ("射水市",)


def columns(records):
    return batch.Columns.of_raw([r.rid for r in records], names=[r.name for r in records],
                                kanas=[r.kana for r in records], births=[r.birth for r in records],
                                addresses=[r.address for r in records], phones=[r.phone for r in records],
                                sexes=[r.sex for r in records], drop_prefixes=PREFIXES)


def true_birth_exact_share(c, truth) -> float:
    index = {int(x): k for k, x in enumerate(c.ids.tolist())}
    i = np.array([index[a] for a, _ in truth])
    j = np.array([index[b] for _, b in truth])
    return float(np.mean(batch.pair_levels(c, i, j)[1] == md.B_EXACT))


@pytest.mark.parametrize("names", ["design", "namesake"])
def test_em_finds_the_true_pairs_and_the_weight_of_a_birth_date(names):
    records = Generator(21, names=namesake_heavy() if names == "namesake" else None).records(12_000)
    truth = true_pairs(records)
    c = columns(records)
    model = learn.learn(c)
    assert model.source == "learned"
    assert model.stats["estimated_matches"] == pytest.approx(len(truth), rel=0.15)
    assert model.m["birth"][md.B_EXACT] == pytest.approx(true_birth_exact_share(c, truth), abs=0.05)
    # agreeing on the birth date is strong evidence, disagreeing strong evidence against
    assert model.weight("birth", md.B_EXACT) > 10 and model.weight("birth", md.B_DIFFERENT) < -5
    # relatives at one home are not a second match class: a shared surname alone counts against
    assert model.weight("name", md.N_SURNAME) < 0


def test_learned_weights_score_the_same_person_above_namesakes_and_relatives():
    records = Generator(22, noise=Noise(move=0.3)).records(10_000)
    truth = true_pairs(records)
    c = columns(records)
    result = batch.match_columns(c)
    assert result.model.source == "learned"
    suggested = {(a, b) for a, b, s in result.pairs if s >= matching.SUGGEST}
    assert len(suggested & truth) / len(suggested) >= 0.995
    reviewed = {(a, b) for a, b, s in result.pairs}
    assert len(reviewed & truth) / len(truth) >= 0.95


def test_too_few_records_use_the_stated_defaults():
    records = Generator(23).records(learn.MIN_RECORDS - 1000)
    model = learn.learn(columns(records))
    assert model.source == "default"
    assert model.m == md.default_model().m


def test_parameters_survive_the_round_trip_through_json():
    records = Generator(24).records(8_000)
    model = learn.learn(columns(records))
    again = md.Model.from_json(model.as_json())
    for c in md.COMPARISONS:
        assert again.weights(c) == model.weights(c)
    assert again.prior == model.prior and again.source == "learned"
    moved = model.for_population(model.population * 4)
    assert moved.prior == pytest.approx(model.prior - 2)  # four times the records: a quarter of the prior odds
