"""Comparison keys for finding the same person across agencies (名寄せ).

Names, readings and addresses are always stored and shown exactly as entered; the keys made here are used
only to search and to match records. Every key function accepts any string (or None), never raises, is
idempotent (``key(key(x)) == key(x)``) and never changes its input. Pure Python, no Django.

異体字 folding (``fold_itaiji``) has two sources:

* ``_ITAIJI``, a curated table below, for characters inside JIS X 0208 (the set every system can type):
  the 旧字体 → 新字体 pairs of the 常用漢字表 (2010) and 人名用漢字 (戸籍法施行規則 別表第二) that appear in
  names and addresses, plus common surname variants (髙→高, 﨑→崎, 邉/邊→辺, 齋/齊/斉→斎, 嶋/嶌→島 …).
* for characters outside JIS X 0208 (JIS X 0213, 外字, CJK extensions) the MJ縮退マップ of 文字情報技術促進協議会
  (CC BY-SA 2.1 JP) as shipped by the ``jntajis`` package (``jntajis-python`` on PyPI), falling back to the
  国税庁 JIS縮退マップ. The MJ map is not used for characters inside JIS X 0208: there it also merges
  unrelated characters (玉→王, 書→昼, 師→帥) and points some pairs back to the old form (真→眞, 寿→壽).
  Without jntajis only the curated table applies, so keys stored in the database must be made with the same
  setup that searches them (re-key every record when either source changes).

350 of the 363 curated pairs agree with the MJ縮退マップ; the other 13 are deliberate choices of one
canonical form (齊/斉→斎, 凜→凛, 遙→遥, 堯→尭, 檜→桧, 籔→藪 …) or simplified Chinese (关→関, 养→養).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from tsunagu.core.wareki import ERAS, OLD_ERA_GRACE_YEARS, era_end, old_era_note

try:  # optional: the MJ縮退マップ for 外字 and JIS X 0213 characters
    from jntajis import MJShrinkSchemeCombo as _MJ
    from jntajis import jnta_shrink_translit as _jnta_shrink
    from jntajis import mj_shrink_candidates as _mj_candidates
except ImportError:  # pragma: no cover - exercised only where jntajis is not installed
    _mj_candidates = None

__all__ = [
    "ParsedDate", "address_key", "fold_itaiji", "is_kana", "kana_key", "name_key", "normalize", "parse_date",
    "parse_date_noted", "phone_key", "search_keys",
]

# --------------------------------------------------------------------------------------------- 異体字 table
# One group per token: every character but the last folds to the last one. 旧字体 from the 常用漢字表 (2010)
# parentheses and the 人名用漢字 許容字体 first, then surname variants. Compatibility ideographs (祐, 神, 都 …)
# need no entry: NFKC folds them. Canonical choices for pairs without an official new form: 斎 (for
# 齋/齊/斉), 淵 (for 渕), 禰 (for 祢), 桧, 芦, 藪, 館, 凛, 尭.
_ITAIJI_GROUPS = """
亞亜 惡悪 壓圧 圍囲 爲為 醫医 壹壱 隱隠 榮栄 營営 衞衛 驛駅 圓円 艷艶 鹽塩 奧奥 應応 歐欧 毆殴 櫻桜 穩穏
假仮 價価 畫画 會会 囘回 壞壊 懷懐 繪絵 槪概 擴拡 殼殻 覺覚 學学 嶽岳 樂楽 渴渇 卷巻 陷陥 寬寛 歡歓 勸勧
觀観 關関 巖巌 顏顔 歸帰 氣気 龜亀 僞偽 戲戯 犧犠 舊旧 據拠 擧挙 虛虚 峽峡 挾挟 狹狭 鄕郷 曉暁 區区 驅駆
勳勲 徑径 惠恵 溪渓 經経 繼継 莖茎 螢蛍 輕軽 鷄鶏 藝芸 擊撃 缺欠 儉倹 劍劒剱剣 圈圏 檢検 權権 獻献 硏研
縣県 險険 顯顕 驗験 嚴厳 效効 廣広 恆恒 黃黄 鑛鉱 號号 國圀国 黑黒 碎砕 濟済 劑剤 雜雑 參参 慘惨 棧桟
蠶蚕 贊賛 殘残 絲糸 兒児 辭辞 濕湿 實実 寫写 舍舎 釋釈 壽寿 收収 從従 澁渋 獸獣 縱縦 肅粛 處処 敍叙 奬奨
將将 燒焼 稱称 證証 乘乗 剩剰 壤壌 孃嬢 條条 淨浄 狀状 疊畳 讓譲 釀醸 觸触 寢寝 愼慎 眞真 盡尽 圖図 粹粋
醉酔 隨随 髓髄 數数 樞枢 瀨瀬 聲声 靜静 攝摂 竊窃 專専 戰戦 淺浅 潛潜 纖繊 踐践 錢銭 禪禅 曾曽 雙双 壯壮
搜捜 插挿 巢巣 爭争 總総 莊荘 裝装 騷騒 增増 藏蔵 臟臓 卽即 屬属 續続 墮堕 對対 體躰体 帶帯 滯滞 臺台
瀧滝 擇択 澤沢 單単 擔担 膽胆 團団 彈弾 斷断 癡痴 遲遅 晝昼 蟲虫 鑄鋳 廳廰庁 聽聴 敕勅 鎭鎮 遞逓 鐵鐡銕鉄
轉転 點点 傳伝 黨党 盜盗 燈灯 當当 鬪闘 悳德徳 獨独 讀読 屆届 貳弐 惱悩 腦脳 霸覇 廢廃 拜拝 賣売 麥麦 發発
髮髪 拔抜 晚晩 蠻蛮 祕秘 濱濵浜 甁瓶 拂払 佛仏 倂併 竝並 變変 邊邉辺 辨瓣辯弁 舖舗 步歩 寶寳宝 豐豊 襃褒
沒没 飜翻 每毎 萬万 滿満 默黙 彌弥 譯訳 藥薬 與与 豫予 餘余 譽誉 搖揺 樣様 謠謡 來来 賴頼 亂乱 覽覧 龍竜
兩両 獵猟 綠緑 壘塁 淚涙 勵励 禮礼 靈霊 齡齢 曆暦 歷歴 戀恋 爐炉 勞労 樓楼 郞郎 祿禄 錄録 灣湾
淸清 靑青 緖緒 彥彦 溫温 涉渉 揭掲 橫横 緣縁 薰薫 穗穂 晉晋 聰聡 遙遥 瑤瑶 堯尭 穰穣 凜凛 廸迪 駈駆 峯峰
髙高 﨑嵜崎 齋齊斉斎 冨富 嶋嶌嶹島 槇槙 﨔欅 桒桑 栁桺柳 舘館 埜壄野 渕渊淵 逹達 祢袮禰 檜桧 𠮷吉 舩船
亰京 夛多 乕虎 杦杉 柗枩松 曻昇 槗橋 蘆芦 籔藪 澂澄 鷗鴎 邨村 埀垂 𡈽土 关関 养養
"""


def _build_itaiji() -> dict[int, int]:
    table: dict[int, int] = {}
    for group in _ITAIJI_GROUPS.split():
        *sources, target = group
        for src in sources:
            table[ord(src)] = ord(target)
    for src, tgt in table.items():  # the curated table must already be closed: targets fold to themselves
        assert tgt not in table, f"itaiji chain {chr(src)}→{chr(tgt)}→{chr(table[tgt])}"
    return table


_ITAIJI = _build_itaiji()


def _in_jisx0208(ch: str) -> bool:
    try:
        ch.encode("iso2022_jp")
    except UnicodeEncodeError:
        return False
    return True


def _is_ideograph(cp: int) -> bool:
    return 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3134F


def _mj_shrink(ch: str) -> str | None:
    """A JIS X 0208 character for `ch` from the MJ縮退マップ (or 国税庁 JIS縮退マップ), if jntajis has one."""
    if _mj_candidates is None:
        return None
    official = _MJ.JIS_INCORPORATION_UCS_UNIFICATION_RULE | _MJ.MOJ_NOTICE_582
    official |= _MJ.MOJ_FAMILY_REGISTER_ACT_RELATED_NOTICE
    for combo in (official, _MJ.INFERENCE_BY_READING_AND_GLYPH):
        for cand in _mj_candidates(ch, combo, 10):
            if cand != ch and len(cand) == 1 and _in_jisx0208(cand):
                return cand
    cand = _jnta_shrink(ch, passthrough=True)
    return cand if cand != ch and len(cand) == 1 and _in_jisx0208(cand) else None


class _FoldTable(dict):
    """str.translate table filled on first sight of each character (no start-up cost)."""

    def __missing__(self, cp: int) -> int:
        target = cp
        if _is_ideograph(cp):
            ch = chr(cp)
            nfkc = unicodedata.normalize("NFKC", ch)  # compatibility ideographs (祐 → 祐)
            if len(nfkc) == 1 and nfkc != ch:
                target = self[ord(nfkc)]  # NFKC output is stable, so this recursion ends at once
            elif not _in_jisx0208(ch):
                shrunk = _mj_shrink(ch)
                if shrunk is not None:
                    target = _ITAIJI.get(ord(shrunk), ord(shrunk))
        self[cp] = target
        return target


_FOLD = _FoldTable(_ITAIJI)

# ----------------------------------------------------------------------------------------------- normalize
_INVISIBLE = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef\u180b-\u180d\u180f"  # variation selectors
                        "\u00ad\u200b-\u200d\u2060\ufeff]")  # soft hyphen, zero-width characters
_SPACING_MARKS = re.compile("[\u309b\u309c]")  # ゛゜ → combining, so ハ゛ becomes バ under NFKC
_DASH = re.compile("[\u2010-\u2015\u2043\u2212\u2500\u2501\u2796\u02d7\u2e3a\u2e3b\u23af]")
_CHOON_AS_DASH = re.compile(r"(?<=[0-9A-Za-z])ー+|ー+(?=[0-9])")  # 長音符 typed as a hyphen: 1ー2, 0766ー83
_SPACES = re.compile(r"\s+")


def _as_str(s: object) -> str:
    return "" if s is None else s if isinstance(s, str) else str(s)


# Characters normalize may change in an NFKC-normalised text besides whitespace (checked by split/join).
_NORMALIZE_SUSPECT = re.compile("[" + _INVISIBLE.pattern[1:-1] + _DASH.pattern[1:-1] + "ー]")


def normalize(s: str | None) -> str:
    """NFKC, no variation selectors, separators unified to '-', whitespace collapsed to single spaces."""
    t = _as_str(s)
    if unicodedata.is_normalized("NFKC", t) and not _NORMALIZE_SUSPECT.search(t) and " ".join(t.split()) == t:
        return t  # nothing to do (most text)
    return _normalize_full(t)


def _normalize_full(t: str) -> str:
    t = _INVISIBLE.sub("", t)
    t = unicodedata.normalize("NFKC", _SPACING_MARKS.sub(lambda m: chr(ord(m.group()) - 2), t))
    t = _DASH.sub("-", t)
    if "ー" in t:
        t = _CHOON_AS_DASH.sub(lambda m: "-" * len(m.group()), t)
    return " ".join(t.split())


def _fixpoint(step, s: object) -> str:
    """Apply `step` (which begins with normalize) until the result is stable: makes every key idempotent.

    A second round is rarely needed (removing a space can join a letter and a combining mark, or put ー
    next to a digit), but checking costs one more round for every call: still a few µs.
    """
    out = step(_as_str(s))
    for _ in range(8):
        again = step(out)
        if again == out:
            break
        out = again
    return out


def fold_itaiji(s: str) -> str:
    """Fold 異体字 to one canonical character each (髙→高, 邊→辺, 齊→斎). Idempotent; other text unchanged."""
    return _as_str(s).translate(_FOLD)


# ------------------------------------------------------------------------------------------------ name/kana
_NAME_DROP = dict.fromkeys(map(ord, " ・·‧⋅∙"), None)


def _name_step(s: str) -> str:
    return fold_itaiji(normalize(s)).translate(_NAME_DROP).lower()


# Characters some rule of _name_step changes (or may change next to a neighbour): without any of them, an
# NFKC-normalised lower-case output is already stable and _fixpoint's confirming round is skipped.
_NAME_UNSTABLE = re.compile(f"{_INVISIBLE.pattern}|{_DASH.pattern}|[\\sー ・·‧⋅∙]")


def _stable(out: str, unstable: re.Pattern) -> bool:
    return unicodedata.is_normalized("NFKC", out) and not unstable.search(out)


def name_key(s: str | None) -> str:
    """normalize → fold_itaiji → no spaces or 中黒 → lower case: name_key('髙橋　太郎') == name_key('高橋太郎')."""
    out = _name_step(_as_str(s))
    if out.lower() == out and _stable(out, _NAME_UNSTABLE):
        return out
    return _fixpoint(_name_step, out)


_HIRA_TO_KATA = {cp: cp + 0x60 for cp in (*range(0x3041, 0x3097), 0x309D, 0x309E)}
_SMALL = "ァアィイゥウェエォオッツャヤュユョヨヮワヵカヶケㇰクㇱシㇲスㇳトㇴヌㇵハㇶヒㇷフㇸヘㇹホㇺムㇻラㇼリㇽルㇾレㇿロ"
_KANA_FOLD = str.maketrans(
    {**dict(zip(_SMALL[::2], _SMALL[1::2], strict=True)), "ヂ": "ジ", "ヅ": "ズ", "ヲ": "オ", "ヰ": "イ",
     "ヱ": "エ", "ヷ": "バ", "ヸ": "ビ", "ヹ": "ベ", "ヺ": "ボ", **dict.fromkeys("・- ", None)})
# 長音: ー is the vowel of the kana before it, written as a long vowel is spelt (ユーコ = ユウコ, サトー = サトウ,
# ケーコ = ケイコ, オーノ = オウノ), and an O-row kana followed by オ is the same long vowel (オオタ = オータ = オウタ).
_VOWEL_ROWS = {"ア": "アカサタナハマヤラワガザダバパ", "イ": "イキシチニヒミリギジヂビピ", "ウ": "ウクスツヌフムユルグズヅブプ",
               "エ": "エケセテネヘメレゲゼデベペ", "オ": "オコソトノホモヨロゴゾドボポ"}
_LONG = {"ア": "ア", "イ": "イ", "ウ": "ウ", "エ": "イ", "オ": "ウ"}
_LONG_VOWEL = {ch: _LONG[v] for v, row in _VOWEL_ROWS.items() for ch in row}
_CHOON = re.compile("([^ー]?)ー+")
_O_ROW_O = re.compile(f"(?<=[{_VOWEL_ROWS['オ']}])オ")


def _long_vowel(m: re.Match) -> str:
    before = m.group(1)
    return before + _LONG_VOWEL.get(before, "")
_VU = re.compile("ヴ([ァィゥェォュ]?)")
_VU_MAP = {"": "ブ", "ァ": "バ", "ィ": "ビ", "ゥ": "ブ", "ェ": "ベ", "ォ": "ボ", "ュ": "ビュ"}
_ITERATION = re.compile("(.)([ヽヾ])")  # みすゞ → ミスズ


def _repeat_kana(m: re.Match) -> str:
    ch = m.group(1)
    if m.group(2) == "ヾ":
        voiced = unicodedata.normalize("NFC", ch + "\u3099")
        return ch + (voiced if len(voiced) == 1 else ch)
    return ch + ch


def _kana_step(s: str) -> str:
    t = normalize(s).translate(_HIRA_TO_KATA)
    if "ヴ" in t:
        t = _VU.sub(lambda m: _VU_MAP[m.group(1)], t)
    if "ヽ" in t or "ヾ" in t:
        t = _ITERATION.sub(_repeat_kana, t)
    t = t.translate(_KANA_FOLD)
    if "ー" in t:
        t = _CHOON.sub(_long_vowel, t)
    return _O_ROW_O.sub("ウ", t) if "オ" in t else t


_KANA_UNSTABLE = re.compile(f"{_INVISIBLE.pattern}|{_DASH.pattern}|[\\s\u3041-\u3096\u309d\u309eヴヽヾ"
                            + "".join(_SMALL[::2]) + "ヂヅヲヰヱヷヸヹヺー・-]")


def kana_key(s: str | None) -> str:
    """A reading as plain large katakana: ﾀｶﾊｼ, たかはし, タカハシ → タカハシ; ヴァ→バ, ッ→ツ, ヂ→ジ; long vowels
    spelt out (ユーコ, ユウコ → ユウコ; サトー → サトウ; オオタ, オータ → オウタ); no ・ or spaces."""
    out = _kana_step(_as_str(s))
    if _stable(out, _KANA_UNSTABLE):
        return out
    return _fixpoint(_kana_step, out)


_KANA_ONLY = re.compile(r"[\u3041-\u3096\u3099-\u309f\u30a1-\u30fa\u30fd-\u30ff\u31f0-\u31ff]+")
_KANA_IGNORE = dict.fromkeys(map(ord, " ー・"), None)


def is_kana(s: str) -> bool:
    """True when the text (ignoring spaces, ー and ・) is non-empty hiragana/katakana only."""
    return _KANA_ONLY.fullmatch(normalize(s).translate(_KANA_IGNORE)) is not None


def search_keys(query: str) -> dict[str, str]:
    """Keys for a search box: the name key always, the kana key when the query is a reading."""
    return {"name": name_key(query), "kana": kana_key(query) if is_kana(query) else ""}


# ------------------------------------------------------------------------------------------------- phone
_NOT_DIGIT = re.compile(r"[^0-9]+")
_EXTENSION = re.compile(r"内線|ext", re.IGNORECASE)
_COUNTRY_JP = re.compile(r"\s*\(?\s*\+\s*81")


_PLAIN_PHONE = re.compile("[0-9-]+")  # ASCII digits and hyphens: nothing to normalise


def phone_key(s: str | None) -> str:
    """Digits only: '０７６６-８３-７１７１' → '0766837171'; '+81 766 …' → '0766…'; an extension (内線) is dropped."""
    if isinstance(s, str) and _PLAIN_PHONE.fullmatch(s):
        return s.replace("-", "")
    return _phone_key_full(s)


def _phone_key_full(s: str | None) -> str:
    t = normalize(s)
    ext = _EXTENSION.search(t)
    if ext:
        t = t[:ext.start()]
    jp = _COUNTRY_JP.match(t)
    digits = _NOT_DIGIT.sub("", t[jp.end():] if jp else t)
    if jp and digits and not digits.startswith("0"):
        digits = "0" + digits
    return digits


# -------------------------------------------------------------------------------------------------- dates
def _era_spans() -> dict:
    """昭和 / 昭 / S → (era, first day, last day or None): the era table of tsunagu.core.wareki."""
    spans = {}
    for era in ERAS:
        spans |= dict.fromkeys((era.name, era.name[0], era.abbr), (era, era.start, era_end(era)))
    return spans


_ERA_SPANS = _era_spans()
_ERA_DATE = re.compile(r"(明治|大正|昭和|平成|令和|[明大昭平令]|[MTSHR]\.?)(元|[0-9]{1,2})(?:年|[./-])"
                       r"([0-9]{1,2})(?:月|[./-])([0-9]{1,2})日?", re.IGNORECASE)
_WESTERN_DATE = re.compile(r"([0-9]{4})(?:年|[./-])([0-9]{1,2})(?:月|[./-])([0-9]{1,2})日?|([0-9]{4})([0-9]{2})([0-9]{2})")
_BIRTH_SUFFIX = re.compile(r"(?:生まれ|生)$")
# A time of day after the date, as spreadsheets and ISO 8601 write it: 1980-03-01T00:00:00, 1980/3/1 0:00,
# 1980-03-01 00:00:00.000+09:00. The date is taken as written (a birth date has no time zone).
_TIME_OF_DAY = re.compile(r"(?:(?<=[0-9日])T|\s|(?<=[0-9日]))(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?"
                          r"\s*(?:Z|[+-][0-9]{2}:?[0-9]{2})?$", re.IGNORECASE)
_DATE_KNUM = re.compile("[〇零一二三四五六七八九十]+")  # 昭和五十五年三月一日, 二〇二五年


def _jp_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A date read from text, and a note for the user when reading it took an interpretation to check."""

    date: dt.date
    note: str = ""  # e.g. a date written in an era that had already ended (平成31年5月1日 → 令和元年5月1日)


