"""名寄せ: blocking keys and the Fellegi–Sunter comparison, one record or pair at a time. No Django.

This module is the definition (intake, explanations, tests); the batch run computes the same pairs, levels
and scores column-wise in tsunagu.identity.batch, and tsunagu.identity.learn estimates the parameters
(tsunagu.identity.model) from a city's own records.

A record becomes `Features` (comparison keys from tsunagu.core.text, never shown). A pair lands on one level
of each comparison (model.LEVELS: name+reading, birth date, address+phone, sex); the score is the prior plus
the levels' weights, term-frequency adjusted where a level is decided by an exact value — the log2 posterior
odds that the two records are one person. Stated caps keep a pair out of the suggestions however high its
odds, each for a case where the independence of the comparisons fails:
  household       same surname, another given name, one home (twins share a birth date too): never a
                  person candidate (the batch proposes the household instead);
  sibling         a slightly different given name, same surname, one home: a typo or a sibling — a review
                  case (for both, a shared home adds no weight: relatives share it by definition);
  namesake        same name and reading (or one of them and a slip in the other) and birth date, with
                  nothing else in common — a review case;
  surname_change  same given name, another surname: only with the same birth date, address and phone;
  names_differ    names that differ entirely.
Thresholds (model.SUGGEST, model.REVIEW) are a rule on the posterior odds, not tuned per data set. At intake,
among records the worker may already see, a shared name and reading is shown even below REVIEW.
No threshold merges anything: a human confirms every merge (services.merge_candidate).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance.OSA import distance as _OSA

from tsunagu.core import text

from .model import (
    B_DAY_MONTH,
    B_DIFFERENT,
    B_EXACT,
    B_NULL,
    B_ONE_EDIT,
    B_YEAR,
    C_ADDR,
    C_ADDR_PHONE,
    C_BLOCK,
    C_DIFFERENT,
    C_NEAR,
    C_NULL,
    C_PHONE,
    C_TOWN,
    CAPPED,
    LEVELS,
    MIN_POPULATION,
    N_CLOSE,
    N_CLOSE_KANJI,
    N_DIFFERENT,
    N_EXACT,
    N_GIVEN,
    N_KANA_NAME_CLOSE,
    N_KANA_NAME_DIFF,
    N_NAME_KANA_CLOSE,
    N_NAME_KANA_DIFF,
    N_NULL,
    N_PARTIAL,
    N_SURNAME,
    NULL,
    REVIEW,
    S_DIFFERENT,
    S_NULL,
    S_SAME,
    SUGGEST,
    TF_FIELD,
    Model,
    default_model,
)

MAX_BLOCK = 1000  # larger blocks are skipped (they carry no evidence and cost O(n²))
NAME_BLOCK = 25  # a name or reading alone is a blocking key only for rarer names

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
    """Term frequencies: how many records carry each exact value, among `total` records."""

    def __init__(self, total: int, nk=None, kk=None, ak=None, pk=None, kg=None):
        # A new or small database has not yet seen how common a name is: count as if from a mid-size city.
        self.total = max(total, MIN_POPULATION)
        self.nk, self.kk, self.ak, self.pk = nk or {}, kk or {}, ak or {}, pk or {}
        self.kg = kg  # readings of given names (None: unknown, the level's mean u is used)

    @classmethod
    def of(cls, records: Iterable[Features]) -> Frequencies:
        records = list(records)
        return cls(len(records), Counter(f.nk for f in records if f.nk), Counter(f.kk for f in records if f.kk),
                   Counter(f.ak for f in records if f.ak), Counter(f.pk for f in records if f.pk),
                   Counter(f.kg for f in records if f.kg))

    def count(self, field: str, value: str) -> int | None:
        table = getattr(self, field)
        return None if table is None else max(table.get(value, 2), 2)

    def freq(self, field: str, value: str) -> float | None:
        """f = records with `value` / N (at least two: the pair itself); None when not counted."""
        n = self.count(field, value)
        return None if n is None else n / self.total


def osa_within(a: str, b: str, k: int) -> bool:
    """Optimal string alignment distance (edits and adjacent swaps) ≤ k (rapidfuzz, as in the batch)."""
    return _OSA(a, b, score_cutoff=k) <= k


def _name_close(a: str, b: str) -> bool:
    """One kanji slip (一郎/一朗, 龍之介/龍介) — but a one-character given name that changes is another name (明/葵)."""
    return min(len(a), len(b)) >= 2 and osa_within(a, b, 1)


_SOFT = str.maketrans("", "", "\u3099\u309aウイ")


@lru_cache(maxsize=100_000)
def _skeleton(s: str) -> str:
    """A reading without voicing marks and without ウ/イ: ユウコ/ユコ, ジロウ/シロウ, タカキ/タカギ agree."""
    return unicodedata.normalize("NFD", s).translate(_SOFT)


def _kana_close(a: str, b: str) -> bool:
    """A misheard or mistyped reading (edit distance on the long-vowel-folded key). Short readings allow only
    soft slips (voicing, a dropped ウ/イ): タツヤ/タクヤ and アイ/アヤ are different names."""
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


def _part_of(full_a: str, sur_a: str, giv_a: str, full_b: str, sur_b: str, giv_b: str) -> bool:
    """One record has only a part of the other's name: 高橋 / 高橋 一郎, イチロウ / タカハシ イチロウ."""
    return bool(full_a and full_b and full_a != full_b
                and ((sur_b and full_a in (sur_b, giv_b)) or (sur_a and full_b in (sur_a, giv_a))))


