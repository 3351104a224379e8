"""Synthetic Japanese person records with realistic noise and known truth (名寄せ benchmark data).

Persons live in households (shared surname, address and often a landline; twins share a birth date).
Some persons are recorded again at other windows; every extra record is written differently:
異体字 (髙橋/高橋, 山﨑/山崎, 渡邊/渡邉/渡辺, 齋藤/斎藤 …), readings in katakana, hiragana or half-width
kana, 和暦 or western dates in many formats, addresses as 一丁目2番3号 / 1-2-3 / １－２－３ with or without
the prefecture, city and building, phone numbers with or without hyphens, typos, missing fields, a new
surname after marriage and moves. Deterministic for a given seed. Pure Python.

Every kind of noise and its rate is a field of `Noise`, and the name and town lists are a `Names`, so that the
benchmark runs a grid (bench/namayose/grid.py) instead of the one generator the matcher was designed on:
`Generator(seed, noise=Noise(move=0.35), names=DESIGN)`. DESIGN (the lists below) is what the matcher was
written against; `dataset_names()` and `faker_names()` are lists nobody looked at while designing it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import unicodedata
from dataclasses import dataclass, field

# (kanji, reading, weight) — the most common surnames (weights roughly proportional to real frequency)
COMMON_SURNAMES = [
    ("佐藤", "サトウ", 187), ("鈴木", "スズキ", 179), ("高橋", "タカハシ", 141), ("田中", "タナカ", 133),
    ("伊藤", "イトウ", 108), ("渡辺", "ワタナベ", 107), ("山本", "ヤマモト", 107), ("中村", "ナカムラ", 104),
    ("小林", "コバヤシ", 101), ("加藤", "カトウ", 89), ("吉田", "ヨシダ", 84), ("山田", "ヤマダ", 81),
    ("佐々木", "ササキ", 67), ("山口", "ヤマグチ", 64), ("松本", "マツモト", 62), ("井上", "イノウエ", 61),
    ("木村", "キムラ", 57), ("林", "ハヤシ", 54), ("斎藤", "サイトウ", 53), ("清水", "シミズ", 52),
    ("山崎", "ヤマザキ", 48), ("森", "モリ", 46), ("池田", "イケダ", 43), ("橋本", "ハシモト", 43),
    ("阿部", "アベ", 43), ("石川", "イシカワ", 42), ("山下", "ヤマシタ", 41), ("中島", "ナカジマ", 40),
    ("石井", "イシイ", 39), ("小川", "オガワ", 39), ("前田", "マエダ", 38), ("岡田", "オカダ", 38),
    ("長谷川", "ハセガワ", 37), ("藤田", "フジタ", 37), ("後藤", "ゴトウ", 36), ("近藤", "コンドウ", 35),
    ("村上", "ムラカミ", 34), ("遠藤", "エンドウ", 33), ("青木", "アオキ", 32), ("坂本", "サカモト", 31),
    ("斉藤", "サイトウ", 30), ("福田", "フクダ", 30), ("太田", "オオタ", 29), ("西村", "ニシムラ", 29),
    ("藤井", "フジイ", 28), ("金子", "カネコ", 28), ("岡本", "オカモト", 28), ("藤原", "フジワラ", 28),
    ("中野", "ナカノ", 27), ("三浦", "ミウラ", 27), ("原田", "ハラダ", 27), ("松田", "マツダ", 27),
    ("竹内", "タケウチ", 26), ("中川", "ナカガワ", 26), ("小野", "オノ", 26), ("田村", "タムラ", 25),
    ("和田", "ワダ", 25), ("石田", "イシダ", 24), ("上田", "ウエダ", 24), ("森田", "モリタ", 24),
    ("柴田", "シバタ", 23), ("酒井", "サカイ", 23), ("工藤", "クドウ", 23), ("横山", "ヨコヤマ", 23),
    ("宮崎", "ミヤザキ", 22), ("宮本", "ミヤモト", 22), ("内田", "ウチダ", 22), ("高木", "タカギ", 22),
    ("安藤", "アンドウ", 21), ("島田", "シマダ", 21), ("谷口", "タニグチ", 21), ("大野", "オオノ", 21),
    ("高田", "タカダ", 21), ("丸山", "マルヤマ", 20), ("今井", "イマイ", 20), ("河野", "コウノ", 20),
    ("藤本", "フジモト", 20), ("村田", "ムラタ", 19), ("武田", "タケダ", 19), ("上野", "ウエノ", 19),
    ("杉山", "スギヤマ", 19), ("増田", "マスダ", 19), ("小山", "コヤマ", 18), ("大塚", "オオツカ", 18),
    ("平野", "ヒラノ", 18), ("菅原", "スガワラ", 18), ("久保", "クボ", 18), ("松井", "マツイ", 18),
    ("千葉", "チバ", 17), ("岩崎", "イワサキ", 17), ("桜井", "サクライ", 17), ("木下", "キノシタ", 17),
    ("野口", "ノグチ", 17), ("松尾", "マツオ", 16), ("菊地", "キクチ", 16), ("野村", "ノムラ", 16),
    ("新井", "アライ", 16), ("渡部", "ワタナベ", 16), ("伊東", "イトウ", 10), ("中嶋", "ナカジマ", 8),
]
_PRE = [("大", "オオ"), ("小", "コ"), ("中", "ナカ"), ("上", "カミ"), ("下", "シモ"), ("北", "キタ"), ("南", "ミナミ"),
        ("東", "ヒガシ"), ("西", "ニシ"), ("石", "イシ"), ("岩", "イワ"), ("松", "マツ"), ("竹", "タケ"), ("梅", "ウメ"),
        ("川", "カワ"), ("山", "ヤマ"), ("森", "モリ"), ("高", "タカ"), ("長", "ナガ"), ("宮", "ミヤ"), ("金", "カネ"),
        ("水", "ミズ"), ("吉", "ヨシ"), ("福", "フク"), ("藤", "フジ"), ("浜", "ハマ"), ("黒", "クロ"), ("白", "シラ"),
        ("青", "アオ"), ("赤", "アカ"), ("今", "イマ"), ("古", "フル"), ("新", "ニイ"), ("横", "ヨコ"), ("桜", "サクラ")]
_SUF = [("田", "タ"), ("川", "カワ"), ("山", "ヤマ"), ("野", "ノ"), ("村", "ムラ"), ("本", "モト"), ("井", "イ"),
        ("島", "シマ"), ("原", "ハラ"), ("沢", "サワ"), ("谷", "タニ"), ("口", "グチ"), ("崎", "サキ"), ("岡", "オカ"),
        ("部", "ベ"), ("橋", "ハシ"), ("内", "ウチ"), ("尾", "オ"), ("瀬", "セ"), ("浦", "ウラ"), ("坂", "サカ"),
        ("林", "バヤシ"), ("松", "マツ"), ("宮", "ミヤ"), ("辺", "ベ")]
TAIL_SURNAMES = [(p + s, pr + sr, 2) for p, pr in _PRE for s, sr in _SUF if p != s]

MALE = [("太郎", "タロウ"), ("一郎", "イチロウ"), ("健", "ケン"), ("大輔", "ダイスケ"), ("誠", "マコト"), ("浩", "ヒロシ"),
        ("博", "ヒロシ"), ("翔", "ショウ"), ("蓮", "レン"), ("大翔", "ヒロト"), ("悠真", "ユウマ"), ("拓也", "タクヤ"),
        ("健太", "ケンタ"), ("和也", "カズヤ"), ("直樹", "ナオキ"), ("隆", "タカシ"), ("修", "オサム"), ("茂", "シゲル"),
        ("勇", "イサム"), ("清", "キヨシ"), ("正", "タダシ"), ("進", "ススム"), ("明", "アキラ"), ("剛", "ツヨシ"),
        ("哲也", "テツヤ"), ("達也", "タツヤ"), ("雄一", "ユウイチ"), ("健一", "ケンイチ"), ("正人", "マサト"),
        ("陽太", "ヨウタ"), ("湊", "ミナト"), ("樹", "イツキ"), ("悠斗", "ユウト"), ("颯太", "ソウタ"), ("陸", "リク"),
        ("翔太", "ショウタ"), ("大樹", "ダイキ"), ("亮", "リョウ"), ("俊介", "シュンスケ"), ("一朗", "イチロウ"),
        ("幸雄", "ユキオ"), ("義男", "ヨシオ"), ("昭", "アキラ"), ("勝", "マサル"), ("実", "ミノル"), ("稔", "ミノル"),
        ("弘", "ヒロシ"), ("和夫", "カズオ"), ("秀樹", "ヒデキ"), ("康弘", "ヤスヒロ"), ("龍之介", "リュウノスケ")]
FEMALE = [("花子", "ハナコ"), ("恵", "メグミ"), ("裕子", "ユウコ"), ("祐子", "ユウコ"), ("陽子", "ヨウコ"),
          ("和子", "カズコ"), ("幸子", "サチコ"), ("洋子", "ヨウコ"), ("美穂", "ミホ"), ("愛", "アイ"), ("陽菜", "ヒナ"),
          ("結衣", "ユイ"), ("さくら", "サクラ"), ("美咲", "ミサキ"), ("葵", "アオイ"), ("凛", "リン"), ("芽依", "メイ"),
          ("結菜", "ユイナ"), ("真由美", "マユミ"), ("由美子", "ユミコ"), ("久美子", "クミコ"), ("智子", "トモコ"),
          ("典子", "ノリコ"), ("直美", "ナオミ"), ("明美", "アケミ"), ("京子", "キョウコ"), ("順子", "ジュンコ"),
          ("節子", "セツコ"), ("文子", "フミコ"), ("千代", "チヨ"), ("キヨ", "キヨ"), ("ハル", "ハル"), ("美香", "ミカ"),
          ("麻衣", "マイ"), ("彩", "アヤ"), ("舞", "マイ"), ("沙織", "サオリ"), ("香織", "カオリ"), ("瞳", "ヒトミ"),
          ("絵美", "エミ"), ("優子", "ユウコ"), ("美奈子", "ミナコ"), ("莉子", "リコ"), ("杏", "アン"), ("紬", "ツムギ"),
          ("澪", "ミオ"), ("心春", "コハル"), ("千尋", "チヒロ"), ("朋美", "トモミ"), ("加奈子", "カナコ")]

GIVEN_WEIGHTS = [1 / (i + 4) for i in range(100)]  # a mild head: no given name is more than ~5 %

# 異体字 written at some windows (the registered form may be either)
VARIANTS = {"高": "髙", "崎": "﨑", "辺": "邊邉", "斎": "齋齊", "島": "嶋", "沢": "澤", "浜": "濱", "桜": "櫻",
            "国": "國", "広": "廣", "竜": "龍", "富": "冨", "吉": "𠮷", "恵": "惠", "条": "條"}
# typos of kanji in given names (a different, similar-looking or same-sounding character)
KANJI_TYPO = {"一": "壱", "郎": "朗", "朗": "郎", "裕": "祐", "祐": "裕", "子": "了", "美": "実", "和": "知",
              "浩": "造", "博": "愽", "健": "建", "太": "大", "大": "太", "樹": "権", "介": "助", "也": "成"}
KANA_TYPO = [("ウ", ""), ("イ", ""), ("ッ", ""), ("ジ", "ヂ"), ("ズ", "ヅ"), ("オウ", "オー"), ("シ", "ジ"),
             ("タ", "ダ"), ("カ", "ガ"), ("ハ", "バ"), ("コ", "ゴ"), ("キ", "ギ"), ("ユウ", "ユ"), ("ヨウ", "ヨ")]

PREFECTURE, CITY = "富山県", "射水市"
TOWNS = ["小島", "中太閤山", "太閤山", "本町", "三ケ", "戸破", "大門", "二口", "放生津町", "八幡町", "港町", "庄西町",
         "久々湊", "海老江", "七美", "大島北野", "小杉", "黒河", "橋下条", "下若", "青井谷", "串田", "水戸田", "鷲塚",
         "作道", "日宮", "白石", "三箇", "赤井", "北野", "南太閤山", "西新湊", "東明", "善光寺", "中央町", "寺塚原",
         "大江", "土合", "布目", "堀内", "加茂", "高木", "川口", "朴木", "島", "新開発", "坂東", "棚田", "片口", "沖塚原",
         "有磯", "流通センター", "若葉町", "南新町", "中新湊", "桜町", "東町", "西町", "北町", "松木"]
BUILDINGS = ["コーポ山田", "ハイツ青葉", "メゾン太閤", "レオパレス小杉", "サンハイツ", "グランドール射水",
             "アーバン新湊", "パークサイド大門", "シャトー海王", "フォレスト七美"]
ZEN = str.maketrans("0123456789-", "０１２３４５６７８９－")
KANJI_NUM = "〇一二三四五六七八九"
ERAS = [(dt.date(2019, 5, 1), "令和", "R"), (dt.date(1989, 1, 8), "平成", "H"), (dt.date(1926, 12, 25), "昭和", "S")]


_HALF = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}


def _kanji_number(n: int) -> str:
    if n < 10:
        return KANJI_NUM[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else KANJI_NUM[tens]) + "十" + (KANJI_NUM[ones] if ones else "")


@dataclass(frozen=True)
class Noise:
    """What happens to a person's records, and how often (rates are probabilities)."""

    dup_rate: float = 0.35  # persons recorded again (1–3 more records)
    noisy_first: float = 0.5  # first records written with noise like the later ones
    move: float = 0.12  # a later record after a move (new address; maybe a new phone)
    move_new_phone: float = 0.6
    marriage: float = 0.08  # a woman aged 20–60 recorded again under a new surname
    marriage_move: float = 0.6
    variant_kanji: float = 0.3  # 異体字 in the surname
    kanji_typo: float = 0.03  # a similar-looking or same-sounding kanji in the given name
    kana_typo: float = 0.05  # a soft slip in the reading (a dropped ウ/イ/ッ, voicing, ユウ→ユ)
    kana_missing: float = 0.10
    birth_missing: float = 0.04
    address_missing: float = 0.05
    phone_missing: float = 0.20
    sex_missing: float = 0.30
    birth_typo: float = 0.02  # one digit off by one, or month and day swapped
    address_typo: float = 0.02
    phone_typo: float = 0.01
    twins: float = 0.03  # households with twins
    # kinds of noise the design data did not have (an independent generator had them: issue 16)
    birth_far: float = 0.0  # another day of the month, or another month
    kana_dropped: float = 0.0  # any kana dropped or misheard
    given_kanji_dropped: float = 0.0  # one kanji of a two- or three-kanji given name left out