def parse_date(s: str) -> dt.date:
    """昭和55年3月1日, 昭和五十五年三月一日, S55.3.1, s55/3/1, 平成元年1月8日, 1980-03-01, 1980-03-01T00:00:00,
    1980/3/1, 19800301 … → date.

    A date written in an era after that era ended (平成31年5月1日, 大正15年12月25日: forms printed before the
    change) is read on in the old era's count, up to wareki.OLD_ERA_GRACE_YEARS after the change;
    parse_date_noted gives the note to show the user. Raises ValueError with a Japanese message for
    unreadable text, impossible dates (2月30日) and dates outside their era (平成元年1月7日, 令和元年4月30日).
    """
    return parse_date_noted(s).date


def parse_date_noted(s: str) -> ParsedDate:
    """parse_date, with the note to show the user (empty when the text was unambiguous)."""
    if isinstance(s, dt.datetime):
        return ParsedDate(s.date())
    if isinstance(s, dt.date):
        return ParsedDate(s)
    return _parse_date_text(_as_str(s))


@lru_cache(maxsize=65_536)  # a register repeats birth dates; errors are not cached (they raise)
def _parse_date_text(s: str) -> ParsedDate:
    t = normalize(s)
    if ":" in t:
        t = _TIME_OF_DAY.sub("", t)
    t = _BIRTH_SUFFIX.sub("", _SPACES.sub("", t))
    if _DATE_KNUM.search(t):
        t = _DATE_KNUM.sub(lambda m: _kanji_number(m.group()), t)
    era_m = _ERA_DATE.fullmatch(t)
    west_m = None if era_m else _WESTERN_DATE.fullmatch(t)
    if era_m:
        label = era_m.group(1).rstrip(".")
        era, first, last = _ERA_SPANS[label.upper() if label.isascii() else label]
        n = 1 if era_m.group(2) == "元" else int(era_m.group(2))
        y, mo, d = era.start.year + n - 1, int(era_m.group(3)), int(era_m.group(4))
    elif west_m:
        y, mo, d = (int(g) for g in (west_m.groups()[:3] if west_m.group(1) else west_m.groups()[3:]))
    else:
        raise ValueError(f"日付 '{_as_str(s)}' を読めません（例: 昭和55年3月1日, S55.3.1, 1980-03-01）")
    try:
        date = dt.date(y, mo, d)
    except ValueError:
        raise ValueError(f"日付 '{s}' は存在しない日付です（{y}年{mo}月{d}日）") from None
    if not era_m:
        return ParsedDate(date)
    after_end = last is not None and date > last
    if n < 1 or date < first or (after_end and date.year > last.year + OLD_ERA_GRACE_YEARS):
        until = f"{_jp_date(last)}まで" if last else ""
        raise ValueError(f"日付 '{s}' は{era.name}の期間外です（{era.name}は{_jp_date(first)}から{until}）")
    return ParsedDate(date, old_era_note(_as_str(s).strip(), date) if after_end else "")



