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
from .model import TF_FIELDS, Model

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
    """Every record as integer columns (32-bit: half the memory traffic of gathering pairs). One string table
    for all fields: equal strings get equal ids, '' is id 0 (missing). Keys are made once per distinct raw value (names, dates and addresses repeat)."""

    def __init__(self, ids: list[int]):
        self.n = len(ids)
        self.ids = np.fromiter(ids, dtype=np.int64, count=self.n)
        self._table: dict[str, int] = {"": 0}
        self._skeleton: np.ndarray | None = None
        self._counts: dict[str, np.ndarray] = {}
        self._affixes: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._bdigits: np.ndarray | None = None

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
        return np.fromiter(map(table.__getitem__, values), dtype=np.int32, count=len(values))

    def _derive(self, fields: tuple[str, ...], raw: list, keys) -> None:
        """Set `fields` from one raw value per record; keys(value) → one key string per field (None: the
        raw values already are tuples of keys)."""
        distinct, at = _distinct(raw)
        keyed = distinct if keys is None else [keys(v) for v in distinct]
        for k, field in enumerate(fields):
            setattr(self, field, self._ids([t[k] for t in keyed])[at])

    def _births(self, raw: list, as_tuple) -> None:
        distinct, at = _distinct(raw)
        bd = np.array([as_tuple(v) or (0, 0, 0) for v in distinct], dtype=np.int32).reshape(len(distinct), 3)[at]
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
        mapped = np.zeros(len(strings), dtype=np.int32)
        mapped[distinct] = self._ids([fn(strings[x]) for x in distinct.tolist()])
        return mapped[col]

    def counts(self, field: str) -> np.ndarray:
        """Records carrying each value (by id) in the column `field`: the term frequencies (made once)."""
        if field not in self._counts:
            self._counts[field] = np.bincount(getattr(self, field), minlength=len(self.strings))
        return self._counts[field]

    def birth_digits(self) -> np.ndarray:
        """The 8 digits of every record's yyyymmdd (made once)."""
        if self._bdigits is None:
            self._bdigits = ((self.birth[:, None] // (10 ** np.arange(7, -1, -1))[None, :]) % 10).astype(np.int8)
        return self._bdigits

    def affixes(self, full: str, part: str) -> tuple[np.ndarray, np.ndarray]:
        """For the full keys in column `full` of records whose `part` is empty (a name written without a
        space): sorted codes (full id << BITS | id) of every prefix (the whole key included) and of every
        proper suffix that is itself a string of the table. Lets startswith / endswith run as lookups."""
        if (full, part) not in self._affixes:
            table, s = self._table, self.strings
            col = getattr(self, full)
            fulls = _unique(col[(getattr(self, part) == 0) & (col != 0)])
            pre, suf = [], []
            for x in fulls.tolist():
                v = s[x]
                for n in range(1, len(v) + 1):
                    p = table.get(v[:n])
                    if p is not None:
                        pre.append((x << _BITS) | p)
                    if n < len(v):
                        q = table.get(v[-n:])
                        if q is not None:
                            suf.append((x << _BITS) | q)
            self._affixes[(full, part)] = (np.sort(np.array(pre, dtype=np.int64)),
                                           np.sort(np.array(suf, dtype=np.int64)))
        return self._affixes[(full, part)]

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
    return (np.int64(tag) << np.int64(2 * _BITS)) | (a.astype(np.int64) << np.int64(_BITS)) | b


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


# ------------------------------------------------------------------------------------------------ levels

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


def _member(codes: np.ndarray, mask: np.ndarray, full: np.ndarray, part: np.ndarray) -> np.ndarray:
    """Where `mask`: (full id, part id) is in the sorted `codes` of Columns.affixes (False elsewhere)."""
    out = np.zeros(len(mask), dtype=bool)
    idx = np.flatnonzero(mask)
    if len(codes) == 0 or len(idx) == 0:
        return out
    key = (full[idx].astype(np.int64) << np.int64(_BITS)) | part[idx]
    at = np.minimum(np.searchsorted(codes, key), len(codes) - 1)
    out[idx] = codes[at] == key
    return out


def _same_surname(c: Columns, full_a, sur_a, full_b, sur_b, kana: bool) -> np.ndarray:
    """matching._same_surname: split names compare surnames; otherwise one name begins with the other's."""
    usable = (full_a != 0) & (full_b != 0) & (full_a != full_b)
    split = (sur_a != 0) & (sur_b != 0)
    out = usable & split & (sur_a == sur_b)
    rare = usable & ~split
    prefixes = c.affixes(*(("kk", "ks") if kana else ("nk", "ns")))[0]
    out |= _member(prefixes, rare & (sur_a != 0), full_b, sur_a)
    out |= _member(prefixes, rare & (sur_b != 0), full_a, sur_b)
    return out


def _given_same(c: Columns, full_a, giv_a, full_b, giv_b, kana: bool) -> np.ndarray:
    """matching._given_same (the unsplit side's key ends with the split side's given name)."""
    both = (giv_a != 0) & (giv_b != 0)
    suffixes = c.affixes(*(("kk", "kg") if kana else ("nk", "ng")))[1]
    one_a = _member(suffixes, (giv_a != 0) & (giv_b == 0), full_b, giv_a)
    one_b = _member(suffixes, (giv_b != 0) & (giv_a == 0), full_a, giv_b)
    return (both & (giv_a == giv_b)) | one_a | one_b


def _part_of(full_a, sur_a, giv_a, full_b, sur_b, giv_b) -> np.ndarray:
    """matching._part_of over ids: one record's whole name is the other's surname or given name."""
    return ((full_a != 0) & (full_b != 0) & (full_a != full_b)
            & (((sur_b != 0) & ((full_a == sur_b) | (full_a == giv_b)))
               | ((sur_a != 0) & ((full_b == sur_a) | (full_b == giv_a)))))


class Sides:
    """The columns of both records of every pair (i, j), taken once."""

    def __init__(self, c: Columns, i: np.ndarray, j: np.ndarray):
        self.c, self.i, self.j = c, i, j
        for f in ("nk", "ns", "ng", "kk", "ks", "kg", "ak", "pk", "town", "blk", "sex", "birth"):
            col = getattr(c, f)
            setattr(self, f + "_a", col[i])
            setattr(self, f + "_b", col[j])
        self.has_n = (self.nk_a != 0) & (self.nk_b != 0)
        self.has_k = (self.kk_a != 0) & (self.kk_b != 0)
        self.name_eq = self.has_n & (self.nk_a == self.nk_b)
        self.kana_eq = self.has_k & (self.kk_a == self.kk_b)
        self.null_name = ~self.has_n & ~self.has_k
        self.exact_name = ~self.null_name & ((self.name_eq & (self.kana_eq | ~self.has_k)) | (self.kana_eq & ~self.has_n))
        self.addr_eq = (self.ak_a != 0) & (self.ak_a == self.ak_b)
        self.phone_eq = (self.pk_a != 0) & (self.pk_a == self.pk_b)
        self.any_a = (self.ak_a != 0) | (self.pk_a != 0) | (self.town_a != 0)
        self.any_b = (self.ak_b != 0) | (self.pk_b != 0) | (self.town_b != 0)

    def take(self, idx: np.ndarray) -> Sides:
        return Sides(self.c, self.i[idx], self.j[idx])


def name_levels(s: Sides) -> tuple[np.ndarray, np.ndarray]:
    """matching.name_level for every pair: (level, family)."""
    c = s.c
    n = len(s.i)
    level = np.full(n, m.N_DIFFERENT, dtype=np.int8)
    family = np.zeros(n, dtype=bool)
    level[s.null_name] = m.N_NULL
    level[s.exact_name] = m.N_EXACT
    one_eq = ~s.null_name & ~s.exact_name
    ne = one_eq & s.name_eq
    if ne.any():
        close = _where(ne, lambda x, y: _kana_close(c, x, y), s.kk_a, s.kk_b)
        level[ne] = np.where(close[ne], m.N_NAME_KANA_CLOSE, m.N_NAME_KANA_DIFF)
    ke = one_eq & ~s.name_eq & s.kana_eq
    if ke.any():
        close = _where(ke, lambda x, y: _osa_within(c, x, y, 1), s.nk_a, s.nk_b)
        level[ke] = np.where(close[ke], m.N_KANA_NAME_CLOSE, m.N_KANA_NAME_DIFF)
    rest = one_eq & ~s.name_eq & ~s.kana_eq
    if not rest.any():
        return level, family
    r = np.flatnonzero(rest)
    rn, rk = s.has_n[r], s.has_k[r]
    kk_a, ks_a, kg_a, kk_b, ks_b, kg_b = s.kk_a[r], s.ks_a[r], s.kg_a[r], s.kk_b[r], s.ks_b[r], s.kg_b[r]
    nk_a, ns_a, ng_a, nk_b, ns_b, ng_b = s.nk_a[r], s.ns_a[r], s.ng_a[r], s.nk_b[r], s.ns_b[r], s.ng_b[r]
    same_surname = _same_surname(c, kk_a, ks_a, kk_b, ks_b, True) | _same_surname(c, nk_a, ns_a, nk_b, ns_b, False)
    close_n = ~rn | _where(rn, lambda *x: _parts_close(c, _name_close, *x), nk_a, ns_a, ng_a, nk_b, ns_b, ng_b)
    close_k = ~rk | _where(rk & close_n, lambda *x: _parts_close(c, _kana_close, *x), kk_a, ks_a, kg_a, kk_b, ks_b,
                           kg_b)
    close = close_n & close_k
    lv = np.full(len(r), m.N_DIFFERENT, dtype=np.int8)
    fam = np.zeros(len(r), dtype=bool)
    lv[close] = np.where(rk[close], m.N_CLOSE, m.N_CLOSE_KANJI)
    fam |= close & same_surname & ~_where(close & same_surname & rk, lambda x, y: c.same_skeleton(x, y), kk_a, kk_b)
    left = ~close
    partial = left & (~rn | _part_of(nk_a, ns_a, ng_a, nk_b, ns_b, ng_b)) & (~rk | _part_of(kk_a, ks_a, kg_a, kk_b,
                                                                                             ks_b, kg_b))
    lv[partial] = m.N_PARTIAL
    left &= ~partial
    lk, ln = left & rk & (ks_a != ks_b), left & rn & (ns_a != ns_b)
    given = _where(lk, lambda *x: _given_same(c, *x, True), kk_a, kg_a, kk_b, kg_b)
    given |= _where(ln & ~given, lambda *x: _given_same(c, *x, False), nk_a, ng_a, nk_b, ng_b)
    lv[given] = m.N_GIVEN
    left &= ~given
    surname = left & same_surname
    lv[surname] = m.N_SURNAME
    fam |= surname
    level[r], family[r] = lv, fam
    return level, family


def birth_levels(s: Sides) -> np.ndarray:
    """matching.birth_level for every pair."""
    a, b = s.birth_a, s.birth_b
    level = np.full(len(a), m.B_DIFFERENT, dtype=np.int8)
    both = (a > 0) & (b > 0)
    level[~both] = m.B_NULL
    level[both & (a == b)] = m.B_EXACT
    x = np.flatnonzero(both & (a != b))
    if not len(x):
        return level
    a, b = a[x], b[x]
    ya, ma, da, yb, mb, db = a // 10000, a // 100 % 100, a % 100, b // 10000, b // 100 % 100, b % 100
    digits = s.c.birth_digits()
    da_, db_ = digits[s.i[x]], digits[s.j[x]]
    differ = da_ != db_
    count = differ.sum(axis=1)
    first = differ.argmax(axis=1)
    rows = np.arange(len(a))
    nxt = np.minimum(first + 1, 7)
    swap = ((count == 2) & differ[rows, nxt] & (da_[rows, first] == db_[rows, nxt])
            & (da_[rows, nxt] == db_[rows, first]) & (first < 7))
    one_edit = (count == 1) | swap | ((ya == yb) & (ma == db) & (da == mb))
    lv = np.select([one_edit, (ya == yb) & ((ma == mb) | (da == db)), (ma == mb) & (da == db) & (np.abs(ya - yb) == 1)],
                   [m.B_ONE_EDIT, m.B_DAY_MONTH, m.B_YEAR], m.B_DIFFERENT)
    level[x] = lv
    return level


def contact_levels(s: Sides, near: np.ndarray | None = None) -> np.ndarray:
    """matching.contact_level for every pair (`near`: the 1-slip test where already known, else computed)."""
    c = s.c
    both = s.any_a & s.any_b
    home = s.addr_eq | s.phone_eq
    other = both & ~home
    if near is None:
        phone_pair = other & (s.pk_a != 0) & (s.pk_b != 0) & (c.length[s.pk_a] == c.length[s.pk_b])
        near = _where(phone_pair, lambda x, y: _osa_within(c, x, y, 1), s.pk_a, s.pk_b)
        addr_pair = other & ~near & (s.ak_a != 0) & (s.ak_b != 0) & (s.town_a == s.town_b)
        near |= _where(addr_pair, lambda x, y: _osa_within(c, x, y, 1), s.ak_a, s.ak_b)
    return np.select(
        [~both, s.addr_eq & s.phone_eq, s.addr_eq, s.phone_eq, near,
         (s.blk_a != 0) & (s.blk_a == s.blk_b), (s.town_a != 0) & (s.town_a == s.town_b)],
        [m.C_NULL, m.C_ADDR_PHONE, m.C_ADDR, m.C_PHONE, m.C_NEAR, m.C_BLOCK, m.C_TOWN], m.C_DIFFERENT).astype(np.int8)


def sex_levels(s: Sides) -> np.ndarray:
    both = (s.sex_a != 0) & (s.sex_b != 0)
    return np.where(both, np.where(s.sex_a == s.sex_b, m.S_SAME, m.S_DIFFERENT), m.S_NULL).astype(np.int8)


def pair_levels(c: Columns, i: np.ndarray, j: np.ndarray):
    """matching.levels for every pair: (name, birth, contact, sex, family) arrays."""
    s = Sides(c, i, j)
    nl, family = name_levels(s)
    return nl, birth_levels(s), contact_levels(s), sex_levels(s), family


# ------------------------------------------------------------------------------------------------ scoring

class Weights:
    """A model's weights as arrays indexed by level, and the term frequencies of the columns."""

    def __init__(self, c: Columns, model: Model):
        self.model = model
        self.n = max(c.n, m.MIN_POPULATION)
        self.w = {k: np.array(model.weights(k)) for k in m.LEVELS}
        self.log2_counts = {f: np.log2(np.maximum(c.counts(f), 2)) for f in TF_FIELDS}
        self.log2n = np.log2(self.n)

    def tf(self, comparison: str, level: int, field: str, ids: np.ndarray) -> np.ndarray:
        """model.tf_weight for values with these ids: base − log2(count / N)."""
        return self.model.tf_base(comparison, level) - self.log2_counts[field][ids] + self.log2n


def name_weights(W: Weights, s: Sides, nl: np.ndarray) -> np.ndarray:
    w = W.w["name"][nl]
    exact = nl == m.N_EXACT
    by_kana = exact & (s.nk_a == 0) | exact & (s.nk_b == 0)
    w = np.where(exact & ~by_kana, W.tf("name", m.N_EXACT, "nk", s.nk_a), w)
    w = np.where(by_kana, W.tf("name", m.N_EXACT, "kk", s.kk_a), w)
    for level, field, ids in ((m.N_NAME_KANA_CLOSE, "nk", s.nk_a), (m.N_NAME_KANA_DIFF, "nk", s.nk_a),
                              (m.N_KANA_NAME_CLOSE, "kk", s.kk_a), (m.N_KANA_NAME_DIFF, "kk", s.kk_a)):
        w = np.where(nl == level, W.tf("name", level, field, ids), w)
    given_tf = (nl == m.N_GIVEN) & (s.kg_a != 0) & (s.kg_a == s.kg_b)
    return np.where(given_tf, W.tf("name", m.N_GIVEN, "kg", s.kg_a), w)


def contact_weights(W: Weights, s: Sides, cl: np.ndarray) -> np.ndarray:
    w = W.w["contact"][cl]
    for level, field, ids in ((m.C_ADDR_PHONE, "ak", s.ak_a), (m.C_ADDR, "ak", s.ak_a), (m.C_PHONE, "pk", s.pk_a)):
        w = np.where(cl == level, W.tf("contact", level, field, ids), w)
    return w


CAPS = frozenset({"household", "sibling", "namesake", "surname_change", "names_differ"})


def score_levels(W: Weights, s: Sides, nl, bl, cl, sl, family, caps: frozenset = CAPS) -> np.ndarray:
    """matching.compare's score from the levels of every pair (`caps`: which stated caps apply; all of them
    but in the benchmark's ablation)."""
    contact = contact_weights(W, s, cl)
    home = (cl == m.C_ADDR_PHONE) | (cl == m.C_ADDR) | (cl == m.C_PHONE)
    family_home = family & home
    contact = np.where(family_home & (contact > m.W_CONTACT_FAMILY), m.W_CONTACT_FAMILY, contact)
    score = W.model.prior + name_weights(W, s, nl) + W.w["birth"][bl] + contact + W.w["sex"][sl]
    household = family_home & (nl == m.N_SURNAME)
    rules = {"household": household, "sibling": family_home & ~household,
             "namesake": np.isin(nl, m.SAME_NAME) & (bl == m.B_EXACT) & ((cl == m.C_DIFFERENT) | (cl == m.C_NULL)),
             "surname_change": (nl == m.N_GIVEN) & ~((bl == m.B_EXACT) & (cl == m.C_ADDR_PHONE)),
             "names_differ": nl == m.N_DIFFERENT}
    capped = np.zeros(len(score), dtype=bool)
    for name in caps:
        capped |= rules[name]
    limit = np.where(household & ("household" in caps), m.HOUSEHOLD_ONLY, m.CAPPED)
    return np.where(capped & (score > limit), limit, score)


def score_pairs(c: Columns, i: np.ndarray, j: np.ndarray, model: Model, caps: frozenset = CAPS) -> np.ndarray:
    """matching.compare(records[i], records[j], Frequencies.of(records), model) for every pair, as an array."""
    s = Sides(c, i, j)
    nl, family = name_levels(s)
    return score_levels(Weights(c, model), s, nl, birth_levels(s), contact_levels(s), sex_levels(s), family, caps)


def upper_bound(W: Weights, s: Sides) -> np.ndarray:
    """A cheap upper bound of the score: equality levels exactly, every fuzzy level at its best weight.

    Most compared pairs are different people sharing one blocking key; when even the bound stays below the
    threshold, the pair cannot be proposed and its string distances are never computed.
    """
    wn = W.w["name"]
    one_eq = ~s.null_name & ~s.exact_name
    rest = one_eq & ~s.name_eq & ~s.kana_eq
    c = s.c
    # which of the levels for names that are neither equal are possible at all (cheap, on ids and lengths)
    split_n, split_k = (s.ns_a != 0) & (s.ns_b != 0), (s.ks_a != 0) & (s.ks_b != 0)
    close_n = ~s.has_n | np.where(split_n, (s.ns_a == s.ns_b) | (s.ng_a == s.ng_b),
                                  np.abs(c.length[s.nk_a] - c.length[s.nk_b]) <= 1)
    close_k = ~s.has_k | np.where(split_k, (s.ks_a == s.ks_b) | (s.kg_a == s.kg_b), True)
    partial = ((~s.has_n | _part_of(s.nk_a, s.ns_a, s.ng_a, s.nk_b, s.ns_b, s.ng_b))
               & (~s.has_k | _part_of(s.kk_a, s.ks_a, s.kg_a, s.kk_b, s.ks_b, s.kg_b)))
    given_k = s.has_k & np.where(split_k, (s.kg_a == s.kg_b) & (s.ks_a != s.ks_b), (s.kg_a != 0) | (s.kg_b != 0))
    given_n = s.has_n & np.where(split_n, (s.ng_a == s.ng_b) & (s.ns_a != s.ns_b), (s.ng_a != 0) | (s.ng_b != 0))
    given_tf = np.where((s.kg_a != 0) & (s.kg_a == s.kg_b), W.tf("name", m.N_GIVEN, "kg", s.kg_a), wn[m.N_GIVEN])
    surname = ((split_n & (s.ns_a == s.ns_b)) | (split_k & (s.ks_a == s.ks_b))
               | (~split_n & ((s.ns_a != 0) | (s.ns_b != 0))) | (~split_k & ((s.ks_a != 0) | (s.ks_b != 0))))
    rest_best = np.full(len(s.i), wn[m.N_DIFFERENT])
    for possible, weight in ((close_n & close_k, max(wn[m.N_CLOSE], wn[m.N_CLOSE_KANJI])), (partial, wn[m.N_PARTIAL]),
                             (given_k | given_n, given_tf), (surname, wn[m.N_SURNAME])):
        rest_best = np.where(possible, np.maximum(rest_best, weight), rest_best)
    name = np.select(
        [s.null_name, s.exact_name & ((s.nk_a == 0) | (s.nk_b == 0)), s.exact_name, one_eq & s.name_eq,
         one_eq & s.kana_eq],
        [0.0, W.tf("name", m.N_EXACT, "kk", s.kk_a), W.tf("name", m.N_EXACT, "nk", s.nk_a),
         np.maximum(W.tf("name", m.N_NAME_KANA_CLOSE, "nk", s.nk_a), W.tf("name", m.N_NAME_KANA_DIFF, "nk", s.nk_a)),
         np.maximum(W.tf("name", m.N_KANA_NAME_CLOSE, "kk", s.kk_a), W.tf("name", m.N_KANA_NAME_DIFF, "kk", s.kk_a))],
        np.where(rest, rest_best, wn[m.N_DIFFERENT]))
    # birth: exact equality is cheap; any other date at the best weight a different date can have
    wb = W.w["birth"]
    both_bd = (s.birth_a > 0) & (s.birth_b > 0)
    birth = np.where(both_bd, np.where(s.birth_a == s.birth_b, wb[m.B_EXACT],
                                       max(wb[m.B_ONE_EDIT], wb[m.B_DAY_MONTH], wb[m.B_YEAR], wb[m.B_DIFFERENT])), 0.0)
    both = s.any_a & s.any_b
    other = both & ~s.addr_eq & ~s.phone_eq
    maybe_near = other & (((s.pk_a != 0) & (s.pk_b != 0) & (c.length[s.pk_a] == c.length[s.pk_b]))
                          | ((s.ak_a != 0) & (s.ak_b != 0) & (s.town_a == s.town_b)))
    cheap = contact_levels(s, near=np.zeros(len(s.i), dtype=bool))
    contact = contact_weights(W, s, cheap)
    contact = np.where(maybe_near, np.maximum(contact, W.w["contact"][m.C_NEAR]), contact)
    return W.model.prior + name + birth + contact + W.w["sex"][sex_levels(s)]


# ------------------------------------------------------------------------------------------------ batch

def find_matches(records: list[m.Features], *, threshold: float = m.REVIEW, max_block: int = m.MAX_BLOCK,
                 progress: Callable[[str], None] | None = None, households: bool = True,
                 model: Model | None = None) -> m.BatchResult:
    """Every pair of records sharing a blocking key, scored; pairs at or above `threshold` are returned."""
    return match_columns(Columns.of_features(records), threshold=threshold, max_block=max_block, progress=progress,
                         households=households, model=model)


def match_columns(c: Columns, *, threshold: float = m.REVIEW, max_block: int = m.MAX_BLOCK, progress=None,
                  households: bool = True, chunk: int = 2_000_000, model: Model | None = None) -> m.BatchResult:
    """Parameters (learned unless given), blocking, bound, exact scores and household proposals."""
    if model is None:
        from .learn import learn

        model = learn(c, progress=progress)
    i, j, skipped = candidate_pairs(c, max_block=max_block)
    if progress:
        progress(f"比較するペア {len(i):,} 組を作りました。採点しています…")
    W = Weights(c, model)
    pairs: list[tuple[int, int, float]] = []
    for start in range(0, len(i), chunk):
        s = Sides(c, i[start:start + chunk], j[start:start + chunk])
        s = s.take(np.flatnonzero(upper_bound(W, s) >= threshold - 1e-9))
        nl, family = name_levels(s)
        score = score_levels(W, s, nl, birth_levels(s), contact_levels(s), sex_levels(s), family)
        keep = np.flatnonzero(score >= threshold)
        a, b = c.ids[s.i[keep]], c.ids[s.j[keep]]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        pairs.extend(zip(lo.tolist(), hi.tolist(), score[keep].tolist(), strict=True))
        if progress and len(i) > chunk:
            progress(f"  採点 {min(start + chunk, len(i)) * 100 // len(i)}%")
    house = _households(c, {(a, b) for a, b, _ in pairs}) if households else []
    return m.BatchResult(pairs=pairs, households=house, compared=len(i), skipped_blocks=skipped, model=model)


def _households(c: Columns, found: set[tuple[int, int]], largest: int = 20) -> list[tuple[int, int]]:
    """Pairs of records at the same address key and phone (a home of at most `largest`), not person matches."""
    home = np.flatnonzero((c.ak != 0) & (c.pk != 0))
    key = (c.ak[home].astype(np.int64) << np.int64(_BITS)) | c.pk[home]
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


__all__ = ["Columns", "Sides", "Weights", "candidate_pairs", "find_matches", "match_columns", "pair_levels", "score_pairs",
           "upper_bound"]
