"""名寄せ: blocking keys and a Fellegi–Sunter comparison with term-frequency adjustment. No Django.

This module is the definition, one record or pair at a time (intake, explanations, tests); the batch run
computes the same pairs and scores column-wise in tsunagu.identity.batch.

A record becomes `Features` (comparison keys from tsunagu.core.text, never shown). Two records are compared
field by field; each field lands on one *level* whose weight is log2(m/u): m = how often true matches land
there, u = how often two different people do. Exact agreement on a name, an address or a phone number uses
the value's own frequency as u (term-frequency adjustment), so 佐藤 ヒロシ counts for less than a rare name
and a shared flat address for less than a detached house. The fields are grouped where they are strongly
dependent: 氏名+フリガナ is one comparison, 住所+電話 (both household-level) another, so a household member
or twin never adds the same evidence twice.

Three calibrated rules sit on top, each for a case the independence assumption gets wrong: a name that
differs completely costs 20 bits (only a typo or a sibling is 'close'); a shared home says little when the
surname is shared and the given name is not (family), and such a pair never reaches SUGGEST (twins) — unless
the two readings agree but for soft slips (voicing, a dropped ウ/イ), which siblings' names never do; a
surname change with the same given name and birth date (marriage) never reaches SUGGEST on its own.

The sum of weights, minus log2(N / 50,000) for the prior, is the score (bits of evidence). Thresholds
(chosen on benchmark seed 3, reported on seed 7 and on seed 11, which was not looked at while the rules were
written — bench/namayose/RESULTS.md):
  SUGGEST  — 有力候補: precision ≥ 0.995 at 50k and 500k records; shown first and marked at intake;
  REVIEW   — 要確認: worth a reviewer's look. Below REVIEW the batch proposes nothing;
  INTAKE   — at intake only, among records the worker may already see: a shared name and reading.
No threshold merges anything: a human confirms every merge (services.merge_candidate).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance.OSA import distance as _OSA

from tsunagu.core import text

REVIEW = 14.0  # 要確認 (review band starts here)
SUGGEST = 18.0  # 有力候補 (suggestion threshold)
INTAKE = 10.0  # at intake, among records the worker may already see, a shared name alone is worth showing
MAX_BLOCK = 1000  # larger blocks are skipped (they carry no evidence and cost O(n²))
NAME_BLOCK = 25  # a name or reading alone is a blocking key only for rarer names
MIN_POPULATION = 50_000  # the smallest N used for term frequencies

_log2 = math.log2

# ------------------------------------------------------------------------------------------------ features


@dataclass(slots=True)
class Features:
    id: int
    nk: str = ""  # 氏名 key (異体字-folded, no spaces)
    ns: str = ""  # 姓 key (when the name was written with a space)
    ng: str = ""  # 名 key
    kk: str = ""  # フリガナ key
    ks: str = ""
    kg: str = ""
    bd: tuple[int, int, int] | None = None  # 生年月日
    ak: str = ""  # 住所 key: town + house number
    blk: str = ""  # town + 丁目 (first number)
    town: str = ""
    pk: str = ""  # 電話 digits
    sex: str = ""


_CACHE = 65_536  # values remembered by features() (one record at a time: intake, re-keying a register)
_part_name_key = lru_cache(maxsize=_CACHE)(text.name_key)  # surnames and given names repeat across a city
_part_kana_key = lru_cache(maxsize=_CACHE)(text.kana_key)
_TOWN = re.compile(r"[^0-9]*")


def _split(t: str) -> tuple[str, str]:
    """'高橋 一郎' → ('高橋', '一郎'); no space → ('', ''). `t` is normalised."""
    parts = t.split(" ", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("", "")


def name_parts(name: str) -> tuple[str, str, str]:
    """(氏名 key, 姓 key, 名 key); the parts only when the name was written with a space."""
    t = text.normalize(name)  # the keys begin by normalising: doing it once here changes nothing
    sur, giv = _split(t)
    return text.name_key(t), (_part_name_key(sur) if sur else ""), (_part_name_key(giv) if sur else "")


def kana_parts(kana: str) -> tuple[str, str, str]:
    """(フリガナ key, セイ key, メイ key), as name_parts."""
    t = text.normalize(kana)
    sur, giv = _split(t)
    return text.kana_key(t), (_part_kana_key(sur) if sur else ""), (_part_kana_key(giv) if sur else "")


def _address_parts(key: str) -> tuple[str, str]:
    town = _TOWN.match(key).group()
    rest = key[len(town):]
    first = rest.split("-", 1)[0] if rest else ""
    return town, (town + first if first else "")


def address_fields(ak: str) -> tuple[str, str, str]:
    """(address key, town, 町丁目) of an address key; a town name alone is not an address."""
    if ak and any(ch.isdigit() for ch in ak):
        return (ak, *_address_parts(ak))
    return "", ak, ""


def phone_digits(phone: str) -> str:
    """The phone key when it is a whole number (9 digits or more), else ''."""
    digits = text.phone_key(phone)
    return digits if len(digits) >= 9 else ""


_name_parts = lru_cache(maxsize=_CACHE)(name_parts)
_kana_parts = lru_cache(maxsize=_CACHE)(kana_parts)
_address_fields = lru_cache(maxsize=_CACHE)(address_fields)
_phone_key = lru_cache(maxsize=_CACHE)(phone_digits)


@lru_cache(maxsize=_CACHE)
def _address_key(address: str, prefixes: tuple[str, ...]) -> str:
    return text.address_key(address, drop_prefixes=prefixes)


def features(id: int, *, name: str = "", kana: str = "", birth_date=None, address: str = "", phone: str = "",
             sex: str = "", drop_prefixes: tuple[str, ...] = (), address_key: str | None = None) -> Features:
    """Comparison keys of one record. `birth_date` is a date, a (y, m, d) tuple or None."""
    f = Features(id)
    if name:
        f.nk, f.ns, f.ng = _name_parts(name)
    if kana:
        f.kk, f.ks, f.kg = _kana_parts(kana)
    if birth_date is not None:
        f.bd = birth_date if isinstance(birth_date, tuple) else (birth_date.year, birth_date.month, birth_date.day)
    if address_key is None:
        address_key = _address_key(address, tuple(drop_prefixes)) if address else ""
    if address_key:
        f.ak, f.town, f.blk = _address_fields(address_key)
    if phone:
        f.pk = _phone_key(phone)
    f.sex = sex if sex in ("female", "male") else ""
    return f


# ------------------------------------------------------------------------------------------------ blocking

def blocking_keys(f: Features) -> list[str]:
    """Keys under which a record is filed; two records are compared when they share one.

    Each key survives a different kind of noise: name or reading with the birth year, the town or the
    phone (any notation; a missing birth date), 生年月日+名 (marriage: the surname changes), 生年月日+姓
    (a misheard given name), reading prefix + birth month (a typo late in the reading and in the day),
    phone, address. A name alone ('n'/'k') is a key only while it is rare (see NAME_BLOCK).
    """
    keys = []
    year = f"{f.bd[0]}" if f.bd else ""
    for tag, value in (("n", f.nk), ("k", f.kk)):
        if value:
            keys.append(tag + value)
            if year:
                keys.append(f"{tag}{year}{value}")
            if f.town:
                keys.append(f"{tag}@{f.town}{value}")
            if f.pk:
                keys.append(f"{tag}#{f.pk}{value}")
    if f.bd:
        b = f"{f.bd[0]}{f.bd[1]:02}{f.bd[2]:02}"
        if f.kk:
            keys.append(f"y{b[:6]}{f.kk[:3]}")
        for part in {f.ng, f.kg} - {""}:
            keys.append("g" + b + part)
        for part in {f.ns, f.ks} - {""}:
            keys.append("s" + b + part)
        if not f.ng and not f.kg:  # no space: the end of the reading stands in for the given name
            keys.append("g" + b + (f.kk or f.nk)[-3:])
    if f.pk:
        keys.append("p" + f.pk)
    if f.ak:
        keys.append("a" + f.ak)
    return keys


def block_limit(key: str) -> int:
    """A bare name is a useful key only while it is rare: 佐藤 太郎 alone would compare thousands."""
    return NAME_BLOCK if key[0] in "nk" and key[1] not in "@#0123456789" else MAX_BLOCK


# ------------------------------------------------------------------------------------------------ comparison

class Frequencies:
    """Term frequencies for the TF adjustment: how many records carry each exact value."""

    def __init__(self, total: int, nk=None, kk=None, ak=None, pk=None, kg=None):
        # A new or small database has not yet seen how common a name is: count as if from a mid-size city.
        self.total = max(total, MIN_POPULATION)
        self.log2n = _log2(self.total)
        # Prior odds fall as the population grows (more namesakes, more shared birthdays): subtracting
        # log2(N / MIN_POPULATION) keeps one pair of thresholds valid from a town to a large city.
        self.prior = -_log2(self.total / MIN_POPULATION)
        self.nk, self.kk, self.ak, self.pk = nk or {}, kk or {}, ak or {}, pk or {}
        self.kg = kg  # readings of given names (None: unknown, use a typical frequency)

    @classmethod
    def of(cls, records: Iterable[Features]) -> Frequencies:
        records = list(records)
        return cls(len(records), Counter(f.nk for f in records if f.nk), Counter(f.kk for f in records if f.kk),
                   Counter(f.ak for f in records if f.ak), Counter(f.pk for f in records if f.pk),
                   Counter(f.kg for f in records if f.kg))

    def given_weight(self, a: Features, b: Features) -> float:
        """Same given name, different surname: as strong as the given name is rare (花子 < 千尋)."""
        if self.kg is None or not a.kg or a.kg != b.kg:
            return W_MARRIAGE
        u = max(self.kg.get(a.kg, 2), 2) / self.total
        return min(_log2(_M_MARRIAGE / max(u, 0.001)), W_MARRIAGE_MAX)

    def weight(self, log2m: float, table: dict, value: str) -> float:
        """log2(m / u) with u = frequency of `value` (at least two records: the pair itself)."""
        return log2m - _log2(max(table.get(value, 2), 2)) + self.log2n


# m-probabilities (log2) for TF-adjusted levels; fixed levels carry their weight directly.
_M_NAME_EXACT = _log2(0.80)
_M_NAME_CLOSE = _log2(0.08)
_M_NAME_CONFLICT = _log2(0.01)
_M_ADDR_PHONE = _log2(0.55)
_M_ADDR = _log2(0.25)
_M_PHONE = _log2(0.15)
_M_MARRIAGE = 0.03
W_MARRIAGE = _log2(_M_MARRIAGE / 0.004)
W_MARRIAGE_MAX = _log2(_M_MARRIAGE / 0.002)  # never a suggestion on birth date and given name alone
W_NAME_CLOSE = _log2(0.03 / 0.0002)  # the reading confirms the slip
W_NAME_CLOSE_KANJI = _log2(0.03 / 0.002)  # no reading to confirm: 大輔/大樹 could be brothers
W_NAME_DIFFERENT = -20.0
W_BIRTH_EXACT = _log2(0.95 / (1 / (365.25 * 90)))
W_BIRTH_NEAR = _log2(0.03 / 0.002)
W_BIRTH_DIFFERENT = _log2(0.02 / 0.996)
W_ADDR_NEAR = _log2(0.05 / 0.0005)
W_PHONE_NEAR = _log2(0.03 / 0.0001)
W_SAME_BLOCK = _log2(0.05 / 0.005)
W_CONTACT_FAMILY = 4.0  # the most a shared home adds when the surname is shared and the given name is not
W_SAME_TOWN = _log2(0.03 / 0.03)
W_CONTACT_DIFFERENT = _log2(0.25 / 0.98)
W_SEX_SAME = _log2(0.98 / 0.5)
W_SEX_DIFFERENT = _log2(0.01 / 0.5)
COMMON = 1 / 2000  # a value carried by more than 1 record in 2,000 is 'common' (explained to the reviewer)

REASONS = {
    "name_exact": "氏名・フリガナ一致（異体字・表記ゆれは同一視）",
    "name_only": "氏名一致（フリガナは片方のみ）",
    "kana_only": "フリガナ一致（漢字氏名は片方のみ）",
    "name_kana_close": "氏名一致・フリガナ類似（聞き取り違いの可能性）",
    "name_kana_diff": "氏名一致・フリガナが異なる",
    "kana_name_close": "フリガナ一致・氏名類似（誤記の可能性）",
    "kana_name_diff": "フリガナ一致・氏名の漢字が異なる",
    "marriage": "名が一致・姓が異なる（婚姻などによる改姓の可能性）",
    "name_close": "氏名・フリガナ類似（1〜2文字違い）",
    "name_different": "氏名が異なる",
    "common_name": "よくある氏名のため、氏名一致の重みを下げています",
    "birth_exact": "生年月日一致",
    "birth_near": "生年月日が1か所違い（入力誤りの可能性）",
    "birth_different": "生年月日不一致",
    "addr_phone": "住所・電話番号一致",
    "addr": "住所一致",
    "phone": "電話番号一致",
    "addr_near": "住所類似（番地の1文字違い）",
    "phone_near": "電話番号類似（1桁違い）",
    "same_block": "住所類似（同じ町丁目）",
    "same_town": "住所類似（同じ町）",
    "contact_different": "住所・電話番号が異なる（転居の可能性）",
    "shared_address": "同じ住所の記録が多い（集合住宅など）",
    "sex_different": "性別が異なる",
    "sibling": "同じ世帯のきょうだい・双子の可能性（名が少し異なる）: 有力候補にはしません",
}


def osa_within(a: str, b: str, k: int) -> bool:
    """Optimal string alignment distance (edits and adjacent swaps) ≤ k (rapidfuzz, as in the batch)."""
    return _OSA(a, b, score_cutoff=k) <= k


def _name_close(a: str, b: str) -> bool:
    """One kanji slip (一郎/一朗) — but a one-character given name that changes is another name (明/葵)."""
    return min(len(a), len(b)) >= 2 and osa_within(a, b, 1)


_SOFT = str.maketrans("", "", "\u3099\u309aウイ")


@lru_cache(maxsize=100_000)
def _skeleton(s: str) -> str:
    """A reading without voicing marks and without ウ/イ: ユウコ/ユコ, ジロウ/シロー, タカキ/タカギ agree."""
    return unicodedata.normalize("NFD", s).translate(_SOFT)


def _kana_close(a: str, b: str) -> bool:
    """A misheard or mistyped reading. Short readings allow only soft slips (voicing, a dropped ウ/イ):
    タツヤ/タクヤ and アイ/アヤ are different names."""
    longest = max(len(a), len(b))
    if longest <= 4:
        return _skeleton(a) == _skeleton(b)
    return osa_within(a, b, 1 if longest <= 6 else 2) or _skeleton(a) == _skeleton(b)


def _parts_close(full_a: str, sur_a: str, giv_a: str, full_b: str, sur_b: str, giv_b: str, close) -> bool:
    """One slip in one part: with both names split, the other part must agree exactly (一郎/二郎 are two
    people, and so are イチロウ/ジロウ); without a split, a slip anywhere in the full name."""
    if sur_a and sur_b:
        return (sur_a == sur_b and close(giv_a, giv_b)) or (giv_a == giv_b and close(sur_a, sur_b))
    return close(full_a, full_b)


def _same_surname(full_a: str, sur_a: str, full_b: str, sur_b: str) -> bool:
    if not full_a or not full_b or full_a == full_b:
        return False
    if sur_a and sur_b:
        return sur_a == sur_b
    return bool((sur_a and full_b.startswith(sur_a)) or (sur_b and full_a.startswith(sur_b)))


def _given_same(full_a: str, giv_a: str, full_b: str, giv_b: str) -> bool:
    if giv_a and giv_b:
        return giv_a == giv_b
    if giv_a:
        return len(full_b) > len(giv_a) and full_b.endswith(giv_a)
    if giv_b:
        return len(full_a) > len(giv_b) and full_a.endswith(giv_b)
    return False


def _one_slip(a: str, b: str) -> bool:
    """Same length and one digit wrong or two neighbours swapped (a phone number misheard or mistyped)."""
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                and a[diff[1]] == b[diff[0]])


def _digit_typo(x: int, y: int) -> bool:
    sx, sy = str(x), str(y)
    return len(sx) == len(sy) and sum(c1 != c2 for c1, c2 in zip(sx, sy, strict=True)) == 1


def _birth_near(a: tuple, b: tuple) -> bool:
    """One component wrong by one digit, or month and day swapped."""
    ya, ma, da = a
    yb, mb, db = b
    if ya == yb:
        if ma == mb:
            return _digit_typo(da, db)
        if da == db:
            return _digit_typo(ma, mb)
        return ma == db and da == mb
    return ma == mb and da == db and _digit_typo(ya, yb)


def compare(a: Features, b: Features, tf: Frequencies, *, explain: bool = False):
    """(score, reason codes). Reason codes are filled only when `explain` is true."""
    w = tf.prior
    why: list[str] = []
    sibling = False
    # 氏名 + フリガナ (one dependent comparison)
    has_n, has_k = bool(a.nk and b.nk), bool(a.kk and b.kk)
    name_eq, kana_eq = has_n and a.nk == b.nk, has_k and a.kk == b.kk
    tf_value = None
    if name_eq and (kana_eq or not has_k):
        w += tf.weight(_M_NAME_EXACT, tf.nk, a.nk)
        tf_value = tf.nk.get(a.nk, 2)
        code = "name_exact" if kana_eq else "name_only"
    elif kana_eq and not has_n:
        w += tf.weight(_M_NAME_EXACT, tf.kk, a.kk)
        tf_value = tf.kk.get(a.kk, 2)
        code = "kana_only"
    elif name_eq:
        close = _kana_close(a.kk, b.kk)
        w += tf.weight(_M_NAME_CLOSE if close else _M_NAME_CONFLICT, tf.nk, a.nk)
        code = "name_kana_close" if close else "name_kana_diff"
    elif kana_eq:
        close = osa_within(a.nk, b.nk, 1)
        w += tf.weight(_M_NAME_CLOSE if close else _M_NAME_CONFLICT, tf.kk, a.kk)
        code = "kana_name_close" if close else "kana_name_diff"
    elif not has_n and not has_k:
        code = ""
    elif (not has_n or _parts_close(a.nk, a.ns, a.ng, b.nk, b.ns, b.ng, _name_close)) and (
            not has_k or _parts_close(a.kk, a.ks, a.kg, b.kk, b.ks, b.kg, _kana_close)):
        w += W_NAME_CLOSE if has_k else W_NAME_CLOSE_KANJI
        code = "name_close"
        # the same surname and a slightly different given name: a typo, or a brother, sister or twin —
        # unless the readings agree but for soft slips (siblings are named apart by how the name sounds)
        sibling = ((_same_surname(a.kk, a.ks, b.kk, b.ks) or _same_surname(a.nk, a.ns, b.nk, b.ns))
                   and not (has_k and _skeleton(a.kk) == _skeleton(b.kk)))
    elif ((has_k and _given_same(a.kk, a.kg, b.kk, b.kg) and a.ks != b.ks)
          or (has_n and _given_same(a.nk, a.ng, b.nk, b.ng) and a.ns != b.ns)):
        w += tf.given_weight(a, b)
        code = "marriage"
    else:
        w += W_NAME_DIFFERENT
        code = "name_different"
    if explain:
        if code:
            why.append(code)
        if tf_value is not None and tf_value > COMMON * 2 ** tf.log2n:
            why.append("common_name")
    # 生年月日
    if a.bd and b.bd:
        if a.bd == b.bd:
            w += W_BIRTH_EXACT
            code = "birth_exact"
        elif _birth_near(a.bd, b.bd):
            w += W_BIRTH_NEAR
            code = "birth_near"
        else:
            w += W_BIRTH_DIFFERENT
            code = "birth_different"
        if explain:
            why.append(code)
    # 住所 + 電話 (both household-level: one comparison)
    addr_eq = bool(a.ak) and a.ak == b.ak
    phone_eq = bool(a.pk) and a.pk == b.pk
    code = ""
    before_contact = w
    if addr_eq and phone_eq:
        w += tf.weight(_M_ADDR_PHONE, tf.ak, a.ak)
        code = "addr_phone"
    elif addr_eq:
        w += tf.weight(_M_ADDR, tf.ak, a.ak)
        code = "addr"
    elif phone_eq:
        w += tf.weight(_M_PHONE, tf.pk, a.pk)
        code = "phone"
    elif (a.ak or a.pk or a.town) and (b.ak or b.pk or b.town):
        if a.pk and b.pk and _one_slip(a.pk, b.pk):
            w += W_PHONE_NEAR
            code = "phone_near"
        elif a.ak and b.ak and a.town == b.town and osa_within(a.ak, b.ak, 1):
            w += W_ADDR_NEAR
            code = "addr_near"
        elif a.blk and a.blk == b.blk:
            w += W_SAME_BLOCK
            code = "same_block"
        elif a.town and a.town == b.town:
            w += W_SAME_TOWN
            code = "same_town"
        else:
            w += W_CONTACT_DIFFERENT
            code = "contact_different"
    contact_w = w - before_contact
    if explain and code:
        why.append(code)
        if addr_eq and tf.ak.get(a.ak, 2) > 6:
            why.append("shared_address")
    if sibling and code in ("addr_phone", "addr", "phone") and contact_w > W_CONTACT_FAMILY:
        w += W_CONTACT_FAMILY - contact_w  # family members share a home: the home says little here
    family_home = sibling and code in ("addr_phone", "addr", "phone")
    # 性別
    if a.sex and b.sex:
        if a.sex == b.sex:
            w += W_SEX_SAME
        else:
            w += W_SEX_DIFFERENT
            if explain:
                why.append("sex_different")
    if family_home and w >= SUGGEST:
        w = SUGGEST - 0.5  # same home: a human must tell a typo from a sibling
        if explain:
            why.append("sibling")
    return w, why


def explain(codes: Iterable[str]) -> list[str]:
    return [REASONS[c] for c in codes]


def band(score: float) -> str:
    return "suggest" if score >= SUGGEST else "review" if score >= REVIEW else "name"


# ------------------------------------------------------------------------------------------------ batch

@dataclass
class BatchResult:
    pairs: list[tuple[int, int, float]]  # (id a, id b, score) with a < b and score ≥ REVIEW
    households: list[tuple[int, int]]  # same address key and phone, not a person match
    compared: int
    skipped_blocks: int


def find_matches(records: list[Features], *, threshold: float = REVIEW, max_block: int = MAX_BLOCK,
                 progress: Callable[[str], None] | None = None, households: bool = True) -> BatchResult:
    """Every pair of records sharing a blocking key, scored with `compare`; pairs ≥ `threshold` are returned.

    Computed column-wise by tsunagu.identity.batch (same pairs, same scores, much faster than a Python loop).
    """
    from .batch import find_matches as run

    return run(records, threshold=threshold, max_block=max_block, progress=progress, households=households)