# A time of day for a date-time input: 14:30, 14時30分, 14時, 午後2時30分, 午後2:30 (after the date, T or a space).
_INPUT_TIME = re.compile(r"(?:T|\s)*(午前|午後)?\s*([0-9]{1,2})\s*(?::|時)\s*([0-9]{1,2})?\s*分?$")


@dataclass(frozen=True)
class ParsedDateTime:
    date: dt.date
    time: dt.time
    note: str = ""


def parse_datetime_noted(s: str) -> ParsedDateTime:
    """A date and a time of day as staff write them: 令和8年4月1日 14:30, R8.4.1 14:30, 2026-04-01T14:30,
    2026/4/1 午後2時30分 … The date part is read by parse_date (和暦 or 西暦); the time is required."""
    t = unicodedata.normalize("NFKC", _as_str(s)).strip()
    m = _INPUT_TIME.search(t)
    if not m or m.start() == 0:
        raise ValueError(f"日時 '{_as_str(s)}' を読めません。日付と時刻を入力してください（例: 令和8年4月1日 14:30）")
    hour, minute = int(m.group(2)), int(m.group(3) or 0)
    if m.group(1):
        if hour > 12:
            raise ValueError(f"日時 '{_as_str(s)}' の時刻が正しくありません（午前・午後は12時まで）")
        hour = hour % 12 + (12 if m.group(1) == "午後" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"日時 '{_as_str(s)}' の時刻が正しくありません（0:00〜23:59）")
    date = parse_date_noted(t[:m.start()])
    return ParsedDateTime(date.date, dt.time(hour, minute), date.note)

