"""The batch matcher (一括照合): the same blocking and the same scores as `matching`, computed column-wise.

`matching.blocking_keys` and `matching.compare` define what is compared and how it scores; they serve intake,
explanations and the tests. Scoring millions of pairs one Python call at a time is too slow for a city's
whole register, so here every value becomes an integer id, blocking keys become 64-bit integers, candidate
pairs are made and de-duplicated with NumPy, and each level of `compare` is a boolean mask over all pairs.
String distances (OSA: edits and adjacent swaps) run in rapidfuzz's C code on just the pairs that need them.
tests/test_identity_batch.py checks that pairs and scores equal the scalar definitions on noisy records.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import cpdist

from tsunagu.core import text

from . import matching as m

_BITS = 29  # ids and birth dates (yyyymmdd) fit in 29 bits; a key is tag (4 bits) | a (29) | b (29)
_MAX_ID = 1 << _BITS

# blocking key tags (one per kind of key in matching.blocking_keys)
(T_N, T_N_YEAR, T_N_TOWN, T_N_PHONE, T_K, T_K_YEAR, T_K_TOWN, T_K_PHONE, T_Y, T_G, T_S, T_P, T_A) = range(1, 14)
_BARE_NAME_TAGS = (T_N, T_K)


def _unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique hashes, which is many times slower for millions of int64)."""
    a = np.sort(a)
    return a[np.r_[True, a[1:] != a[:-1]]] if len(a) else a


def _distinct(values: list) -> tuple[list, np.ndarray]:
    """(distinct values in first-seen order, position of each value in that list)."""
    pos = {v: k for k, v in enumerate(dict.fromkeys(values))}
    return list(pos), np.fromiter(map(pos.__getitem__, values), dtype=np.int64, count=len(values))