def _one_slip(a: str, b: str) -> bool:
    """Same length and one digit wrong or two neighbours swapped (a phone number misheard or mistyped)."""
    return len(a) == len(b) and osa_within(a, b, 1)


def name_level(a: Features, b: Features) -> tuple[int, bool]:
    """(name level, family): family = same surname and another given name (a relative, or a misheard name)."""
    has_n, has_k = bool(a.nk and b.nk), bool(a.kk and b.kk)
    name_eq, kana_eq = has_n and a.nk == b.nk, has_k and a.kk == b.kk
    if not has_n and not has_k:
        return N_NULL, False
    if (name_eq and (kana_eq or not has_k)) or (kana_eq and not has_n):
        return N_EXACT, False
    if name_eq:
        return (N_NAME_KANA_CLOSE if _kana_close(a.kk, b.kk) else N_NAME_KANA_DIFF), False
    if kana_eq:
        return (N_KANA_NAME_CLOSE if osa_within(a.nk, b.nk, 1) else N_KANA_NAME_DIFF), False
    same_surname = _same_surname(a.kk, a.ks, b.kk, b.ks) or _same_surname(a.nk, a.ns, b.nk, b.ns)
    close_n = not has_n or _parts_close(a.nk, a.ns, a.ng, b.nk, b.ns, b.ng, _name_close)
    if close_n and (not has_k or _parts_close(a.kk, a.ks, a.kg, b.kk, b.ks, b.kg, _kana_close)):
        # a typo — or a brother, sister or twin; unless the readings agree but for soft slips (siblings are
        # named apart by how the name sounds)
        family = same_surname and not (has_k and _skeleton(a.kk) == _skeleton(b.kk))
        return (N_CLOSE if has_k else N_CLOSE_KANJI), family
    if (not has_n or _part_of(a.nk, a.ns, a.ng, b.nk, b.ns, b.ng)) and (
            not has_k or _part_of(a.kk, a.ks, a.kg, b.kk, b.ks, b.kg)):
        return N_PARTIAL, False
    if ((has_k and _given_same(a.kk, a.kg, b.kk, b.kg) and a.ks != b.ks)
            or (has_n and _given_same(a.nk, a.ng, b.nk, b.ng) and a.ns != b.ns)):
        return N_GIVEN, False
    if same_surname:
        return N_SURNAME, True
    return N_DIFFERENT, False


@lru_cache(maxsize=65_536)
def _date_digits(bd: tuple[int, int, int]) -> str:
    return f"{bd[0]:04}{bd[1]:02}{bd[2]:02}"


def birth_level(a: Features, b: Features) -> int:
    if not a.bd or not b.bd:
        return B_NULL
    if a.bd == b.bd:
        return B_EXACT
    (ya, ma, da), (yb, mb, db) = a.bd, b.bd
    if (ya == yb and ma == db and da == mb) or _one_slip(_date_digits(a.bd), _date_digits(b.bd)):
        return B_ONE_EDIT  # one digit wrong, two neighbours swapped, or month and day swapped
    if ya == yb and (ma == mb or da == db):
        return B_DAY_MONTH
    if ma == mb and da == db and abs(ya - yb) == 1:
        return B_YEAR
    return B_DIFFERENT


def contact_level(a: Features, b: Features) -> int:
    if not (a.ak or a.pk or a.town) or not (b.ak or b.pk or b.town):
        return C_NULL
    addr_eq = bool(a.ak) and a.ak == b.ak
    phone_eq = bool(a.pk) and a.pk == b.pk
    if addr_eq and phone_eq:
        return C_ADDR_PHONE
    if addr_eq:
        return C_ADDR
    if phone_eq:
        return C_PHONE
    if (a.pk and b.pk and _one_slip(a.pk, b.pk)) or (a.ak and b.ak and a.town == b.town and osa_within(a.ak, b.ak, 1)):
        return C_NEAR
    if a.blk and a.blk == b.blk:
        return C_BLOCK
    if a.town and a.town == b.town:
        return C_TOWN
    return C_DIFFERENT