# ------------------------------------------------------------------------------------------------ address
PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 新潟県 富山県 "
    "石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 "
    "岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()
_KNUM = "〇零一壱二弐三参四五六七八九十拾百千"
_KDIGIT = str.maketrans("〇零一壱二弐三参四五六七八九", "00112233456789")
_KUNIT = {"十": 10, "拾": 10, "百": 100, "千": 1000}
_UNIT_AHEAD = r"(?=丁目|番地|番町|番丁|番|号|条|線|地割|[のノ之-][0-9" + _KNUM + "])"
_KNUM_BEFORE_UNIT = re.compile(f"[{_KNUM}]+{_UNIT_AHEAD}")
# A 丁目 number in kanji is written positionally (三, 十二, 二十三): a numeral before it that does not fit is the
# end of the town's name (前弥六三丁目 is 前弥六 3丁目, as 前弥六3丁目 says; not 前弥 63丁目).
_CHOME_KNUM = "(?:[二三四五六七八九弐参]?[十拾][一二三四五六七八九壱弐参]?|[一二三四五六七八九壱弐参])"
_KNUM_BEFORE_CHOME = re.compile(f"{_CHOME_KNUM}(?=丁目)")
_KNUM_AFTER_NUMBER = re.compile(f"(?<=[0-9])((?:丁目|番地|番|号|[のノ之-])+)([{_KNUM}]+)")
_HAS_KNUM = re.compile(f"[{_KNUM}]")
_KANJI_ONE_AS_DASH = re.compile("(?<=[0-9])一(?=[0-9])")
_UNIT = re.compile(r"(?<=[0-9])\s*(?:丁目|番地|番(?![町丁])|号(?![室棟館線]))")
_JOINER = re.compile(r"(?<=[0-9-])\s*[-のノ之]\s*(?=[0-9])")
_DASH_RUN = re.compile(r"-{2,}")
_POSTCODE = re.compile(r"^(?:〒\s*[0-9]{3}-?[0-9]{4}(?![0-9])|[0-9]{3}-[0-9]{4}(?=\s))\s*")
_HOUSE_NUMBER = re.compile(r"[0-9]+(?:-[0-9]+)*-?")
_PART_OF_TOWN = re.compile(r"条|線|号線|地割|町|丁|区|番町|番丁|軒|通")
_ROOM_AHEAD = re.compile(r"\s*(?:号室|室|階|[Ff](?![A-Za-z]))")
_AZA = re.compile("大字|(?<![十文数名赤黒苗漢国梵活題誤脱細太])字")  # 大字小島字東 → 小島東; 十文字 stays
_GA = re.compile(r"(?<=[\u3400-\u9fff々])(?:[ヶヵ]|[ケが](?=[\u3400-\u9fff]))")  # 三ヶ, 霞が関
_NO = re.compile(r"(?<=[\u3400-\u9fff々])[のノ之](?=[\u3400-\u9fff])")
_HAS_GA_NO = re.compile("[ヶヵケがのノ之]")


