"""Learning the 名寄せ parameters from a city's own records (unsupervised: nobody labels a pair).

  u   from random pairs of records (two random records are almost never one person), for every level;
  q   for a term-frequency level, from pairs that share the value (a name, an address, a phone, a given
      name) but not the birth date — different people, for all practical purposes;
  m   by expectation maximisation (Fellegi–Sunter, u fixed) on pairs that share a *blocking rule*, in two
      passes, each estimating only what its rule leaves free (relatives at one home are left out: see
      _unrelated):
        A  pairs with the same birth date → m of name, contact and sex;
        B  pairs with the same address or the same phone (homes of at most 20) → m of the birth date,
           with the name and sex fixed at pass A's values (a home's other members are not a second
           "same person" class).
      Neither pass is blocked on the name: EM trained on pairs that share a name learns "same name" as the
      match class (namesakes look like matches) and gives birth-date agreement almost no weight.
  λ   the prior: pass A's share of matches among all same-birth-date pairs, divided by m(birth exact),
      over all pairs of records.

EM starts from model.DEFAULT_M and keeps a light Dirichlet prior on it (PRIOR_WEIGHT pseudo-pairs), so a
level the data hardly reaches keeps a sensible m. Below MIN_RECORDS records the defaults are used as they
are. Deterministic for a given seed. Cost at 500k records: about a second (patterns are counted, then EM runs
on at most 1,728 distinct level patterns).
"""

from __future__ import annotations

import math

import numpy as np

from . import model as md
from .batch import Columns, _unique, pair_levels

MIN_RECORDS = 5_000
RANDOM_PAIRS = 600_000
TRAINING_PAIRS = 400_000
PRIOR_WEIGHT = 20.0
M_FLOOR = 0.002  # no level is so rare among true matches that it alone vetoes a pair (a typo can reach any)
ITERATIONS = 40
_SIZES = tuple(len(md.LEVELS[c]) for c in md.COMPARISONS)