def sex_level(a: Features, b: Features) -> int:
    if not a.sex or not b.sex:
        return S_NULL
    return S_SAME if a.sex == b.sex else S_DIFFERENT


def levels(a: Features, b: Features) -> tuple[int, int, int, int, bool]:
    """(name, birth, contact, sex) levels of a pair, and whether the names look like relatives'."""
    nl, family = name_level(a, b)
    return nl, birth_level(a, b), contact_level(a, b), sex_level(a, b), family


def tf_value(a: Features, b: Features, c: str, level: int) -> tuple[str, str] | None:
    """(field, value) whose frequency adjusts a TF level of this pair."""
    fld = TF_FIELD.get((c, level))
    if fld is None:
        return None
    if c == "name" and level == N_EXACT and not (a.nk and b.nk):
        fld = "kk"
    if fld == "kg" and not (a.kg and a.kg == b.kg):
        return None  # same given name in kanji only: the mean u
    return fld, getattr(a, fld)


W_CONTACT_FAMILY = 0.0  # what a shared home adds when the names look like relatives': nothing
SAME_NAME = (N_EXACT, N_NAME_KANA_CLOSE, N_KANA_NAME_CLOSE)  # the name or the reading agrees, the other all but
HOUSEHOLD_ONLY = REVIEW - 0.5  # where a capped 'household' pair lands: not proposed as one person


def cap_codes(nl: int, bl: int, cl: int, family: bool) -> list[str]:
    """The stated caps that apply to a pair with these levels (the strictest first)."""
    home = cl in (C_ADDR_PHONE, C_ADDR, C_PHONE)
    caps = []
    if family and home and nl == N_SURNAME:
        caps.append("household")  # same surname, another given name, one home: a relative (twins too)
    if family and home and nl != N_SURNAME:
        caps.append("sibling")  # a slightly different given name at one home: a typo or a sibling
    if nl in SAME_NAME and bl == B_EXACT and cl in (C_DIFFERENT, C_NULL):
        caps.append("namesake")  # same name and birth date, nothing else in common
    if nl == N_GIVEN and not (bl == B_EXACT and cl == C_ADDR_PHONE):
        caps.append("surname_change")  # a new surname is let through only with the same birth date and home
    if nl == N_DIFFERENT:
        caps.append("names_differ")
    return caps


def cap_limit(code: str) -> float:
    return HOUSEHOLD_ONLY if code == "household" else CAPPED
COMMON = 1 / 2000  # a value carried by more than 1 record in 2,000 is 'common' (explained to the reviewer)


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    bits: float | None = None  # the weight this reason added (None: a note)


def compare(a: Features, b: Features, tf: Frequencies, model: Model | None = None, *, explain: bool = False):
    """(score, reasons): log2 posterior odds that a and b are one person, and (when `explain`) why."""
    model = model or default_model(tf.total)
    nl, bl, cl, sl, family = levels(a, b)
    weight = [model.weight("name", nl), model.weight("birth", bl), model.weight("contact", cl),
              model.weight("sex", sl)]
    common_name = shared_address = False
    for k, (c, level) in enumerate((("name", nl), ("contact", cl))):
        value = tf_value(a, b, c, level)
        if value is not None:
            freq = tf.freq(*value)
            weight[k * 2] = model.tf_weight(c, level, freq)
            if freq is not None and freq > COMMON:
                common_name |= c == "name"
                shared_address |= c == "contact" and value[0] == "ak"
    home = cl in (C_ADDR_PHONE, C_ADDR, C_PHONE)
    if family and home and weight[2] > W_CONTACT_FAMILY:
        weight[2] = W_CONTACT_FAMILY  # family members share a home: the home says little here
    score = model.prior + sum(weight)
    caps = cap_codes(nl, bl, cl, family)
    capped = bool(caps) and score > cap_limit(caps[0])
    if capped:
        score = cap_limit(caps[0])
    if not explain:
        return score, []
    why = [Reason("prior", model.prior)]
    for k, c, level in ((0, "name", nl), (1, "birth", bl), (2, "contact", cl), (3, "sex", sl)):
        code = _level_code(a, b, c, level)
        if code:
            why.append(Reason(code, weight[k]))
    if common_name:
        why.append(Reason("common_name"))
    if shared_address:
        why.append(Reason("shared_address"))
    if capped:
        why += [Reason(code) for code in caps]
    return score, why