def _kanji_number(k: str) -> str:
    """二十三 → 23, 百五 → 105, 二〇三 → 203 (digits only, never a huge int)."""
    if not any(ch in _KUNIT for ch in k):
        return k.translate(_KDIGIT).lstrip("0") or "0"
    total = digit = 0
    for ch in k:
        if ch in _KUNIT:
            total += (digit or 1) * _KUNIT[ch]
            digit = 0
        else:
            digit = int(ch.translate(_KDIGIT))
    return str(total + digit)


@lru_cache(maxsize=64)
def _prefixes(drop_prefixes: tuple[str, ...]) -> re.Pattern:
    """One pattern for every leading prefix, repeated: 富山県射水市… → …"""
    keys = (_SPACES.sub("", fold_itaiji(normalize(p))) for p in (*drop_prefixes, *PREFECTURES))
    return re.compile("(?:" + "|".join(map(re.escape, sorted({k for k in keys if k}, key=len, reverse=True))) + ")+")


def _address_step(s: str, prefixes: re.Pattern) -> str:
    t = fold_itaiji(normalize(s))
    if t[:1] in "〒0123456789":
        t = _POSTCODE.sub("", t)
    if _HAS_KNUM.search(t):
        t = _KANJI_ONE_AS_DASH.sub("-", t)
        if "丁目" in t:
            t = _KNUM_BEFORE_CHOME.sub(lambda m: _kanji_number(m.group()), t)
        t = _KNUM_BEFORE_UNIT.sub(lambda m: _kanji_number(m.group()), t)
        for _ in range(4):  # 二十三番地の四 → 23番地の4 (each pass reaches one more number)
            t, n = _KNUM_AFTER_NUMBER.subn(lambda m: m.group(1) + _kanji_number(m.group(2)), t)
            if not n:
                break
    if "丁" in t or "番" in t or "号" in t:
        t = _UNIT.sub("-", t)
    if " " in t or "の" in t or "ノ" in t or "之" in t:  # otherwise _JOINER would only replace '-' by '-'
        t = _JOINER.sub("-", t)
    if "--" in t:
        t = _DASH_RUN.sub("-", t)
    town, parts = t, []
    for m in _HOUSE_NUMBER.finditer(t):
        if _PART_OF_TOWN.match(t, m.end()):  # 北1条, 3番町: part of the town name
            continue
        town, parts = t[:m.start()], [p.lstrip("0") or "0" for p in m.group().strip("-").split("-")]
        if len(parts) > 1 and _ROOM_AHEAD.match(t, m.end()):  # 1-2-3-201号室: the last number is a room
            parts.pop()
        parts = parts[:3]  # 丁目-番-号 at most; a 4th number is a room
        break
    town = "".join(town.split())
    if lead := prefixes.match(town):
        town = town[lead.end():]
    if "字" in town:
        town = _AZA.sub("", town)
    if _HAS_GA_NO.search(town):
        town = _NO.sub("ノ", _GA.sub("ケ", town))
    return (town + "-".join(parts)).rstrip("-")