@dataclass(frozen=True)
class Names:
    """Name and town lists: surnames (kanji, reading, weight), given names (kanji, reading) by sex with
    weights, towns of the city, building names, the city and prefecture written before the town."""

    label: str
    surnames: list
    male: list
    female: list
    male_weights: list = field(default_factory=list)
    female_weights: list = field(default_factory=list)
    towns: list = field(default_factory=lambda: TOWNS)
    buildings: list = field(default_factory=lambda: BUILDINGS)


@dataclass
class Person:
    entity: int
    household: int
    surname: tuple[str, str]
    given: tuple[str, str]
    sex: str
    birth: dt.date
    home: tuple[str, int, int, int, str | None, int | None]  # town, chome, ban, go, building, room
    phone: str


@dataclass
class Record:
    rid: int
    entity: int
    name: str
    kana: str
    birth: str
    address: str
    phone: str
    sex: str


class Generator:
    def __init__(self, seed: int = 1, *, noise: Noise | None = None, names: Names | None = None):
        self.r = random.Random(seed)
        self.noise = noise or Noise()
        self.names = names or DESIGN
        surnames = self.names.surnames
        self.surnames = [(k, y) for k, y, _ in surnames]
        self.surname_cum = list(itertools.accumulate(w for *_, w in surnames))
        self.given = {"male": self.names.male, "female": self.names.female}
        self.given_cum = {sex: list(itertools.accumulate(weights or GIVEN_WEIGHTS[:len(self.given[sex])]))
                          for sex, weights in (("male", self.names.male_weights),
                                               ("female", self.names.female_weights))}
        self.used_homes: set = set()

    def _surname(self):
        return self.r.choices(self.surnames, cum_weights=self.surname_cum)[0]

    def _given(self, sex):
        return self.r.choices(self.given[sex], cum_weights=self.given_cum[sex])[0]

    def _home(self):
        r = self.r
        while True:
            towns = self.names.towns
            if r.random() < 0.15:
                home = (r.choice(towns), r.randint(1, 6), r.randint(1, 40), r.randint(1, 30),
                        r.choice(self.names.buildings), r.choice([101, 102, 103, 201, 202, 203, 301, 302, 303]))
                key = home
            else:
                home = (r.choice(towns), r.randint(1, 6), r.randint(1, 40), r.randint(1, 30), None, None)
                key = home
            if key not in self.used_homes:
                self.used_homes.add(key)
                return home

    def _phone(self, mobile: bool):
        r = self.r
        if mobile:
            return f"{r.choice(['090', '080', '070'])}-{r.randint(0, 9999):04}-{r.randint(0, 9999):04}"
        return f"0766-{r.randint(10, 99)}-{r.randint(0, 9999):04}"

    def _birth(self, lo: int, hi: int):
        return dt.date(lo, 1, 1) + dt.timedelta(days=self.r.randint(0, (dt.date(hi, 12, 31) - dt.date(lo, 1, 1)).days))

    def households(self, n_persons: int):
        """Persons grouped in households until n_persons exist."""
        r = self.r
        persons: list[Person] = []
        hh = 0
        while len(persons) < n_persons:
            hh += 1
            surname = self._surname()
            home = self._home()
            landline = self._phone(False) if r.random() < 0.6 else None
            size = r.choices([1, 2, 3, 4, 5], [30, 30, 18, 15, 7])[0]
            head_sex = r.choice(["male", "female"])
            head_birth = self._birth(1935, 2000)
            members = [(head_sex, head_birth)]
            if size >= 2:
                members.append(("female" if head_sex == "male" else "male",
                                head_birth + dt.timedelta(days=r.randint(-2000, 2000))))
            kid_year_base = head_birth.year + r.randint(22, 38)
            twins_birth = None
            for _ in range(size - 2):
                if twins_birth is None and r.random() < self.noise.twins:
                    twins_birth = self._birth(min(kid_year_base, 2023), min(kid_year_base, 2023))
                    members += [(r.choice(["male", "female"]), twins_birth)] * 1
                    members.append((r.choice(["male", "female"]), twins_birth))
                else:
                    y = min(kid_year_base + r.randint(0, 8), 2024)
                    members.append((r.choice(["male", "female"]), self._birth(y, y)))
            given_used = set()
            for sex, birth in members[:max(size, 1) + (1 if twins_birth else 0)]:
                given = self._given(sex)
                for _ in range(5):
                    if given[1] not in given_used:
                        break
                    given = self._given(sex)
                given_used.add(given[1])
                phone = landline if landline and r.random() < 0.8 else self._phone(True)
                persons.append(Person(len(persons) + 1, hh, surname, given, sex, birth, home, phone))
        return persons[:n_persons]

    # ------------------------------------------------------------------------------------------ rendering
    def _variant_kanji(self, s: str) -> str:
        return "".join(self.r.choice(VARIANTS[c]) if c in VARIANTS and self.r.random() < 0.5 else c for c in s)

    def _name(self, surname: str, given: str, noisy: bool) -> str:
        r, noise = self.r, self.noise
        if noisy and r.random() < noise.variant_kanji:
            surname = self._variant_kanji(surname)
        if noisy and r.random() < noise.kanji_typo:
            i = r.randrange(len(given))
            if given[i] in KANJI_TYPO:
                given = given[:i] + KANJI_TYPO[given[i]] + given[i + 1:]
        if noisy and noise.given_kanji_dropped and len(given) >= 2 and r.random() < noise.given_kanji_dropped:
            i = r.randrange(len(given))
            given = given[:i] + given[i + 1:]
        sep = r.choices(["　", " ", ""], [50, 35, 15])[0]
        return surname + sep + given

    def _kana(self, sk: str, gk: str, noisy: bool) -> str:
        r, noise = self.r, self.noise
        if noisy and noise.kana_dropped and r.random() < noise.kana_dropped:  # any kana dropped or misheard
            target = r.choice([0, 1])
            part = [sk, gk][target]
            i = r.randrange(len(part))
            part = part[:i] + ("" if r.random() < 0.5 or len(part) < 3 else r.choice(_PLAIN_KANA)) + part[i + 1:]
            sk, gk = (part, gk) if target == 0 else (sk, part)
        if noisy and r.random() < noise.kana_typo:  # misheard / mistyped reading
            target = r.choice([0, 1])
            part = [sk, gk][target]
            options = [(a, b) for a, b in KANA_TYPO if a in part]
            if options:
                a, b = r.choice(options)
                part = part.replace(a, b, 1)
                sk, gk = (part, gk) if target == 0 else (sk, part)
        text = sk + r.choices(["　", " ", ""], [40, 40, 20])[0] + gk
        form = r.choices(["kata", "hira", "half"], [55, 30, 15])[0] if noisy else "kata"
        if form == "hira":
            text = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)
        elif form == "half":
            half = _HALF
            out = []
            for c in text:
                if c in half:
                    out.append(half[c])
                else:
                    d = unicodedata.normalize("NFD", c)
                    if len(d) == 2 and d[0] in half:
                        out.append(half[d[0]] + ("ﾞ" if d[1] == "\u3099" else "ﾟ"))
                    else:
                        out.append(" " if c == "　" else c)
            text = "".join(out)
        return text

    def _birth_text(self, d: dt.date, noisy: bool) -> str:
        r, noise = self.r, self.noise
        if noisy and noise.birth_far and r.random() < noise.birth_far:  # another day, or another month
            if r.random() < 0.5:
                d = d.replace(day=r.choice([x for x in range(1, 29) if x != d.day]))
            elif d.day <= 28:
                d = d.replace(month=r.choice([x for x in range(1, 13) if x != d.month]))
        if noisy and r.random() < noise.birth_typo:  # a wrong digit or month and day swapped
            if r.random() < 0.5 and d.day <= 12 and d.day != d.month:
                d = d.replace(month=d.day, day=d.month)
            else:
                day = d.day + r.choice([-10, 10, -1, 1])
                if 1 <= day <= 28:
                    d = d.replace(day=day)
        fmt = r.choices(["wareki", "wareki_abbr", "iso", "slash", "compact"], [30, 15, 30, 15, 10])[0] if noisy else "iso"
        if fmt.startswith("wareki"):
            start, name, abbr = next(e for e in ERAS if d >= e[0])
            n = d.year - start.year + 1
            if fmt == "wareki":
                return f"{name}{'元' if n == 1 else n}年{d.month}月{d.day}日"
            return f"{abbr}{n}.{d.month}.{d.day}"
        if fmt == "iso":
            return d.isoformat()
        if fmt == "slash":
            return f"{d.year}/{d.month}/{d.day}"
        return d.strftime("%Y%m%d")

    def _address(self, home, noisy: bool) -> str:
        r = self.r
        town, chome, ban, go, building, room = home
        if noisy and r.random() < self.noise.address_typo:
            go = go + 1
        style = r.choices(["kanji", "dash", "zen", "mixed"], [30, 35, 15, 20])[0] if noisy else "dash"
        if style == "kanji":
            num = f"{_kanji_number(chome)}丁目{ban}番{go}号"
        elif style == "dash":
            num = f"{chome}-{ban}-{go}"
        elif style == "zen":
            num = f"{chome}-{ban}-{go}".translate(ZEN)
        else:
            num = f"{chome}丁目{ban}-{go}"
        head = (PREFECTURE if r.random() < 0.4 else "") + (CITY if r.random() < 0.9 else "")
        tail = ""
        if building and (not noisy or r.random() < 0.7):
            tail = r.choice([" ", "　", ""]) + building + (f"{room}号室" if r.random() < 0.5 else f" {room}")
        return head + town + num + tail

    def _phone_text(self, phone: str, noisy: bool) -> str:
        r = self.r
        if noisy and r.random() < self.noise.phone_typo:
            i = r.choice([k for k, c in enumerate(phone) if c.isdigit()][3:])
            phone = phone[:i] + str((int(phone[i]) + 1) % 10) + phone[i + 1:]
        style = r.choices(["hyphen", "plain", "zen", "paren"], [50, 30, 10, 10])[0] if noisy else "hyphen"
        if style == "plain":
            return phone.replace("-", "")
        if style == "zen":
            return phone.translate(ZEN)
        if style == "paren":
            a, b, c = phone.split("-")
            return f"{a}({b}){c}"
        return phone

    def render(self, p: Person, rid: int, *, noisy: bool, life: dict) -> Record:
        r = self.r
        surname = life.get("surname", p.surname)
        home = life.get("home", p.home)
        phone = life.get("phone", p.phone)
        noise = self.noise
        name = self._name(surname[0], p.given[0], noisy)
        kana = "" if noisy and r.random() < noise.kana_missing else self._kana(surname[1], p.given[1], noisy)
        birth = "" if noisy and r.random() < noise.birth_missing else self._birth_text(p.birth, noisy)
        address = "" if noisy and r.random() < noise.address_missing else self._address(home, noisy)
        phone_t = "" if noisy and r.random() < noise.phone_missing else self._phone_text(phone, noisy)
        sex = p.sex if r.random() >= noise.sex_missing else ""
        return Record(rid, p.entity, name, kana, birth, address, phone_t, sex)

    def records(self, n_records: int) -> list[Record]:
        """About n_records records of n_records / (1 + ~1.5·dup_rate) persons; truth in Record.entity."""
        r, noise = self.r, self.noise
        dup_rate = noise.dup_rate
        n_persons = int(n_records / (1 + dup_rate * 1.5))
        persons = self.households(n_persons)
        out: list[Record] = []
        for p in persons:
            out.append(self.render(p, len(out) + 1, noisy=r.random() < noise.noisy_first, life={}))
            if r.random() < dup_rate:
                for _ in range(r.choices([1, 2, 3], [65, 25, 10])[0]):
                    life = {}
                    age = 2025 - p.birth.year
                    if p.sex == "female" and 20 <= age <= 60 and r.random() < noise.marriage:  # married since
                        life["surname"] = self._surname()
                        if r.random() < noise.marriage_move:
                            life["home"], life["phone"] = self._home(), self._phone(True)
                    elif r.random() < noise.move:  # moved
                        life["home"] = self._home()
                        if r.random() < noise.move_new_phone:
                            life["phone"] = self._phone(r.random() < 0.7)
                    out.append(self.render(p, len(out) + 1, noisy=True, life=life))
        r.shuffle(out)
        return out[:n_records]


