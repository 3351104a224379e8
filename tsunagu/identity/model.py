"""The Fellegi–Sunter parameters of the 名寄せ comparison: m and u per level, the prior, and the thresholds.

Two records are compared on four *comparisons*; each pair lands on one *level* of each:

  name     氏名 and フリガナ together (they are strongly dependent: one comparison, never two)
  birth    生年月日
  contact  住所 and 電話 together (both are household-level facts: a family shares them)
  sex      性別

A level's weight is log2(m/u): m = P(level | same person), u = P(level | two different people). Null levels
(a field missing on either side) weigh 0. Levels decided by an exact value (same name, same address, same
phone, same given name) are term-frequency adjusted: their u is the value's own frequency f times q, the
share of that level among different people who share such a value — so 佐藤 ヒロシ counts for less than a
rare name and the address of a block of flats for less than a detached house.

m, q and u are learned from the city's own records by tsunagu.identity.learn (random pairs for u, EM for m,
never blocked on the bare name); DEFAULT below is used until a municipality has enough records to learn from
(learn.MIN_RECORDS), and is stated, not fitted.

The score of a pair is log2 of the posterior odds that the two records are one person: the prior log2(λ/(1−λ))
plus the weights, with a few stated caps (matching.compare). The thresholds are a rule on those odds, the
same for every data set and city size (the prior carries the size), fixed before the benchmark grid was run:
  SUGGEST  有力候補  posterior P ≥ 0.99 (odds ≥ 99, 6.63 bits)
  REVIEW   要確認    posterior P ≥ 0.1  (odds ≥ 1/9, −3.17 bits); below it the batch proposes nothing
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

SUGGEST = math.log2(99)  # 有力候補: posterior P ≥ 0.99
REVIEW = -math.log2(9)  # 要確認: posterior P ≥ 0.1
CAPPED = SUGGEST - 0.5  # where a capped pair lands: in the review band, never a suggestion

LEVELS: dict[str, tuple[str, ...]] = {
    "name": ("exact", "name_kana_close", "kana_name_close", "name_kana_diff", "kana_name_diff", "close",
             "close_kanji", "partial", "given_same", "surname_same", "different", "null"),
    "birth": ("exact", "one_edit", "day_month", "year", "different", "null"),
    "contact": ("addr_phone", "addr", "phone", "near", "block", "town", "different", "null"),
    "sex": ("same", "different", "null"),
}
COMPARISONS = tuple(LEVELS)
(N_EXACT, N_NAME_KANA_CLOSE, N_KANA_NAME_CLOSE, N_NAME_KANA_DIFF, N_KANA_NAME_DIFF, N_CLOSE, N_CLOSE_KANJI,
 N_PARTIAL, N_GIVEN, N_SURNAME, N_DIFFERENT, N_NULL) = range(12)
B_EXACT, B_ONE_EDIT, B_DAY_MONTH, B_YEAR, B_DIFFERENT, B_NULL = range(6)
C_ADDR_PHONE, C_ADDR, C_PHONE, C_NEAR, C_BLOCK, C_TOWN, C_DIFFERENT, C_NULL = range(8)
S_SAME, S_DIFFERENT, S_NULL = range(3)
NULL = {"name": N_NULL, "birth": B_NULL, "contact": C_NULL, "sex": S_NULL}

# Levels whose u is f(value) × q: the field whose value frequency is used. Name level 0 uses the reading's
# frequency when one side has no kanji name; level 8 (same given name, other surname) the given name's reading.
TF_FIELD: dict[tuple[str, int], str] = {
    ("name", N_EXACT): "nk", ("name", N_NAME_KANA_CLOSE): "nk", ("name", N_NAME_KANA_DIFF): "nk",
    ("name", N_KANA_NAME_CLOSE): "kk", ("name", N_KANA_NAME_DIFF): "kk", ("name", N_GIVEN): "kg",
    ("contact", C_ADDR_PHONE): "ak", ("contact", C_ADDR): "ak", ("contact", C_PHONE): "pk",
}
TF_FIELDS = ("nk", "kk", "kg", "ak", "pk")

MIN_POPULATION = 50_000  # the smallest N used for term frequencies and the prior (a small or new database)
_FLOOR = 1e-9


@dataclass
class Model:
    """m, u (and q for the term-frequency levels) per comparison level, the prior, and where they came from."""

    m: dict[str, list[float]]
    u: dict[str, list[float]]  # for a TF level: the mean u (q × Σf²), used by EM and when f is unknown
    q: dict[str, list[float]]  # for a TF level: P(level | different people sharing the value); else 0
    population: int  # N the prior and the term frequencies were made for
    prior: float  # log2 λ/(1−λ)
    source: str = "default"  # "default" | "learned"
    stats: dict = field(default_factory=dict)  # what training saw (shown in the benchmark report)

    def __post_init__(self):
        self._weights = {c: [self._weight(c, k) for k in range(len(LEVELS[c]))] for c in COMPARISONS}
        self._tf_base = {key: math.log2(max(self.m[key[0]][key[1]], _FLOOR))
                         - math.log2(max(self.q[key[0]][key[1]], _FLOOR)) for key in TF_FIELD}
        # a level that agrees less never weighs more than full agreement on the same value
        for c, exact, weaker in (("name", N_EXACT, (N_NAME_KANA_CLOSE, N_KANA_NAME_CLOSE, N_NAME_KANA_DIFF,
                                                     N_KANA_NAME_DIFF)), ("contact", C_ADDR_PHONE, (C_ADDR,))):
            for k in weaker:
                self._tf_base[(c, k)] = min(self._tf_base[(c, k)], self._tf_base[(c, exact)])
                self._weights[c][k] = min(self._weights[c][k], self._weights[c][exact])

    def _weight(self, c: str, k: int) -> float:
        if k == NULL[c]:
            return 0.0
        return math.log2(max(self.m[c][k], _FLOOR)) - math.log2(max(self.u[c][k], _FLOOR))

    def weight(self, c: str, k: int) -> float:
        """log2(m/u) of a level, with the mean u for a TF level."""
        return self._weights[c][k]

    def tf_weight(self, c: str, k: int, freq: float | None) -> float:
        """log2(m / (f × q)) of a TF level for a value of frequency f (None: unknown, the mean u)."""
        if freq is None:
            return self._weights[c][k]
        return self._tf_base[(c, k)] - math.log2(freq)

    def weights(self, c: str) -> list[float]:
        return list(self._weights[c])

    def tf_base(self, c: str, k: int) -> float:
        return self._tf_base[(c, k)]

    def for_population(self, n: int) -> Model:
        """The same m, u and q with the prior moved to a population of n (λ ∝ 1/N for a fixed duplicate rate)."""
        n_tf = max(n, MIN_POPULATION)
        prior = self.prior - math.log2(n_tf / max(self.population, MIN_POPULATION))
        return Model(self.m, self.u, self.q, n_tf, prior, self.source, self.stats)

    def as_json(self) -> dict:
        return {"m": self.m, "u": self.u, "q": self.q, "population": self.population, "prior": self.prior,
                "source": self.source, "stats": self.stats}

    @classmethod
    def from_json(cls, d: dict) -> Model:
        return cls({c: list(d["m"][c]) for c in COMPARISONS}, {c: list(d["u"][c]) for c in COMPARISONS},
                   {c: list(d["q"][c]) for c in COMPARISONS}, int(d["population"]), float(d["prior"]),
                   d.get("source", "learned"), d.get("stats", {}))


# The stated starting point: used as EM's initial m, as the Dirichlet prior that keeps rare levels sensible
# when a city's data says little about them, and as the whole model for a municipality too small to learn
# from. Order as LEVELS. Null levels carry 0 weight whatever is written here.
_DEFAULT_M = {
    "name": [0.86, 0.03, 0.03, 0.004, 0.01, 0.02, 0.01, 0.005, 0.02, 0.004, 0.002, 0.005],
    "birth": [0.93, 0.02, 0.01, 0.004, 0.006, 0.03],
    "contact": [0.50, 0.18, 0.08, 0.02, 0.01, 0.01, 0.10, 0.10],
    "sex": [0.70, 0.003, 0.297],
}
_DEFAULT_Q = {
    "name": [0.85, 0.01, 0.01, 0.05, 0.30, 0, 0, 0, 0.90, 0, 0, 0],
    "birth": [0.0] * 6,
    "contact": [0.45, 0.50, 0.50, 0, 0, 0, 0, 0],
    "sex": [0.0] * 3,
}
_DEFAULT_U = {
    "name": [1e-5, 1e-7, 1e-7, 5e-7, 3e-6, 1e-4, 5e-5, 2e-5, 1e-4, 0.015, 0.97, 0.005],
    "birth": [1 / 33_000, 1e-3, 1.5e-3, 6e-5, 0.9974, 0.03],
    "contact": [1e-6, 1e-6, 1e-6, 1e-4, 3e-3, 1.5e-2, 0.88, 0.10],
    "sex": [0.25, 0.25, 0.50],
}
DUPLICATE_PAIRS_PER_RECORD = 0.5  # the default prior: λ = this many true pairs per record among all pairs


def default_model(population: int = MIN_POPULATION) -> Model:
    n = max(population, MIN_POPULATION)
    lam = DUPLICATE_PAIRS_PER_RECORD * n / (n * (n - 1) / 2)
    return Model({c: list(v) for c, v in _DEFAULT_M.items()}, {c: list(v) for c, v in _DEFAULT_U.items()},
                 {c: list(v) for c, v in _DEFAULT_Q.items()}, n, math.log2(lam / (1 - lam)), "default")


DEFAULT_M, DEFAULT_Q, DEFAULT_U = _DEFAULT_M, _DEFAULT_Q, _DEFAULT_U
