"""What each kind of ledger holds: its columns (with the Japanese headers cities use), how a row is read and
checked, and how it is written — through the domain services where they exist (intake, participation), else
through a bulk path here that enforces the same rules (people.services' checks for persons; places)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from tsunagu.core import text
from tsunagu.core.wareki import JST
from tsunagu.directory.models import Agency, District, Staff
from tsunagu.privacy.audit import log_action
from tsunagu.privacy.models import STATUTORY_BASES


class CellError(ValueError):
    """A problem in one cell: the message (Japanese) says what is wrong; the runner adds the row and column."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


SEX = {"男": "male", "男性": "male", "M": "male", "女": "female", "女性": "female", "F": "female",
       "その他": "other", "不明": "unknown"}
URGENCY = {"高": "high", "中": "normal", "低": "low", "": "normal", "high": "high", "normal": "normal", "low": "low"}
_SPLIT = re.compile(r"[、,，・/／;；\s]+")


def split_list(value: str) -> list[str]:
    return [v for v in _SPLIT.split(str(value or "").strip()) if v]


class Context:
    """What a run knows: the municipality, who runs it, and the directory looked up once."""

    def __init__(self, actor, municipality):
        self.actor, self.municipality = actor, municipality
        agencies = list(Agency.objects.for_municipality(municipality).filter(active=True))
        self.agencies = {a.name: a for a in agencies} | {a.code: a for a in agencies}
        self.districts = {d.name: d for d in District.objects.for_municipality(municipality)} | {
            d.code: d for d in District.objects.for_municipality(municipality)}
        self.staff: dict[tuple[int, str], Staff] = {}
        for s in Staff.objects.filter(municipality=municipality, is_active=True, agency__isnull=False):
            for label in {s.username, s.display_name, "".join((s.display_name or "").split())} - {""}:
                self.staff[(s.agency_id, label)] = s
        self.persons: dict[tuple, object] = {}  # persons made in this run, for later rows about the same person
        self.households: dict[tuple, object] = {}
        self.new_rows: list[tuple[str, str, object]] = []  # (kind, source key, record) to remember with the row

    def agency(self, field: str, value: str, label: str) -> Agency:
        agency = self.agencies.get(str(value).strip()) or self.agencies.get("".join(str(value).split()))
        if agency is None:
            raise CellError(field, f"{label}「{value}」はこの自治体の機関にありません（機関の名称かコードを書いてください）")
        return agency

    def worker(self, field: str, agency: Agency, value: str) -> Staff:
        staff = self.staff.get((agency.pk, str(value).strip())) or self.staff.get((agency.pk, "".join(str(value).split())))
        if staff is None:
            raise CellError(field, f"担当者「{value}」は{agency.name}の職員にいません（氏名かログイン名を書いてください）")
        return staff


def _date(field: str, value, label: str, *, required: bool = False) -> dt.date | None:
    if value in ("", None):
        if required:
            raise CellError(field, f"{label}が空です")
        return None
    try:
        return text.parse_date(value)
    except ValueError as exc:
        raise CellError(field, str(exc)) from None


def _choice(field: str, value: str, allowed, label: str) -> str:
    if value not in allowed:
        raise CellError(field, f"{label}「{value}」は選べません（{'・'.join(allowed)}）")
    return value


def _int(field: str, value, label: str) -> int | None:
    if value in ("", None):
        return None
    try:
        n = int(text.normalize(str(value)).replace(",", "").replace("円", "").replace("人", "").strip())
    except ValueError:
        raise CellError(field, f"{label}「{value}」は数字ではありません") from None
    if n < 0:
        raise CellError(field, f"{label}は0以上にしてください")
    return n


def source_key(kind: str, *parts) -> str:
    joined = "\x1f".join([kind, *(text.normalize(str(p or "")) for p in parts)])
    return hashlib.sha256(joined.encode()).hexdigest()


def consultation_key(agency: Agency, ledger_no: str, received: dt.date, name: str, complaint: str) -> str:
    if ledger_no:
        return source_key("consultations", agency.code, ledger_no)
    return source_key("consultations", agency.code, received.isoformat(), text.name_key(name), complaint)


class Kind:
    name = ""
    label = ""
    fields: tuple[Field, ...] = ()
    makes_persons = False

    def read(self, ctx: Context, cells: dict, errors: list) -> dict:
        """The row's values, checked; each problem is appended to `errors` as a CellError."""
        raise NotImplementedError

    def key(self, values: dict) -> str:
        raise NotImplementedError

    def write(self, ctx: Context, values: dict):
        """Write the row; returns the record made. Raises a DomainError / PermissionDenied for the row."""
        raise NotImplementedError