_PLAIN_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"

DESIGN = Names("design", COMMON_SURNAMES + TAIL_SURNAMES, MALE, FEMALE)


def namesake_heavy(n_surnames: int = 12, n_given: int = 12) -> Names:
    """The design lists cut to their most common entries: many people share a full name (and some a birthday)."""
    return Names(f"design, {n_surnames} surnames and {n_given} given names per sex", COMMON_SURNAMES[:n_surnames],
                 MALE[:n_given], FEMALE[:n_given])


def _katakana(s: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in s)


def dataset_names() -> Names:
    """Surnames with their counts in Japan and popular given names (every kanji spelling of each reading) of the
    japanese-personal-name-dataset package (MIT); towns and buildings of Faker's ja_JP locale (MIT). Neither
    list was looked at while the matcher was written. Given names have no counts: a Zipf-like weight over a
    fixed shuffle; each spelling of a reading is a name of its own (あきお: 明男, 昭夫 …)."""
    from faker import Faker
    from japanese_personal_name_dataset import load_dataset

    men, women, last = load_dataset(kind="opti", include_last_names=True)
    surnames = [(k, _katakana(v["reading"]), max(1, v["count"] // 1000)) for k, v in last.items() if v["reading"]]

    def given(table):
        out = [(kanji, _katakana(reading)) for reading, v in table.items() for kanji in v["kanji"][:4]]
        random.Random(16).shuffle(out)
        return out, [1 / (i + 10) for i in range(len(out))]

    male, male_w = given(men)
    female, female_w = given(women)
    address = Faker("ja_JP").provider("faker.providers.address")
    return Names("japanese-personal-name-dataset 0.4.0 (opti) + Faker ja_JP towns", surnames, male, female, male_w,
                 female_w, list(dict.fromkeys(address.towns)), [b + "射水" for b in address.building_names])


def faker_names() -> Names:
    """Faker's ja_JP names (50 surnames with their counts, 30 male and 21 female given names) and towns."""
    from faker import Faker

    person = Faker("ja_JP").provider("faker.providers.person")
    address = Faker("ja_JP").provider("faker.providers.address")
    surnames = [(k, kana, max(1, int(w) // 1000)) for (k, kana, _), w in person.last_name_pairs.items()]
    male = [(k, kana) for k, kana, _ in person.first_name_male_pairs]
    female = [(k, kana) for k, kana, _ in person.first_name_female_pairs]
    return Names("Faker ja_JP names and towns", surnames, male, female, towns=list(dict.fromkeys(address.towns)),
                 buildings=[b + "射水" for b in address.building_names])


def true_pairs(records: list[Record]) -> set[tuple[int, int]]:
    by_entity: dict[int, list[int]] = {}
    for rec in records:
        by_entity.setdefault(rec.entity, []).append(rec.rid)
    pairs = set()
    for ids in by_entity.values():
        ids.sort()
        pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1:])
    return pairs


if __name__ == "__main__":
    import sys

    for rec in Generator(int(sys.argv[2]) if len(sys.argv) > 2 else 1).records(int(sys.argv[1]) if len(sys.argv) > 1
                                                                                else 20):
        print(rec)