# A key of this shape is already stable: a town without digits, spaces, 〒, ー, 字, ヶ/ケ/が, the characters of
# units and joiners (丁 番 号 条 線 地 の ノ 之 -), then up to three numbers. Every rule of _address_step leaves
# such a text as it is (given that it is NFKC-normalised and starts with no prefix; a kanji numeral in the town
# is converted only before a unit), so the confirming second round of _fixpoint can be skipped.
_STABLE_KEY = re.compile(r"[^0-9\s〒ー字ヶヵケが丁番号条線地のノ之-]+[0-9]+(?:-[0-9]+){0,2}")


# The common shapes: a town, up to three numbers joined by 丁目/番地/番/hyphens (the first may be a kanji numeral
# before 丁目), an optional last unit, then nothing or a building / room after a space or a non-number
# character (射水市小島2丁目5番10号, 富山県射水市二口６－５－１９, 桜町五丁目30番22号 ハイツ青葉103号室). For such a
# text every rule of _address_step comes down to folding the town, dropping the prefixes and joining the
# numbers, so that is done directly; tests/test_text.py checks that both ways give the same key.
_NOT_TOWN = "\\s0-9〒ー字ヶヵケが丁番号条線地のノ之-"
_SIMPLE_ADDRESS = re.compile(
    f"([^{_NOT_TOWN}]+?)(?:([0-9]+)|({_CHOME_KNUM})(?=丁目))"
    r"((?:(?:丁目|番地|番|-)[0-9]+){0,2})(?:丁目|番地|番(?![町丁])|号(?![室棟館線]))?"
    f"(?:$|\\s*(?=[^\\s0-9{_KNUM}ー\\-のノ之丁番号条線地町区軒通室階FfＦｆ]).*)", re.DOTALL)