class Columns:
    """Every record as integer columns. One string table for all fields: equal strings get equal ids, ''
    is id 0 (missing). Keys are made once per distinct raw value (names, dates and addresses repeat)."""

    def __init__(self, ids: list[int]):
        self.n = len(ids)
        self.ids = np.fromiter(ids, dtype=np.int64, count=self.n)
        self._table: dict[str, int] = {"": 0}
        self._skeleton: np.ndarray | None = None
        self._counts: dict[str, np.ndarray] = {}

    @classmethod
    def of_features(cls, records: list[m.Features]) -> Columns:
        c = cls([f.id for f in records])
        for fields in (("nk", "ns", "ng"), ("kk", "ks", "kg"), ("ak", "town", "blk"), ("pk",), ("sex",)):
            c._derive(fields, list(map(attrgetter(*fields), records)), None if len(fields) > 1 else lambda v: (v,))
        c._births([f.bd for f in records], lambda bd: bd)
        return c._finish()

    @classmethod
    def of_raw(cls, ids: list[int], *, names: list[str], kanas: list[str], births: list, addresses: list[str],
               phones: list[str], sexes: list[str], drop_prefixes: tuple[str, ...] = ()) -> Columns:
        """Straight from the text as entered (the keys of matching.features, made once per distinct value)."""
        c = cls(ids)
        none3 = ("", "", "")
        c._derive(("nk", "ns", "ng"), names, lambda v: m.name_parts(v) if v else none3)
        c._derive(("kk", "ks", "kg"), kanas, lambda v: m.kana_parts(v) if v else none3)
        prefixes = tuple(drop_prefixes)
        c._derive(("ak", "town", "blk"), addresses,
                  lambda v: m.address_fields(text.address_key(v, drop_prefixes=prefixes)) if v else none3)
        c._derive(("pk",), phones, lambda v: (m.phone_digits(v) if v else "",))
        c._derive(("sex",), sexes, lambda v: (v if v in ("female", "male") else "",))
        c._births(births, _birth_tuple)
        return c._finish()

    def _ids(self, values: list[str]) -> np.ndarray:
        table = self._table
        for value in dict.fromkeys(values):
            if value not in table:
                table[value] = len(table)
        return np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=len(values))

    def _derive(self, fields: tuple[str, ...], raw: list, keys) -> None:
        """Set `fields` from one raw value per record; keys(value) → one key string per field (None: the
        raw values already are tuples of keys)."""
        distinct, at = _distinct(raw)
        keyed = distinct if keys is None else [keys(v) for v in distinct]
        for k, field in enumerate(fields):
            setattr(self, field, self._ids([t[k] for t in keyed])[at])

    def _births(self, raw: list, as_tuple) -> None:
        distinct, at = _distinct(raw)
        bd = np.array([as_tuple(v) or (0, 0, 0) for v in distinct], dtype=np.int64).reshape(len(distinct), 3)[at]
        self.by, self.bm, self.bdd = bd[:, 0], bd[:, 1], bd[:, 2]
        self.has_bd = self.by > 0
        self.birth = self.by * 10000 + self.bm * 100 + self.bdd

    def _finish(self) -> Columns:
        # prefixes and suffixes used by blocking keys: 3 leading characters of the reading, 3 trailing
        # characters of the reading (or the name) when the name was written without a space
        self.kk3 = self._map(self.kk, lambda v: v[:3])
        self.tail3 = self._map(np.where(self.kk != 0, self.kk, self.nk), lambda v: v[-3:])
        self.strings = list(self._table)  # id → string
        if len(self.strings) >= _MAX_ID:
            raise ValueError("too many distinct values for the batch matcher")
        self.length = np.fromiter(map(len, self.strings), dtype=np.int64, count=len(self.strings))
        return self

    def _map(self, col: np.ndarray, fn) -> np.ndarray:
        """Column of fn(string) for a column of string ids."""
        strings = list(self._table)
        distinct = _unique(col)
        mapped = np.zeros(len(strings), dtype=np.int64)
        mapped[distinct] = self._ids([fn(strings[x]) for x in distinct.tolist()])
        return mapped[col]

    def counts(self, field: str) -> np.ndarray:
        """Records carrying each value (by id) in the column `field`: the term frequencies (made once)."""
        if field not in self._counts:
            self._counts[field] = np.bincount(getattr(self, field), minlength=len(self.strings))
        return self._counts[field]

    def same_skeleton(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """matching._skeleton(a) == matching._skeleton(b) for string ids, made once per distinct string."""
        if self._skeleton is None:
            self._skeleton = np.full(len(self.strings), -1, dtype=np.int64)
            self._skeleton_ids: dict[str, int] = {}
        skel, ids, s = self._skeleton, self._skeleton_ids, self.strings
        needed = _unique(np.concatenate([a, b]))
        needed = needed[skel[needed] < 0]
        skel[needed] = [ids.setdefault(m._skeleton(s[x]), len(ids)) for x in needed.tolist()]
        return skel[a] == skel[b]


def _birth_tuple(value) -> tuple[int, int, int] | None:
    """A birth date as entered (date, 'S55.3.1', '1980-03-01' …) → (y, m, d); unreadable → None."""
    if value is None or value == "":
        return None
    if isinstance(value, tuple):
        return value
    try:
        d = text.parse_date(value)
    except ValueError:
        return None
    return (d.year, d.month, d.day)


# ------------------------------------------------------------------------------------------------ blocking

def _key(tag: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.int64(tag) << np.int64(2 * _BITS)) | (a << np.int64(_BITS)) | b


def block_entries(c: Columns) -> tuple[np.ndarray, np.ndarray]:
    """(key, record index) for every blocking key of every record — matching.blocking_keys as integers."""
    keys, rows = [], []
    everyone = np.arange(c.n, dtype=np.int64)
    zero = np.zeros(c.n, dtype=np.int64)

    def add(tag, mask, a, b):
        keys.append(_key(tag, a[mask], b[mask]))
        rows.append(everyone[mask])

    has_year, has_town, has_phone = c.has_bd, c.town != 0, c.pk != 0
    for value, bare, year, town, phone in ((c.nk, T_N, T_N_YEAR, T_N_TOWN, T_N_PHONE),
                                           (c.kk, T_K, T_K_YEAR, T_K_TOWN, T_K_PHONE)):
        present = value != 0
        add(bare, present, zero, value)
        add(year, present & has_year, c.by, value)
        add(town, present & has_town, c.town, value)
        add(phone, present & has_phone, c.pk, value)
    has_bd = c.has_bd
    add(T_Y, has_bd & (c.kk != 0), c.by * 100 + c.bm, c.kk3)
    # 生年月日 + 名 and 生年月日 + 姓: a set per record ({ng, kg} - {''}), so equal parts count once
    add(T_G, has_bd & (c.ng != 0), c.birth, c.ng)
    add(T_G, has_bd & (c.kg != 0) & (c.kg != c.ng), c.birth, c.kg)
    add(T_S, has_bd & (c.ns != 0), c.birth, c.ns)
    add(T_S, has_bd & (c.ks != 0) & (c.ks != c.ns), c.birth, c.ks)
    add(T_G, has_bd & (c.ng == 0) & (c.kg == 0) & (c.tail3 != 0), c.birth, c.tail3)
    add(T_P, has_phone, zero, c.pk)
    add(T_A, c.ak != 0, zero, c.ak)
    return np.concatenate(keys), np.concatenate(rows)


def candidate_pairs(c: Columns, *, max_block: int = m.MAX_BLOCK) -> tuple[np.ndarray, np.ndarray, int]:
    """(i, j, skipped blocks): every pair of record indices (i < j) sharing a usable blocking key, once."""
    keys, rows = block_entries(c)
    order = np.argsort(keys)
    keys, rows = keys[order], rows[order]
    if len(keys) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, 0
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    tags = keys[starts] >> np.int64(2 * _BITS)
    limit = np.where(np.isin(tags, _BARE_NAME_TAGS), min(max_block, m.NAME_BLOCK), max_block)
    skipped = int(np.count_nonzero(sizes > limit))
    usable = (sizes > 1) & (sizes <= limit)
    starts, sizes = starts[usable], sizes[usable]
    firsts, seconds = [], []
    for size in _unique(sizes):
        at = starts[sizes == size]
        x, y = np.triu_indices(int(size), k=1)
        firsts.append((at[:, None] + x[None, :]).ravel())
        seconds.append((at[:, None] + y[None, :]).ravel())
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, skipped
    a = rows[np.concatenate(firsts)]
    b = rows[np.concatenate(seconds)]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    code = _unique(lo * np.int64(c.n) + hi)
    return code // c.n, code % c.n, skipped


# ------------------------------------------------------------------------------------------------ scoring

def _osa_within(c: Columns, a: np.ndarray, b: np.ndarray, k) -> np.ndarray:
    """OSA distance between the strings with ids a and b ≤ k (k a number or an array)."""
    if len(a) == 0:
        return np.zeros(0, dtype=bool)
    s = c.strings
    kmax = int(np.max(k))
    d = cpdist([s[x] for x in a.tolist()], [s[x] for x in b.tolist()], scorer=OSA.distance, score_cutoff=kmax,
               workers=1)
    return d <= k


def _where(mask: np.ndarray, fn, *cols) -> np.ndarray:
    """fn(*cols restricted to mask), scattered back into a boolean array (False elsewhere)."""
    out = np.zeros(len(mask), dtype=bool)
    idx = np.flatnonzero(mask)
    if len(idx):
        out[idx] = fn(*(col[idx] for col in cols))
    return out


def _name_close(c: Columns, a, b) -> np.ndarray:
    """matching._name_close: at least two characters each and one slip."""
    ok = np.minimum(c.length[a], c.length[b]) >= 2
    return _where(ok, lambda x, y: _osa_within(c, x, y, 1), a, b)


def _kana_close(c: Columns, a, b) -> np.ndarray:
    """matching._kana_close."""
    longest = np.maximum(c.length[a], c.length[b])
    same_skeleton = c.same_skeleton(a, b)
    k = np.where(longest <= 6, 1, 2)
    long_close = _where(longest > 4, lambda x, y, kk: _osa_within(c, x, y, kk), a, b, k)
    return same_skeleton | long_close


def _parts_close(c: Columns, close, full_a, sur_a, giv_a, full_b, sur_b, giv_b) -> np.ndarray:
    """matching._parts_close over arrays of ids."""
    split = (sur_a != 0) & (sur_b != 0)
    out = np.zeros(len(full_a), dtype=bool)
    s = np.flatnonzero(split)
    if len(s):
        sa, sb, ga, gb = sur_a[s], sur_b[s], giv_a[s], giv_b[s]
        giv_close = _where(sa == sb, lambda x, y: close(c, x, y), ga, gb)
        sur_close = _where((ga == gb) & ~giv_close, lambda x, y: close(c, x, y), sa, sb)
        out[s] = giv_close | sur_close
    u = np.flatnonzero(~split)
    if len(u):
        out[u] = close(c, full_a[u], full_b[u])
    return out


def _python(mask: np.ndarray, fn, c: Columns, *cols) -> np.ndarray:
    """fn over the strings of the masked pairs, one Python call each (only for rare shapes of record)."""
    out = np.zeros(len(mask), dtype=bool)
    idx = np.flatnonzero(mask)
    if len(idx):
        s = c.strings
        args = ([s[x] for x in col[idx].tolist()] for col in cols)
        out[idx] = list(map(fn, *args))
    return out


def _same_surname(c: Columns, full_a, sur_a, full_b, sur_b) -> np.ndarray:
    """matching._same_surname: split names compare surnames; otherwise one name begins with the other's."""
    usable = (full_a != 0) & (full_b != 0) & (full_a != full_b)
    split = (sur_a != 0) & (sur_b != 0)
    out = usable & split & (sur_a == sur_b)
    rare = usable & ~split & ((sur_a != 0) | (sur_b != 0))
    return out | _python(rare, m._same_surname, c, full_a, sur_a, full_b, sur_b)


def _given_same(c: Columns, full_a, giv_a, full_b, giv_b) -> np.ndarray:
    """matching._given_same."""
    both = (giv_a != 0) & (giv_b != 0)
    one = (giv_a != 0) ^ (giv_b != 0)
    return (both & (giv_a == giv_b)) | _python(one, m._given_same, c, full_a, giv_a, full_b, giv_b)


def _digit_typo(x: np.ndarray, y: np.ndarray, places: tuple[int, ...] = (1, 10)) -> np.ndarray:
    """matching._digit_typo for non-negative ints below 10 × max(places): same number of digits, exactly
    one digit differs."""
    diff = np.zeros(len(x), dtype=np.int64)
    same_width = np.ones(len(x), dtype=bool)
    for p in places:
        diff += (x // p) % 10 != (y // p) % 10
        if p > 1:
            same_width &= (x >= p) == (y >= p)
    return same_width & (diff == 1)


def _birth_near(c: Columns, i, j) -> np.ndarray:
    """matching._birth_near: one component wrong by one digit, or month and day swapped."""
    ya, ma, da, yb, mb, db = c.by[i], c.bm[i], c.bdd[i], c.by[j], c.bm[j], c.bdd[j]
    same_year, same_month, same_day = ya == yb, ma == mb, da == db
    out = np.zeros(len(i), dtype=bool)
    day = np.flatnonzero(same_year & same_month)
    out[day] = _digit_typo(da[day], db[day])
    month = np.flatnonzero(same_year & ~same_month & same_day)
    out[month] = _digit_typo(ma[month], mb[month])
    swap = same_year & ~same_month & ~same_day
    out[swap] = (ma[swap] == db[swap]) & (da[swap] == mb[swap])
    year = np.flatnonzero(~same_year & same_month & same_day)
    out[year] = _digit_typo(ya[year], yb[year], (1, 10, 100, 1000))
    return out


def _term_frequency(c: Columns):
    """(prior, weight(log2 m, counts, ids)): Frequencies.prior and Frequencies.weight over columns."""
    total = max(c.n, m.MIN_POPULATION)
    log2n = np.log2(total)

    def weight(log2m, counts: np.ndarray, ids: np.ndarray) -> np.ndarray:
        return log2m - np.log2(np.maximum(counts[ids], 2)) + log2n

    return -np.log2(total / m.MIN_POPULATION), weight


def _birth_weight(c: Columns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    both_bd = c.has_bd[i] & c.has_bd[j]
    birth_eq = both_bd & (c.birth[i] == c.birth[j])
    near = _where(both_bd & ~birth_eq, lambda x, y: _birth_near(c, x, y), i, j)
    return np.select([birth_eq, near, both_bd], [m.W_BIRTH_EXACT, m.W_BIRTH_NEAR, m.W_BIRTH_DIFFERENT], 0.0)


def _name_sides(c: Columns, i: np.ndarray, j: np.ndarray):
    """氏名 and フリガナ keys of both sides of every pair and their equality (score_pairs and upper_bound)."""
    nk_a, nk_b, kk_a, kk_b = c.nk[i], c.nk[j], c.kk[i], c.kk[j]
    has_n = (nk_a != 0) & (nk_b != 0)
    has_k = (kk_a != 0) & (kk_b != 0)
    name_eq = has_n & (nk_a == nk_b)
    kana_eq = has_k & (kk_a == kk_b)
    return nk_a, nk_b, kk_a, kk_b, has_n, has_k, name_eq, kana_eq


def _contact_sides(c: Columns, i: np.ndarray, j: np.ndarray):
    """Address and phone keys of both sides, their equality, and whether both sides have any contact at all."""
    ak_a, ak_b, pk_a, pk_b = c.ak[i], c.ak[j], c.pk[i], c.pk[j]
    town_a, town_b, blk_a, blk_b = c.town[i], c.town[j], c.blk[i], c.blk[j]
    addr_eq = (ak_a != 0) & (ak_a == ak_b)
    phone_eq = (pk_a != 0) & (pk_a == pk_b)
    both = ((ak_a != 0) | (pk_a != 0) | (town_a != 0)) & ((ak_b != 0) | (pk_b != 0) | (town_b != 0))
    return ak_a, ak_b, pk_a, pk_b, town_a, town_b, blk_a, blk_b, addr_eq, phone_eq, both


def _sex_weight(c: Columns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    sex_a, sex_b = c.sex[i], c.sex[j]
    return np.where((sex_a != 0) & (sex_b != 0), np.where(sex_a == sex_b, m.W_SEX_SAME, m.W_SEX_DIFFERENT), 0.0)


def score_pairs(c: Columns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """matching.compare(records[i], records[j], Frequencies.of(records)) for every pair, as an array."""
    prior, tf_weight = _term_frequency(c)
    w = np.full(len(i), prior, dtype=np.float64)
    ns_a, ns_b, ng_a, ng_b = c.ns[i], c.ns[j], c.ng[i], c.ng[j]
    ks_a, ks_b, kg_a, kg_b = c.ks[i], c.ks[j], c.kg[i], c.kg[j]
    # 氏名 + フリガナ
    nk_a, nk_b, kk_a, kk_b, has_n, has_k, name_eq, kana_eq = _name_sides(c, i, j)
    nk_counts, kk_counts = c.counts("nk"), c.counts("kk")
    exact_name = name_eq & (kana_eq | ~has_k)
    exact_kana = ~exact_name & kana_eq & ~has_n
    name_kana = ~exact_name & ~exact_kana & name_eq
    kana_name = ~exact_name & ~exact_kana & ~name_kana & kana_eq
    rest = ~(exact_name | exact_kana | name_kana | kana_name) & (has_n | has_k)
    w += np.where(exact_name, tf_weight(m._M_NAME_EXACT, nk_counts, nk_a), 0.0)
    w += np.where(exact_kana, tf_weight(m._M_NAME_EXACT, kk_counts, kk_a), 0.0)
    if name_kana.any():
        close = _where(name_kana, lambda x, y: _kana_close(c, x, y), kk_a, kk_b)
        w += np.where(name_kana, tf_weight(np.where(close, m._M_NAME_CLOSE, m._M_NAME_CONFLICT), nk_counts, nk_a), 0)
    if kana_name.any():
        close = _where(kana_name, lambda x, y: _osa_within(c, x, y, 1), nk_a, nk_b)
        w += np.where(kana_name, tf_weight(np.where(close, m._M_NAME_CLOSE, m._M_NAME_CONFLICT), kk_counts, kk_a), 0)
    sibling = np.zeros(len(i), dtype=bool)
    if rest.any():
        r = np.flatnonzero(rest)
        rn, rk = has_n[r], has_k[r]
        cols_n = (nk_a[r], ns_a[r], ng_a[r], nk_b[r], ns_b[r], ng_b[r])
        cols_k = (kk_a[r], ks_a[r], kg_a[r], kk_b[r], ks_b[r], kg_b[r])
        close_n = ~rn | _where(rn, lambda *x: _parts_close(c, _name_close, *x), *cols_n)
        need_k = rk & close_n
        close_k = ~rk | _where(need_k, lambda *x: _parts_close(c, _kana_close, *x), *cols_k)
        close = close_n & close_k
        w[r] += np.where(close, np.where(rk, m.W_NAME_CLOSE, m.W_NAME_CLOSE_KANJI), 0.0)
        sib = _where(close, lambda *x: _same_surname(c, *x), kk_a[r], ks_a[r], kk_b[r], ks_b[r])
        sib |= _where(close & ~sib, lambda *x: _same_surname(c, *x), nk_a[r], ns_a[r], nk_b[r], ns_b[r])
        sib &= ~_where(sib & rk, lambda x, y: c.same_skeleton(x, y), kk_a[r], kk_b[r])
        sibling[r] = sib
        not_close = ~close
        marriage = _where(not_close & rk, lambda *x: _given_same(c, *x), kk_a[r], kg_a[r], kk_b[r], kg_b[r])
        marriage &= ks_a[r] != ks_b[r]
        marriage_n = _where(not_close & rn & ~marriage, lambda *x: _given_same(c, *x), nk_a[r], ng_a[r], nk_b[r],
                            ng_b[r])
        marriage |= marriage_n & (ns_a[r] != ns_b[r])
        w[r] += np.where(marriage, _given_weight(c, kg_a[r], kg_b[r]), 0.0)
        w[r] += np.where(not_close & ~marriage, m.W_NAME_DIFFERENT, 0.0)
    w += _birth_weight(c, i, j)  # 生年月日
    # 住所 + 電話
    ak_a, ak_b, pk_a, pk_b, town_a, town_b, blk_a, blk_b, addr_eq, phone_eq, both = _contact_sides(c, i, j)
    ak_counts, pk_counts = c.counts("ak"), c.counts("pk")
    home = addr_eq | phone_eq
    other = ~home & both
    phone_pair = other & (pk_a != 0) & (pk_b != 0) & (c.length[pk_a] == c.length[pk_b])
    phone_near = _where(phone_pair, lambda x, y: _osa_within(c, x, y, 1), pk_a, pk_b)
    addr_pair = other & ~phone_near & (ak_a != 0) & (ak_b != 0) & (town_a == town_b)
    addr_near = _where(addr_pair, lambda x, y: _osa_within(c, x, y, 1), ak_a, ak_b)
    same_block = other & ~phone_near & ~addr_near & (blk_a != 0) & (blk_a == blk_b)
    same_town = other & ~phone_near & ~addr_near & ~same_block & (town_a != 0) & (town_a == town_b)
    contact_w = np.select(
        [addr_eq & phone_eq, addr_eq, phone_eq, phone_near, addr_near, same_block, same_town, other],
        [tf_weight(m._M_ADDR_PHONE, ak_counts, ak_a), tf_weight(m._M_ADDR, ak_counts, ak_a),
         tf_weight(m._M_PHONE, pk_counts, pk_a), m.W_PHONE_NEAR, m.W_ADDR_NEAR, m.W_SAME_BLOCK, m.W_SAME_TOWN,
         m.W_CONTACT_DIFFERENT], 0.0)
    family_home = sibling & home
    w += np.where(family_home & (contact_w > m.W_CONTACT_FAMILY), m.W_CONTACT_FAMILY, contact_w)
    w += _sex_weight(c, i, j)  # 性別
    return np.where(family_home & (w >= m.SUGGEST), m.SUGGEST - 0.5, w)


def _part_possible(c: Columns, full_a, sur_a, giv_a, full_b, sur_b, giv_b, k: int | None) -> np.ndarray:
    """A necessary condition for _parts_close: one part equal when both are split; otherwise lengths within
    k edits (k None: no length limit — a reading's skeleton drops ウ/イ and voicing, so lengths may differ)."""
    split = (sur_a != 0) & (sur_b != 0)
    unsplit = True if k is None else np.abs(c.length[full_a] - c.length[full_b]) <= k
    return np.where(split, (sur_a == sur_b) | (giv_a == giv_b), unsplit)


def _given_possible(giv_a, giv_b) -> np.ndarray:
    """A necessary condition for _given_same: equal given names, or only one side split (checked later)."""
    return np.where((giv_a != 0) & (giv_b != 0), giv_a == giv_b, (giv_a != 0) | (giv_b != 0))


def upper_bound(c: Columns, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """A cheap upper bound of score_pairs: equality levels exactly, every fuzzy level at its best weight.

    Most compared pairs are different people sharing one blocking key; when even the bound stays below the
    review threshold, the pair cannot be proposed and its string distances are never computed.
    """
    prior, tf_weight = _term_frequency(c)
    nk_a, nk_b, kk_a, kk_b, has_n, has_k, name_eq, kana_eq = _name_sides(c, i, j)
    nk_counts, kk_counts = c.counts("nk"), c.counts("kk")
    exact_name = name_eq & (kana_eq | ~has_k)
    # neither name nor reading equal: 'close' needs an equal surname or given name (or, unsplit, lengths
    # within the edit limit); 'marriage' needs an equal given name (or one side unsplit) and another surname
    ns_a, ns_b, ng_a, ng_b = c.ns[i], c.ns[j], c.ng[i], c.ng[j]
    ks_a, ks_b, kg_a, kg_b = c.ks[i], c.ks[j], c.kg[i], c.kg[j]
    close = ((~has_n | _part_possible(c, nk_a, ns_a, ng_a, nk_b, ns_b, ng_b, 1))
             & (~has_k | _part_possible(c, kk_a, ks_a, kg_a, kk_b, ks_b, kg_b, None)))
    marriage = ((has_k & _given_possible(kg_a, kg_b) & (ks_a != ks_b))
                | (has_n & _given_possible(ng_a, ng_b) & (ns_a != ns_b)))
    w = prior + np.select(
        [exact_name, kana_eq & ~has_n, name_eq, kana_eq, ~has_n & ~has_k, close, marriage],
        [tf_weight(m._M_NAME_EXACT, nk_counts, nk_a), tf_weight(m._M_NAME_EXACT, kk_counts, kk_a),
         tf_weight(m._M_NAME_CLOSE, nk_counts, nk_a), tf_weight(m._M_NAME_CLOSE, kk_counts, kk_a), 0.0,
         max(m.W_NAME_CLOSE, m.W_NAME_CLOSE_KANJI, m.W_MARRIAGE_MAX), m.W_MARRIAGE_MAX], m.W_NAME_DIFFERENT)
    w += _birth_weight(c, i, j)  # exact: cheap, and it tells most namesakes apart
    ak_a, ak_b, pk_a, pk_b, town_a, town_b, blk_a, blk_b, addr_eq, phone_eq, other = _contact_sides(c, i, j)
    ak_counts, pk_counts = c.counts("ak"), c.counts("pk")
    phone_near = (pk_a != 0) & (pk_b != 0) & (c.length[pk_a] == c.length[pk_b])  # possible: same length
    addr_near = (ak_a != 0) & (ak_b != 0) & (town_a == town_b)
    w += np.select(
        [addr_eq & phone_eq, addr_eq, phone_eq, other & phone_near, other & addr_near,
         other & (blk_a != 0) & (blk_a == blk_b), other & (town_a != 0) & (town_a == town_b), other],
        [tf_weight(m._M_ADDR_PHONE, ak_counts, ak_a), tf_weight(m._M_ADDR, ak_counts, ak_a),
         tf_weight(m._M_PHONE, pk_counts, pk_a), max(m.W_PHONE_NEAR, m.W_ADDR_NEAR), m.W_ADDR_NEAR,
         m.W_SAME_BLOCK, m.W_SAME_TOWN, m.W_CONTACT_DIFFERENT], 0.0)
    return w + _sex_weight(c, i, j)


def _given_weight(c: Columns, kg_a: np.ndarray, kg_b: np.ndarray) -> np.ndarray:
    """Frequencies.given_weight: as strong as the given name's reading is rare."""
    total = max(c.n, m.MIN_POPULATION)
    u = np.maximum(c.counts("kg")[kg_a], 2) / total
    rare = np.minimum(np.log2(m._M_MARRIAGE / np.maximum(u, 0.001)), m.W_MARRIAGE_MAX)
    return np.where((kg_a != 0) & (kg_a == kg_b), rare, m.W_MARRIAGE)


# ------------------------------------------------------------------------------------------------ batch

def find_matches(records: list[m.Features], *, threshold: float = m.REVIEW, max_block: int = m.MAX_BLOCK,
                 progress: Callable[[str], None] | None = None, households: bool = True) -> m.BatchResult:
    """Every pair of records sharing a blocking key, scored; pairs at or above `threshold` are returned."""
    return match_columns(Columns.of_features(records), threshold=threshold, max_block=max_block, progress=progress,
                         households=households)


def match_columns(c: Columns, *, threshold: float = m.REVIEW, max_block: int = m.MAX_BLOCK, progress=None,
                  households: bool = True, chunk: int = 2_000_000) -> m.BatchResult:
    """Blocking, bound, exact scores and household proposals over prepared columns."""
    i, j, skipped = candidate_pairs(c, max_block=max_block)
    if progress:
        progress(f"比較するペア {len(i):,} 組を作りました。採点しています…")
    pairs: list[tuple[int, int, float]] = []
    for start in range(0, len(i), chunk):
        ci, cj = i[start:start + chunk], j[start:start + chunk]
        possible = np.flatnonzero(upper_bound(c, ci, cj) >= threshold - 1e-9)
        ci, cj = ci[possible], cj[possible]
        score = score_pairs(c, ci, cj)
        keep = np.flatnonzero(score >= threshold)
        a, b = c.ids[ci[keep]], c.ids[cj[keep]]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        pairs.extend(zip(lo.tolist(), hi.tolist(), score[keep].tolist(), strict=True))
        if progress and len(i) > chunk:
            progress(f"  採点 {min(start + chunk, len(i)) * 100 // len(i)}%")
    house = _households(c, {(a, b) for a, b, _ in pairs}) if households else []
    return m.BatchResult(pairs=pairs, households=house, compared=len(i), skipped_blocks=skipped)


def _households(c: Columns, found: set[tuple[int, int]], largest: int = 20) -> list[tuple[int, int]]:
    """Pairs of records at the same address key and phone (a home of at most `largest`), not person matches."""
    home = np.flatnonzero((c.ak != 0) & (c.pk != 0))
    key = (c.ak[home] << np.int64(_BITS)) | c.pk[home]
    order = np.argsort(key)
    key, home = key[order], home[order]
    if len(key) == 0:
        return []
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    sizes = np.diff(np.r_[starts, len(key)])
    out: list[tuple[int, int]] = []
    for size in _unique(sizes[(sizes > 1) & (sizes <= largest)]).tolist():
        at = starts[sizes == size]
        x, y = np.triu_indices(size, k=1)
        a = c.ids[home[(at[:, None] + x[None, :]).ravel()]]
        b = c.ids[home[(at[:, None] + y[None, :]).ravel()]]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        out.extend(p for p in zip(lo.tolist(), hi.tolist(), strict=True) if p not in found)
    out.sort()
    return out


__all__ = ["Columns", "candidate_pairs", "find_matches", "match_columns", "score_pairs", "upper_bound"]
