"""Read and validate profile files. Every problem is reported as file + path + message; nothing loads
unless the file is entirely valid."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .profile_schema import Profile
from .profile_upgrade import upgrade


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path or '(ファイル全体)'}: {self.message}"


class ProfileInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys instead of silently keeping the last one."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"キー {key!r} が重複しています", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_PYDANTIC_MESSAGES = {
    "extra_forbidden": "未知のキーです",
    "missing": "必須項目がありません",
    "literal_error": "使えない値です",
    "string_pattern_mismatch": "形式が正しくありません",
    "int_parsing": "整数ではありません",
    "int_type": "整数ではありません",
    "float_parsing": "数値ではありません",
    "string_type": "文字列ではありません",
    "list_type": "リストではありません",
    "dict_type": "対応表（マッピング）ではありません",
    "too_short": "要素が足りません",
    "string_too_short": "空にできません",
    "greater_than_equal": "小さすぎます",
}


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def parse_profile_text(text: str, filename: str) -> tuple[Profile | None, list[Problem]]:
    profile, problems, _ = parse_profile(text, filename)
    return profile, problems


def parse_profile(text: str, filename: str) -> tuple[Profile | None, list[Problem], list[Problem]]:
    """Parse and validate one profile: (profile or None, problems, notes). A version 1 file is upgraded to
    version 2 first; each change the upgrade makes is one note (same file/path/message form as a problem)."""
    notes: list[Problem] = []
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}行目" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(filename, where, f"YAML として読めません: {problem}")], notes
    if not isinstance(data, dict):
        return None, [Problem(filename, "", "プロファイルは対応表（マッピング）でなければなりません")], notes
    if data.get("schema_version") == 1:
        data, changes = upgrade(data)
        notes = [Problem(filename, path, f"v1→v2: {message}") for path, message in changes]
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = _PYDANTIC_MESSAGES.get(err["type"], err["msg"])
            if err["type"] == "value_error":
                msg = str(err.get("ctx", {}).get("error", err["msg"]))
            elif err["type"] == "literal_error":
                msg = f"使えない値です（{err['ctx'].get('expected', '')} のどれか）"
            problems.append(Problem(filename, _loc(err["loc"]), f"{msg} (値: {err.get('input')!r})"
                                    if err["type"] not in ("missing",) else msg))
        return None, problems, notes
    problems = check_references(profile, filename)
    return (None, problems, notes) if problems else (profile, [], notes)


def check_references(p: Profile, filename: str) -> list[Problem]:
    problems: list[Problem] = []

    def dupes(items, attr: str, section: str) -> None:
        counts = Counter(getattr(i, attr) for i in items)
        for idx, item in enumerate(items):
            value = getattr(item, attr)
            if counts[value] > 1:
                problems.append(Problem(filename, f"{section}[{idx}].{attr}", f"{value!r} が重複しています"))

    dupes(p.districts, "code", "districts")
    dupes(p.districts, "name", "districts")
    dupes(p.agencies, "code", "agencies")
    dupes(p.projects, "code", "projects")
    dupes(p.roles, "code", "roles")
    dupes(p.meeting_types, "code", "meeting_types")
    dupes(p.kpis, "code", "kpis")
    dupes(p.places, "code", "places")
    dupes(p.municipalities, "name", "municipalities")

    districts = {d.code for d in p.districts}
    # A reference may name a plain agency, one site, or an agency kind with sites (= all its sites).
    agencies = p.agency_codes() | {a.code for a in p.agencies if a.sites}
    site_owner: dict[str, str] = {a.code: "agencies" for a in p.agencies}
    for i, a in enumerate(p.agencies):
        for j, site in enumerate(a.sites):
            if site.code in site_owner:
                problems.append(Problem(filename, f"agencies[{i}].sites[{j}].code",
                                        f"{site.code!r} が重複しています（機関・か所のコードは全体で一意）"))
            site_owner[site.code] = a.code
            if site.districts != "all":
                for k, code in enumerate(site.districts):
                    if code not in districts:
                        problems.append(Problem(filename, f"agencies[{i}].sites[{j}].districts[{k}]",
                                                f"地区 {code!r} は districts に定義されていません"))
    for i, project in enumerate(p.projects):
        if project.code in agencies:
            problems.append(Problem(filename, f"projects[{i}].code",
                                    f"{project.code!r} は機関のコードと同じです（事業は機関とは別に書きます）"))
        for j, code in enumerate(project.agencies):
            if code not in agencies:
                problems.append(Problem(filename, f"projects[{i}].agencies[{j}]",
                                        f"機関 {code!r} は agencies に定義されていません"))
    roles = {r.code for r in p.roles}
    meetings = {m.code for m in p.meeting_types}

    match_owner: dict[str, str] = {}
    for i, d in enumerate(p.districts):
        for key in d.match_keys():
            if key in match_owner and match_owner[key] != d.code:
                problems.append(Problem(filename, f"districts[{i}].match",
                                        f"住所キー {key!r} が地区 {match_owner[key]!r} と重複しています"))
            match_owner.setdefault(key, d.code)
    for i, a in enumerate(p.agencies):
        if a.districts != "all":
            for j, code in enumerate(a.districts):
                if code not in districts:
                    problems.append(Problem(filename, f"agencies[{i}].districts[{j}]",
                                            f"地区 {code!r} は districts に定義されていません"))
    for i, r in enumerate(p.roles):
        for j, code in enumerate(r.agencies):
            if code not in agencies:
                problems.append(Problem(filename, f"roles[{i}].agencies[{j}]",
                                        f"機関 {code!r} は agencies に定義されていません"))
    for i, m in enumerate(p.meeting_types):
        if m.parent and m.parent not in meetings:
            problems.append(Problem(filename, f"meeting_types[{i}].parent",
                                    f"会議 {m.parent!r} は meeting_types に定義されていません"))
        for j, member in enumerate(m.default_members):
            if member.agency and member.agency not in agencies:
                problems.append(Problem(filename, f"meeting_types[{i}].default_members[{j}].agency",
                                        f"機関 {member.agency!r} は agencies に定義されていません"))
            if member.role and member.role not in roles:
                problems.append(Problem(filename, f"meeting_types[{i}].default_members[{j}].role",
                                        f"役割 {member.role!r} は roles に定義されていません"))
    projects = {x.code for x in p.projects}
    for i, place in enumerate(p.places):
        if place.district and place.district not in districts:
            problems.append(Problem(filename, f"places[{i}].district",
                                    f"地区 {place.district!r} は districts に定義されていません"))
        if place.project and place.project not in projects:
            problems.append(Problem(filename, f"places[{i}].project",
                                    f"事業 {place.project!r} は projects に定義されていません"))
    if p.plan and p.plan.review_body and p.plan.review_body not in meetings:
        problems.append(Problem(filename, "plan.review_body",
                                f"会議 {p.plan.review_body!r} は meeting_types に定義されていません"))
    indicator_owner: dict[str, str] = {}
    for i, k in enumerate(p.kpis):
        for j, code in enumerate(k.filters.get("agencies") or []):
            if code not in agencies:
                problems.append(Problem(filename, f"kpis[{i}].filters.agencies[{j}]",
                                        f"機関 {code!r} は agencies に定義されていません"))
        project = k.filters.get("project")
        if project and project not in projects:
            problems.append(Problem(filename, f"kpis[{i}].filters.project",
                                    f"事業 {project!r} は projects に定義されていません"))
        for j, code in enumerate(k.filters.get("meeting_types") or []):
            if code not in meetings:
                problems.append(Problem(filename, f"kpis[{i}].filters.meeting_types[{j}]",
                                        f"会議 {code!r} は meeting_types に定義されていません"))
        if k.indicator:
            if k.indicator in indicator_owner:
                problems.append(Problem(filename, f"kpis[{i}].indicator",
                                        f"共通指標 {k.indicator!r} には指標 {indicator_owner[k.indicator]!r} が"
                                        "すでに対応しています（一つの共通指標に一つの指標）"))
            indicator_owner.setdefault(k.indicator, k.code)
    kpi_codes = {k.code for k in p.kpis}
    for i, entry in enumerate(p.logic_model):
        for section in ("outputs", "outcomes"):
            for j, code in enumerate(getattr(entry, section)):
                if code not in kpi_codes:
                    problems.append(Problem(filename, f"logic_model[{i}].{section}[{j}]",
                                            f"指標 {code!r} は kpis に定義されていません"))
    if p.kind == "prefecture" and not p.municipalities:
        problems.append(Problem(filename, "municipalities", "都道府県のプロファイルには市町村の一覧が必要です"))
    if p.kind == "municipality" and p.municipalities:
        problems.append(Problem(filename, "municipalities", "市町村のプロファイルに municipalities は書けません"))
    return problems


def validate_files(paths: list[str | Path], notes: list[Problem] | None = None
                   ) -> tuple[list[Profile], list[Problem]]:
    """Validate files; the notes of version upgrades are appended to `notes` when given."""
    profiles: list[Profile] = []
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), "", f"ファイルを読めません: {exc}"))
            continue
        profile, errs, file_notes = parse_profile(text, str(path))
        problems.extend(errs)
        if notes is not None:
            notes.extend(file_notes)
        if profile:
            profiles.append(profile)
    return profiles, problems