_ADDRESS_NUMBER = re.compile("[0-9]+")


@lru_cache(maxsize=100_000)  # a city has a few hundred towns, written a few ways each
def _simple_town(town: str, prefixes: re.Pattern) -> str:
    if lead := prefixes.match(town):
        town = town[lead.end():]
    return town


def _simple_address(s: str, prefixes: re.Pattern) -> str | None:
    t = fold_itaiji(normalize(s))  # as _address_step begins (a folded character may be a numeral or 条)
    m = _SIMPLE_ADDRESS.fullmatch(t)
    if m is None:
        return None
    if m.group(3) and _KNUM_BEFORE_CHOME.search(t).start() != m.start(3):
        return None  # the full rules read the leftmost 丁目 numeral (八十三丁目 is 83丁目 with no town)
    town = _simple_town(m.group(1), prefixes)
    if not town:
        return None
    first = m.group(2) or _kanji_number(m.group(3))
    numbers = [first, *_ADDRESS_NUMBER.findall(m.group(4))]
    return town + "-".join(n.lstrip("0") or "0" for n in numbers)


def address_key(s: str | None, *, drop_prefixes: tuple[str, ...] = ()) -> str:
    """Town name + house number: '富山県射水市小島一丁目2番3号 コーポ山田201号室' → '小島1-2-3' (with the
    prefixes ('射水市',) dropped). Prefectures, 大字/字, buildings and rooms are dropped; 丁目/番地/番/号/の → '-'.
    """
    prefixes = _prefixes(tuple(drop_prefixes))
    s = _as_str(s)
    out = _simple_address(s, prefixes)
    if out is not None:  # a town (folded, no prefix) and numbers: already a stable key
        return out
    out = _address_step(s, prefixes)
    if (_STABLE_KEY.fullmatch(out) and unicodedata.is_normalized("NFKC", out) and not prefixes.match(out)
            and not _INVISIBLE.search(out)):
        return out
    return _fixpoint(lambda t: _address_step(t, prefixes), out)