def learn(c: Columns, *, progress=None, seed: int = 1) -> md.Model:
    """A Model for these records: learned when there are at least MIN_RECORDS, else the defaults."""
    if c.n < MIN_RECORDS:
        return md.default_model(c.n)
    rng = np.random.default_rng(seed)
    u = _random_u(c, rng)
    q, ueq = _q(c, rng)
    for (comparison, level), fld in md.TF_FIELD.items():
        u[comparison][level] = ueq[fld] * q[comparison][level]
    m = {k: list(v) for k, v in md.DEFAULT_M.items()}
    stats: dict = {"records": c.n}
    # pass A: same birth date
    i, j, total_a = _pairs_sharing(c.birth, c.birth != 0, 100, rng)
    levels_a = _unrelated(pair_levels(c, i, j))
    lam_a, it_a = _em(levels_a, m, u, estimate=("name", "contact", "sex"), fixed=())
    # pass B: same address or phone
    ia, ja, _ = _pairs_sharing(c.ak, c.ak != 0, 20, rng)
    ip, jp, _ = _pairs_sharing(c.pk, c.pk != 0, 20, rng)
    code = _unique(np.minimum(np.r_[ia, ip], np.r_[ja, jp]) * np.int64(c.n) + np.maximum(np.r_[ia, ip], np.r_[ja, jp]))
    if len(code) > TRAINING_PAIRS:
        code = np.sort(rng.choice(code, TRAINING_PAIRS, replace=False))
    levels_b = _unrelated(pair_levels(c, code // c.n, code % c.n))
    lam_b, it_b = _em(levels_b, m, u, estimate=("birth",), fixed=("name", "sex"))
    stats.update(pairs_a=len(i), pairs_a_total=int(total_a), lambda_a=lam_a, iterations_a=it_a,
                 pairs_b=len(code), lambda_b=lam_b, iterations_b=it_b, random_pairs=RANDOM_PAIRS)
    for comp in md.COMPARISONS:
        m[comp] = [x if k == md.NULL[comp] else max(x, M_FLOOR) for k, x in enumerate(m[comp])]
    m_exact = m["birth"][md.B_EXACT]
    matches = lam_a * total_a / max(m_exact, 1e-6)
    all_pairs = c.n * (c.n - 1) / 2
    lam = min(max(matches / all_pairs, 1e-12), 0.5)
    stats.update(estimated_matches=matches, duplicate_pairs_per_record=matches / c.n)
    if not (1e-4 < lam_a < 0.999 and 0.3 < m_exact <= 1):
        stats["fallback"] = "EM did not converge to a usable solution: default m"
        d = md.default_model(c.n)
        return md.Model(d.m, u, q, max(c.n, md.MIN_POPULATION), d.prior, "default", stats)
    prior = math.log2(lam / (1 - lam))
    if c.n < md.MIN_POPULATION:  # term frequencies count as if from MIN_POPULATION: move the prior with them
        prior -= math.log2(md.MIN_POPULATION / c.n)
    if progress:
        progress(f"照合の重みを学習しました（同一人物のペアの推定 {matches:,.0f} 組、EM {it_a}+{it_b} 回）")
    return md.Model(m, u, q, max(c.n, md.MIN_POPULATION), prior, "learned", stats)


def _unrelated(levels) -> tuple:
    """The levels of the pairs that are not relatives at one home (same surname, another given name, same
    address or phone): for them the comparisons are not independent — twins share a birth date and a home —
    and EM would take a household for a second kind of match."""
    nl, bl, cl, sl, family = levels
    keep = ~(family & ((cl == md.C_ADDR_PHONE) | (cl == md.C_ADDR) | (cl == md.C_PHONE)))
    return nl[keep], bl[keep], cl[keep], sl[keep]


def _pairs_sharing(values: np.ndarray, present: np.ndarray, largest: int, rng, limit: int = TRAINING_PAIRS):
    """(i, j, total): pairs of records with the same value (groups of at most `largest`), a random `limit` of
    them; total = the number of such pairs in groups of any size."""
    rows = np.flatnonzero(present)
    order = np.argsort(values[rows], kind="stable")
    rows = rows[order]
    v = values[rows]
    if len(v) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, 0
    starts = np.flatnonzero(np.r_[True, v[1:] != v[:-1]])
    sizes = np.diff(np.r_[starts, len(v)])
    total = int((sizes * (sizes - 1) // 2).sum())
    usable = (sizes > 1) & (sizes <= largest)
    firsts, seconds = [], []
    for size in _unique(sizes[usable]).tolist():
        at = starts[usable & (sizes == size)]
        x, y = np.triu_indices(size, k=1)
        firsts.append((at[:, None] + x[None, :]).ravel())
        seconds.append((at[:, None] + y[None, :]).ravel())
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, total
    a, b = np.concatenate(firsts), np.concatenate(seconds)
    if len(a) > limit:
        pick = np.sort(rng.choice(len(a), limit, replace=False))
        a, b = a[pick], b[pick]
    return rows[a], rows[b], total


def _random_u(c: Columns, rng) -> dict[str, list[float]]:
    i = rng.integers(0, c.n, RANDOM_PAIRS)
    j = rng.integers(0, c.n, RANDOM_PAIRS)
    keep = i != j
    levels = pair_levels(c, i[keep], j[keep])[:4]
    u = {}
    for comparison, lv, size in zip(md.COMPARISONS, levels, _SIZES, strict=True):
        counts = np.bincount(lv, minlength=size).astype(float)
        u[comparison] = ((counts + 0.5) / (counts.sum() + 0.5 * size)).tolist()
    return u


# TF field → (the column with its values, the levels it decides)
_Q_FIELDS = {"nk": ("nk", [("name", md.N_EXACT), ("name", md.N_NAME_KANA_CLOSE), ("name", md.N_NAME_KANA_DIFF)]),
             "kk": ("kk", [("name", md.N_KANA_NAME_CLOSE), ("name", md.N_KANA_NAME_DIFF)]),
             "kg": ("kg", [("name", md.N_GIVEN)]),
             "ak": ("ak", [("contact", md.C_ADDR_PHONE), ("contact", md.C_ADDR)]),
             "pk": ("pk", [("contact", md.C_PHONE)])}


def _q(c: Columns, rng) -> tuple[dict[str, list[float]], dict[str, float]]:
    """q per TF level from pairs sharing the value but not the birth date; Σf² per field."""
    q = {k: list(v) for k, v in md.DEFAULT_Q.items()}
    ueq = {}
    for fld, (col, targets) in _Q_FIELDS.items():
        values = getattr(c, col)
        counts = np.bincount(values[values != 0])
        ueq[fld] = float(((counts / c.n) ** 2).sum())
        i, j, _ = _pairs_sharing(values, values != 0, 50, rng, limit=200_000)
        nl, bl, cl, _, _ = pair_levels(c, i, j)
        apart = bl == md.B_DIFFERENT
        for comparison, level in targets:
            lv = (nl if comparison == "name" else cl)[apart]
            hits, total = float(np.count_nonzero(lv == level)), float(len(lv))
            q[comparison][level] = (hits + 10 * md.DEFAULT_Q[comparison][level]) / (total + 10)
    return q, ueq


def _em(levels, m: dict, u: dict, *, estimate: tuple[str, ...], fixed: tuple[str, ...]) -> tuple[float, int]:
    """EM on the level patterns of a training pass: updates m[c] for c in `estimate` in place; `fixed`
    comparisons count in the likelihood with their current m; the rest (the blocking rule's) do not count.
    Returns (λ within the pass, iterations)."""
    code = np.zeros(len(levels[0]), dtype=np.int64)
    for lv, size in zip(levels, _SIZES, strict=True):
        code = code * size + lv
    counts = np.bincount(code, minlength=int(np.prod(_SIZES))).astype(float)
    present = np.flatnonzero(counts)
    if not len(present):
        return 0.0, 0
    n = counts[present]
    pattern_levels = np.array(np.unravel_index(present, _SIZES))  # (4, patterns)
    used = [k for k, comp in enumerate(md.COMPARISONS) if comp in estimate or comp in fixed]
    log_u = np.zeros(len(present))
    for k in used:
        comp = md.COMPARISONS[k]
        lu = np.log(np.maximum(u[comp], 1e-12))
        lu[md.NULL[comp]] = 0.0
        log_u += lu[pattern_levels[k]]
    lam, iteration = 0.1, 0
    while iteration < ITERATIONS:
        iteration += 1
        log_m = np.zeros(len(present))
        for k in used:
            comp = md.COMPARISONS[k]
            lm = np.log(np.maximum(m[comp], 1e-12))
            lm[md.NULL[comp]] = 0.0  # a missing field weighs nothing (m = u)
            log_m += lm[pattern_levels[k]]
        odds = np.log(lam) - np.log1p(-lam) + log_m - log_u
        post = 1 / (1 + np.exp(-np.clip(odds, -700, 700)))
        weight = post * n
        new_lam = float(weight.sum() / n.sum())
        change = abs(new_lam - lam)
        for k, comp in enumerate(md.COMPARISONS):
            if comp not in estimate:
                continue
            size = _SIZES[k]
            mass = np.bincount(pattern_levels[k], weights=weight, minlength=size)
            prior = np.array(md.DEFAULT_M[comp]) / sum(md.DEFAULT_M[comp])
            new_m = (mass + PRIOR_WEIGHT * prior) / (mass.sum() + PRIOR_WEIGHT)
            change = max(change, float(np.abs(new_m - np.array(m[comp])).max()))
            m[comp] = new_m.tolist()
        lam = min(max(new_lam, 1e-9), 1 - 1e-9)
        if change < 1e-6:
            break
    return lam, iteration