def _level_code(a: Features, b: Features, c: str, level: int) -> str:
    if level == NULL[c] or (c == "sex" and level == S_SAME):
        return ""
    if c == "name" and level == N_EXACT:
        return "name_exact" if a.nk and b.nk and a.kk and b.kk else "name_only" if a.nk and b.nk else "kana_only"
    return f"{c}_{LEVELS[c][level]}"


REASONS = {
    "prior": "事前の見込み（記録の件数と重複の多さから）",
    "name_exact": "氏名・フリガナ一致（異体字・表記ゆれは同一視）",
    "name_only": "氏名一致（フリガナは片方のみ）",
    "kana_only": "フリガナ一致（漢字氏名は片方のみ）",
    "name_name_kana_close": "氏名一致・フリガナ類似（聞き取り違いの可能性）",
    "name_kana_name_close": "フリガナ一致・氏名類似（誤記の可能性）",
    "name_name_kana_diff": "氏名一致・フリガナが異なる",
    "name_kana_name_diff": "フリガナ一致・氏名の漢字が異なる",
    "name_close": "氏名・フリガナ類似（1〜2文字違い）",
    "name_close_kanji": "氏名類似（1文字違い・フリガナは片方のみ）",
    "name_partial": "氏名の一部が一致（姓または名だけの記録）",
    "name_given_same": "名が一致・姓が異なる（婚姻などによる改姓の可能性）",
    "name_surname_same": "姓が一致・名が異なる",
    "name_different": "氏名が異なる",
    "birth_exact": "生年月日一致",
    "birth_one_edit": "生年月日が1か所違い（入力誤りの可能性）",
    "birth_day_month": "生年月日の月または日が異なる",
    "birth_year": "生年が1年違い",
    "birth_different": "生年月日不一致",
    "contact_addr_phone": "住所・電話番号一致",
    "contact_addr": "住所一致",
    "contact_phone": "電話番号一致",
    "contact_near": "住所または電話番号が類似（1文字違い）",
    "contact_block": "住所類似（同じ町丁目）",
    "contact_town": "住所類似（同じ町）",
    "contact_different": "住所・電話番号が異なる（転居の可能性）",
    "sex_different": "性別が異なる",
    "common_name": "よくある氏名のため、氏名一致の重みを下げています",
    "shared_address": "同じ住所の記録が多い（集合住宅など）ため、住所一致の重みを下げています",
    "household": "同じ住所・電話の家族の可能性（姓が同じで名が異なる）: 同一人物の候補にはしません",
    "sibling": "同じ世帯のきょうだい・双子の可能性（名が少し異なる）: 有力候補にはしません",
    "namesake": "氏名と生年月日のほかに一致する項目がありません（同姓同名・同じ生年月日の別人の可能性）: 有力候補にはしません",
    "surname_change": "姓が異なり、生年月日・住所・電話番号がすべて一致してはいません: 有力候補にはしません",
    "names_differ": "氏名が異なるため有力候補にはしません",
}


def explain(why: Iterable[Reason]) -> list[str]:
    """Japanese reasons, each with the bits of evidence it added: "生年月日一致 +14.9"."""
    return [REASONS[r.code] if r.bits is None else f"{REASONS[r.code]} {r.bits:+.1f}" for r in why]


def band(score: float) -> str:
    return "suggest" if score >= SUGGEST else "review" if score >= REVIEW else "name"


# ------------------------------------------------------------------------------------------------ batch

@dataclass
class BatchResult:
    pairs: list[tuple[int, int, float]]  # (id a, id b, score) with a < b and score ≥ the threshold
    households: list[tuple[int, int]]  # same address key and phone, not a person match
    compared: int
    skipped_blocks: int
    model: Model | None = None  # the parameters the pairs were scored with


def find_matches(records: list[Features], *, threshold: float = REVIEW, max_block: int = MAX_BLOCK,
                 progress: Callable[[str], None] | None = None, households: bool = True,
                 model: Model | None = None) -> BatchResult:
    """Every pair of records sharing a blocking key, scored with `compare`; pairs ≥ `threshold` are returned.

    Computed column-wise by tsunagu.identity.batch (same pairs, same scores, much faster than a Python loop).
    Without a `model`, one is learned from the records (tsunagu.identity.learn; the default when too few).
    """
    from .batch import find_matches as run

    return run(records, threshold=threshold, max_block=max_block, progress=progress, households=households,
               model=model)