def _collect(errors: list, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except CellError as exc:
        errors.append(exc)
        return None


PERSON_FIELDS = (
    Field("name", "氏名", ("本人氏名", "名前", "本人・氏名", "相談者氏名（本人）"), required=True),
    Field("kana", "フリガナ", ("ふりがな", "カナ", "氏名カナ")),
    Field("birth_date", "生年月日", ("生年月日（和暦）",)),
    Field("sex", "性別"),
    Field("address", "住所", ("現住所",)),
    Field("phone", "電話", ("電話番号", "連絡先")),
)


def _person_values(ctx: Context, cells: dict, errors: list) -> dict:
    sex = cells.get("sex", "")
    if sex and sex not in SEX:
        errors.append(CellError("sex", f"性別「{sex}」は読めません（男・女・その他・不明）"))
    return {"name": cells.get("name", ""), "kana": cells.get("kana", ""),
            "birth_date": _collect(errors, _date, "birth_date", cells.get("birth_date"), "生年月日"),
            "sex": SEX.get(sex, ""), "address": cells.get("address", ""), "phone": cells.get("phone", "")}


class Persons(Kind):
    name, label, makes_persons = "persons", "本人・世帯", True
    fields = (Field("agency", "記録機関", ("機関", "担当機関"), required=True),
              Field("household", "世帯番号", ("世帯", "世帯No")),
              Field("relation", "続柄", ("世帯主との続柄",)), *PERSON_FIELDS)

    def read(self, ctx, cells, errors):
        from tsunagu.people.models import RELATION_CHOICES

        values = _person_values(ctx, cells, errors)
        values["agency"] = _collect(errors, ctx.agency, "agency", cells.get("agency", ""), "記録機関")
        values["household"] = cells.get("household", "")
        relation = cells.get("relation", "") or "本人"
        values["relation"] = _collect(errors, _choice, "relation", relation, [r for r, _ in RELATION_CHOICES], "続柄")
        if not values["name"]:
            errors.append(CellError("name", "氏名が空です"))
        return values

    def key(self, v):
        return source_key(self.name, v["agency"].code, v["household"], text.name_key(v["name"]), v["birth_date"])

    def write(self, ctx, v):
        from tsunagu.people.models import Household, HouseholdMember
        from tsunagu.people.services import _clean_person_data

        from .models import ImportedRow

        data = _clean_person_data({k: v[k] for k in ("name", "kana", "birth_date", "sex", "address", "phone")})
        person = make_person(ctx, v["agency"], data)
        if v["household"]:
            hkey = source_key("household", v["agency"].code, v["household"])
            household = ctx.households.get(hkey)
            if household is None:
                row = ImportedRow.objects.filter(municipality=ctx.municipality, kind="households",
                                                 source_key=hkey).first()
                household = Household.objects.get(pk=row.object_id) if row else None
            if household is None:
                household = Household.objects.create(municipality=ctx.municipality, label=f"{person.name}さん世帯",
                                                     recorded_by_agency=v["agency"])
                ctx.new_rows.append(("households", hkey, household))
            ctx.households[hkey] = household
            HouseholdMember.objects.create(municipality=ctx.municipality, household=household, person=person,
                                           relation=v["relation"], care_roles=[])
        return person


def make_person(ctx: Context, agency: Agency, data: dict):
    from tsunagu.people.models import Person

    person = Person.objects.create(municipality=ctx.municipality, recorded_by_agency=agency,
                                   created_by=ctx.actor, **data)
    log_action("person.created", actor=ctx.actor, obj=person, detail={"import": True})
    return person


class Consultations(Kind):
    name, label, makes_persons = "consultations", "相談", True
    fields = (Field("ledger_no", "受付番号", ("No", "No.", "番号", "整理番号")),
              Field("received_at", "受付日", ("相談日", "受付年月日"), required=True),
              Field("agency", "受付機関", ("機関",), required=True),
              Field("worker", "担当者", ("受付者", "対応者"), required=True),
              Field("channel", "相談経路", ("経路", "相談方法"), required=True),
              Field("consulter_type", "相談者", ("相談者区分",), required=True),
              Field("consulter_name", "相談者氏名・機関名", ("相談者氏名",)),
              *PERSON_FIELDS,
              Field("chief_complaint", "主訴", ("相談内容", "相談の概要"), required=True),
              Field("issue_tags", "課題", ("課題タグ", "分類")),
              Field("urgency", "緊急度"),
              Field("detail", "備考", ("対応・備考", "メモ")))

    def read(self, ctx, cells, errors):
        from tsunagu.intake.vocab import CHANNELS, CONSULTERS, issue_tags_for

        values = _person_values(ctx, cells, errors)
        received = _collect(errors, _date, "received_at", cells.get("received_at"), "受付日", required=True)
        if received and received > dt.datetime.now(JST).date():
            errors.append(CellError("received_at", "受付日に未来の日付は書けません"))
        values["received_at"] = received
        agency = values["agency"] = _collect(errors, ctx.agency, "agency", cells.get("agency", ""), "受付機関")
        values["worker"] = None
        if agency is not None:
            if not cells.get("worker"):
                errors.append(CellError("worker", "担当者が空です"))
            else:
                values["worker"] = _collect(errors, ctx.worker, "worker", agency, cells["worker"])
        values["channel"] = _collect(errors, _choice, "channel", cells.get("channel", ""), CHANNELS, "相談経路")
        values["consulter_type"] = _collect(errors, _choice, "consulter_type", cells.get("consulter_type", ""),
                                            CONSULTERS, "相談者")
        values["consulter_name"] = cells.get("consulter_name", "")
        values["chief_complaint"] = cells.get("chief_complaint", "")
        if not values["chief_complaint"]:
            errors.append(CellError("chief_complaint", "主訴が空です"))
        if not values["name"]:
            errors.append(CellError("name", "氏名が空です"))
        vocabulary = issue_tags_for(ctx.municipality)
        tags = split_list(cells.get("issue_tags", ""))
        bad = [t for t in tags if t not in vocabulary]
        if bad:
            errors.append(CellError("issue_tags", f"課題「{bad[0]}」は選べません（{'・'.join(vocabulary)}）"))
        values["issue_tags"] = tags
        urgency = cells.get("urgency", "")
        if urgency not in URGENCY:
            errors.append(CellError("urgency", f"緊急度「{urgency}」は選べません（高・中・低）"))
        values["urgency"] = URGENCY.get(urgency, "normal")
        values["detail"] = cells.get("detail", "")
        values["ledger_no"] = cells.get("ledger_no", "")
        return values

    def key(self, v):
        return consultation_key(v["agency"], v["ledger_no"], v["received_at"], v["name"], v["chief_complaint"])

    def write(self, ctx, v):
        from tsunagu.intake.services import record_consultation
        from tsunagu.people.models import Person

        person_data = {k: v[k] for k in ("name", "kana", "birth_date", "sex", "address", "phone")}
        pkey = (v["agency"].pk, text.name_key(v["name"]), v["birth_date"])
        person = ctx.persons.get(pkey) or Person.objects.filter(
            municipality=ctx.municipality, recorded_by_agency=v["agency"], name=v["name"].strip(),
            birth_date=v["birth_date"]).order_by("id").first()
        received_at = dt.datetime.combine(v["received_at"], dt.time(9, 0), tzinfo=JST)
        consultation = record_consultation(
            v["worker"], person=person, new_person=None if person else person_data, received_at=received_at,
            channel=v["channel"], consulter_type=v["consulter_type"], consulter_name=v["consulter_name"],
            chief_complaint=v["chief_complaint"], detail=v["detail"], issue_tags=v["issue_tags"],
            urgency=v["urgency"])
        ctx.persons[pkey] = consultation.person
        return consultation


class Referrals(Kind):
    name, label = "referrals", "つなぎ"
    fields = (Field("agency", "受付機関", ("つなぎ元",), required=True),
              Field("ledger_no", "受付番号", ("No", "No.", "番号"), required=True),
              Field("to_agency", "つなぎ先", ("つなぎ先機関",), required=True),
              Field("sent_at", "つないだ日", ("送付日", "依頼日"), required=True),
              Field("message", "依頼内容", ("内容",)),
              Field("statutory_basis", "法令上の根拠", ("根拠",)))

    def read(self, ctx, cells, errors):
        from tsunagu.intake.models import Consultation

        from .models import ImportedRow

        v = {"message": cells.get("message", ""), "ledger_no": cells.get("ledger_no", ""), "consultation": None}
        v["agency"] = _collect(errors, ctx.agency, "agency", cells.get("agency", ""), "受付機関")
        v["to_agency"] = _collect(errors, ctx.agency, "to_agency", cells.get("to_agency", ""), "つなぎ先")
        v["sent_at"] = _collect(errors, _date, "sent_at", cells.get("sent_at"), "つないだ日", required=True)
        basis = cells.get("statutory_basis", "")
        by_label = {label: code for code, label in STATUTORY_BASES.items()}
        v["statutory_basis"] = by_label.get(basis, basis)
        if basis and v["statutory_basis"] not in STATUTORY_BASES:
            errors.append(CellError("statutory_basis", f"法令上の根拠「{basis}」は選べません（{'・'.join(STATUTORY_BASES)}）"))
        if v["agency"] is not None and v["ledger_no"]:
            row = ImportedRow.objects.filter(municipality=ctx.municipality, kind="consultations",
                                             source_key=source_key("consultations", v["agency"].code,
                                                                   v["ledger_no"])).first()
            v["consultation"] = row and Consultation.objects.filter(pk=row.object_id).first()
            if v["consultation"] is None:
                errors.append(CellError("ledger_no", f"受付番号「{v['ledger_no']}」の相談が取り込まれていません"
                                                     "（先に相談台帳を取り込んでください）"))
        elif not v["ledger_no"]:
            errors.append(CellError("ledger_no", "受付番号が空です"))
        return v

    def key(self, v):
        return source_key(self.name, v["agency"].code, v["ledger_no"], v["to_agency"].code, v["sent_at"])

    def write(self, ctx, v):
        from tsunagu.intake.services import refer_consultation

        c = v["consultation"]
        return refer_consultation(c.received_by, c, to_agency=v["to_agency"], message=v["message"],
                                  statutory_basis=v["statutory_basis"],
                                  at=dt.datetime.combine(v["sent_at"], dt.time(9, 0), tzinfo=JST))


class Places(Kind):
    name, label = "places", "拠点・居場所"
    fields = (Field("code", "コード", ("拠点コード", "番号"), required=True),
              Field("name", "名称", ("拠点名", "居場所の名称"), required=True),
              Field("kind", "種類", ("種別",), required=True),
              Field("district", "地区"), Field("operator", "運営主体", ("運営団体",)),
              Field("address", "所在地", ("住所",)), Field("phone", "電話", ("電話番号",)),
              Field("audience", "対象"), Field("schedule", "開催日時", ("日時",)),
              Field("opened_on", "開設日"), Field("note", "備考"))

    def read(self, ctx, cells, errors):
        from tsunagu.community.models import Place

        v = {f.name: cells.get(f.name, "") for f in self.fields}
        for f in ("code", "name", "kind"):
            if not v[f]:
                errors.append(CellError(f, f"{dict((x.name, x.label) for x in self.fields)[f]}が空です"))
        v["opened_on"] = _collect(errors, _date, "opened_on", cells.get("opened_on"), "開設日")
        district = v["district"]
        v["district"] = ctx.districts.get(district) if district else None
        if district and v["district"] is None:
            errors.append(CellError("district", f"地区「{district}」はこの自治体の地区にありません"))
        if v["code"] and Place.objects.filter(municipality=ctx.municipality, code=v["code"]).exists() and not \
                _imported(ctx, self.name, self.key(v)):
            errors.append(CellError("code", f"コード「{v['code']}」の拠点はすでに登録されています"))
        return v

    def key(self, v):
        return source_key(self.name, v["code"])

    def write(self, ctx, v):
        from tsunagu.community.models import Place

        return Place.objects.create(municipality=ctx.municipality, **{k: (v[k] if k in ("district", "opened_on")
                                                                           else v[k].strip()) for k in v})


def _imported(ctx, kind, key) -> bool:
    from .models import ImportedRow

    return ImportedRow.objects.filter(municipality=ctx.municipality, kind=kind, source_key=key).exists()


class Resources(Kind):
    name, label = "resources", "社会資源"
    fields = (Field("name", "名称", ("資源名", "メニュー名"), required=True),
              Field("kind", "種類", ("種別",), required=True),
              Field("host", "受け入れ先", ("運営団体", "受け入れ先（運営団体）"), required=True),
              Field("needs", "対応するニーズ", ("ニーズ",), required=True),
              Field("contact", "連絡先"), Field("place", "拠点", ("拠点コード",)), Field("district", "地区"),
              Field("address", "場所", ("所在地",)), Field("schedule", "日時", ("開催日時",)),
              Field("days", "曜日"), Field("capacity", "定員"), Field("cost", "費用", ("費用（円／回）",)),
              Field("conditions", "参加の条件", ("条件",)), Field("description", "内容", ("備考",)))

    def read(self, ctx, cells, errors):
        from tsunagu.community.models import Place

        v = {f.name: cells.get(f.name, "") for f in self.fields}
        v["needs"], v["days"] = split_list(v["needs"]), split_list(v["days"])
        v["capacity"] = _collect(errors, _int, "capacity", cells.get("capacity"), "定員")
        v["cost"] = _collect(errors, _int, "cost", cells.get("cost"), "費用") or 0
        place = v["place"]
        v["place"] = (Place.objects.filter(municipality=ctx.municipality, code=place).first()
                      or Place.objects.filter(municipality=ctx.municipality, name=place).first()) if place else None
        if place and v["place"] is None:
            errors.append(CellError("place", f"拠点「{place}」は登録されていません"))
        district = v["district"]
        v["district"] = ctx.districts.get(district) if district else None
        if district and v["district"] is None:
            errors.append(CellError("district", f"地区「{district}」はこの自治体の地区にありません"))
        return v

    def key(self, v):
        return source_key(self.name, v["name"], v["host"])

    def write(self, ctx, v):
        from tsunagu.participation.services import create_resource

        return create_resource(ctx.actor, **v)


KINDS: dict[str, Kind] = {k.name: k for k in (Persons(), Consultations(), Referrals(), Places(), Resources())}
