import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from tsunagu.community.models import Place
from tsunagu.core.models import Municipality
from tsunagu.directory.models import Agency, District, MeetingType, Role
from tsunagu.directory.profile_validation import parse_profile_text, validate_files
from tsunagu.directory.services import load_profile
from tsunagu.evaluation.models import KpiDefinition, KpiTarget
from tsunagu.privacy.models import AuditEvent

from .conftest import PROFILES, parsed_profile

MINIMAL = """\
schema_version: 2
code: "999999"
name: 例市
prefecture: 例県
names: {program: 例事業, program_formal: 例市重層的支援体制整備事業}
districts:
  - {code: a, name: 甲地区}
  - {code: b, name: 乙町}
agencies:
  - {code: x, name: 甲センター, fields: [介護], kinds: [包括的相談支援], management: 委託, districts: [a]}
roles:
  - {code: coord, kind: coordinator, name: 推進員, staffing: 2, agencies: [x]}
meeting_types:
  - {code: j, name: 重層的支援会議, kind: 重層的支援会議, consent_rule: required, takes_case_items: true}
kpis:
  - {code: k, name: 受付件数, kind: multiagency_cases, area: 多機関協働, targets: {2024: 5, 2025: 10}}
"""


def problems_of(text: str):
    profile, problems = parse_profile_text(text, "bad.yaml")
    assert profile is None
    return [(p.file, p.path, p.message) for p in problems]


def test_all_shipped_profiles_validate():
    files = sorted(PROFILES.glob("*.yaml"))
    assert {f.stem for f in files} >= {"imizu", "fussa", "ichikawa", "shiga"}
    profiles, problems = validate_files(files)
    assert problems == []
    assert len(profiles) == len(files)


def test_minimal_profile_is_valid():
    profile, problems = parse_profile_text(MINIMAL, "ok.yaml")
    assert problems == [] and profile.name == "例市"


def test_it_names_file_and_path_of_a_broken_reference():
    bad = MINIMAL.replace("districts: [a]}", "districts: [a, nowhere]}")
    assert problems_of(bad) == [("bad.yaml", "agencies[0].districts[1]", "地区 'nowhere' は districts に定義されていません")]


def test_it_reports_unknown_keys_with_their_path():
    bad = MINIMAL.replace("staffing: 2,", "staffing: 2, colour: red,")
    (file, path, message), = problems_of(bad)
    assert (file, path) == ("bad.yaml", "roles[0].colour") and "未知のキー" in message


def test_it_reports_duplicate_districts():
    bad = MINIMAL.replace("{code: b, name: 乙町}", "{code: a, name: 乙町}")
    paths = [p for _, p, _ in problems_of(bad)]
    assert paths == ["districts[0].code", "districts[1].code"]


def test_it_reports_a_bad_fiscal_year():
    bad = MINIMAL.replace("2024: 5", "1024: 5")
    (_, path, message), = problems_of(bad)
    assert path == "kpis[0].targets" and "1024" in message


def test_it_reports_every_problem_at_once():
    bad = MINIMAL.replace("districts: [a]}", "districts: [zz]}").replace("agencies: [x]", "agencies: [yy]")
    assert [p for _, p, _ in problems_of(bad)] == ["agencies[0].districts[0]", "roles[0].agencies[0]"]


def test_it_refuses_duplicate_yaml_keys():
    bad = MINIMAL.replace("name: 例市\n", "name: 例市\nname: 別市\n")
    (_, path, message), = problems_of(bad)
    assert path == "4行目" and "重複" in message


def test_it_refuses_a_support_meeting_without_confidentiality_duty():
    bad = MINIMAL.replace("kpis:\n", "  - {code: s, name: 支援会議, kind: 支援会議, statute: 社会福祉法第106条の6,"
                                    " consent_rule: not_required}\nkpis:\n")
    (_, path, message), = problems_of(bad)
    assert path == "meeting_types[1]" and "confidentiality_duty" in message


def test_it_reports_unreadable_yaml():
    (_, path, message), = problems_of("names: [unclosed\n")
    assert "YAML として読めません" in message


def test_cli_validate_exits_zero_on_shipped_profiles():
    files = [str(f) for f in sorted(PROFILES.glob("*.yaml"))]
    result = subprocess.run([sys.executable, "-m", "tsunagu.cli", "profile", "validate", *files],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "OK: 射水市 (162116)" in result.stdout


def test_cli_validate_fails_naming_file_and_path(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text(MINIMAL.replace("agencies: [x]", "agencies: [ghost]"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "tsunagu.cli", "profile", "validate", str(bad)],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert f"{bad}: roles[0].agencies[0]: 機関 'ghost' は agencies に定義されていません" in result.stderr


@pytest.mark.django_db
def test_load_is_idempotent():
    profile = parsed_profile("imizu")
    load_profile(profile)
    counts = [m.objects.count() for m in (Municipality, District, Agency, Role, MeetingType, KpiDefinition,
                                           KpiTarget, Place)]
    load_profile(profile)
    assert counts == [m.objects.count() for m in (Municipality, District, Agency, Role, MeetingType,
                                                   KpiDefinition, KpiTarget, Place)]
    assert AuditEvent.objects.filter(action="profile.loaded").count() == 2


@pytest.mark.django_db
def test_load_command_loads_nothing_when_any_file_is_invalid(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text(MINIMAL.replace("districts: [a]}", "districts: [nowhere]}"), encoding="utf-8")
    with pytest.raises(CommandError, match="何も読み込んでいません"):
        call_command("profile", "load", str(PROFILES / "imizu.yaml"), str(bad))
    assert Municipality.objects.count() == 0


@pytest.mark.django_db
def test_items_removed_from_a_profile_are_deactivated_not_deleted(tmp_path):
    f = tmp_path / "ex.yaml"
    f.write_text(MINIMAL, encoding="utf-8")
    call_command("profile", "load", str(f))
    f.write_text(MINIMAL.replace("  - {code: b, name: 乙町}\n", ""), encoding="utf-8")
    call_command("profile", "load", str(f))
    m = Municipality.objects.get(code="999999")
    assert District.objects.get(municipality=m, code="b").active is False
    assert District.objects.get(municipality=m, code="a").active is True


@pytest.mark.django_db
def test_imizu_profile_carries_the_seed_facts(imizu):
    assert imizu.program_name == "いみず・みんなで・つながっと(good)事業"
    centres = Agency.objects.for_municipality(imizu).filter(name__endswith="地域包括支援センター")
    assert centres.count() == 6
    staffing = {r.kind: r.staffing for r in Role.objects.for_municipality(imizu)
                if r.kind in {"coordinator", "outreach", "participation"}}
    assert staffing == {"coordinator": 4, "outreach": 2, "participation": 1}
    shogai = [a for a in Agency.objects.for_municipality(imizu) if "障がい" in a.fields
              and "包括的相談支援" in a.kinds]
    assert len(shogai) == 4
    kinds = set(MeetingType.objects.for_municipality(imizu).values_list("kind", flat=True))
    assert {"重層的支援会議", "支援会議"} <= kinds
    assert MeetingType.objects.for_municipality(imizu).count() == 5
    targets = {(t.kpi.kind, t.fiscal_year): t.target
               for t in KpiTarget.objects.filter(municipality=imizu).select_related("kpi")}
    assert targets[("multiagency_cases", 2023)] == 1
    assert targets[("multiagency_cases", 2024)] == 10
    assert targets[("multiagency_cases", 2025)] == 20
    assert targets[("plans_created", 2025)] == 10
    assert targets[("shien_meetings_held", 2023)] is None or ("shien_meetings_held", 2023) not in targets
    assert targets[("shien_meetings_held", 2025)] == 2


@pytest.mark.django_db
def test_shiga_profile_is_a_prefecture(shiga):
    from tsunagu.directory.models import PrefectureMember

    assert shiga.kind == "prefecture"
    names = set(PrefectureMember.objects.filter(municipality=shiga).values_list("name", flat=True))
    assert {"長浜市", "守山市", "米原市"} <= names


def test_profiles_directory_has_no_stray_files():
    assert all(p.suffix == ".yaml" for p in Path(PROFILES).iterdir() if p.is_file() and p.name != "README.md")


# --- profile version 2 (issue 15) -------------------------------------------------------------------------

def _meeting(line: str) -> str:
    return MINIMAL.replace("kpis:\n", f"  - {line}\nkpis:\n")


@pytest.mark.parametrize(("line", "expected"), [
    # A merged meeting without a duty: no member could ever see a no-consent item.
    ("{code: m, name: 合同会議, kind: 統合会議, statute: 社会福祉法第106条の6, consent_rule: per_item,"
     " takes_case_items: true}", "confidentiality_duty: false では同意のない議題をどの構成員も見られません"),
    # No consent without a statute that allows it.
    ("{code: m, name: 個別会議, kind: その他, consent_rule: not_required, confidentiality_duty: true}",
     "それを認める法令を statute に書いてください"),
    # A sector law's 支援会議 is not 法106条の6's.
    ("{code: m, name: 支援会議, kind: 支援会議, statute: 生活困窮者自立支援法第9条, consent_rule: not_required,"
     " confidentiality_duty: true}", "kind: 分野別会議 にして"),
    ("{code: m, name: 地域ケア会議, kind: 分野別会議, statute: 介護保険法第115条の48, consent_rule: required}",
     "介護保険法第115条の48第5項"),
    ("{code: m, name: 推進会議, kind: 推進会議, consent_rule: none, takes_case_items: true}", "事例を議題にできません"),
    ("{code: m, name: 会議, kind: その他, statute: 道路交通法, consent_rule: required}", "法令の表にありません"),
    ("{code: m, name: 会議, kind: 重層的支援会議, consent_rule: required, confidentiality_duty: true}",
     "守秘義務の根拠を書いてください"),
])
def test_v2_refuses_contradictory_meetings(line, expected):
    (_, path, message), = problems_of(_meeting(line))
    assert path == "meeting_types[1]" and expected in message


def test_v2_accepts_a_sector_meeting_and_a_consent_meeting_with_a_duty_by_charter():
    text = _meeting("{code: care, name: 地域ケア会議, kind: 分野別会議, statute: 介護保険法第115条の48,"
                    " consent_rule: per_item, confidentiality_duty: true, takes_case_items: true}")
    text = text.replace("consent_rule: required, takes_case_items: true}",
                        "consent_rule: required, takes_case_items: true, confidentiality_duty: true,"
                        " duty_basis: 例市重層的支援会議設置要綱}")
    profile, problems = parse_profile_text(text, "ok.yaml")
    assert problems == []
    care = profile.meeting_types[1]
    assert care.statute == "介護保険法第115条の48" and care.takes_case_items


def test_v2_sites_projects_plan_and_sources():
    text = MINIMAL.replace(
        "  - {code: x, name: 甲センター, fields: [介護], kinds: [包括的相談支援], management: 委託, districts: [a]}\n",
        "  - code: hk\n    name: 地域包括支援センター\n    fields: [介護]\n    kinds: [包括的相談支援]\n"
        "    operators: [甲会, 乙会]\n    management: 委託\n    sites:\n"
        "      - {code: x, name: 甲センター, operator: 甲会, districts: [a]}\n"
        "      - {code: y, name: 乙センター, operator: 乙会, districts: [b]}\n"
    ) + ("plan: {from_year: 2025, to_year: 2027, review_body: j}\n"
         "projects:\n  - {code: p, name: 生活支援体制整備事業, area: 地域づくり, department: 高齢課, operator: 丙会,"
         " management: 委託, agencies: [hk]}\n"
         "outreach: {sources: [民生委員, 新聞販売店]}\n")
    profile, problems = parse_profile_text(text, "ok.yaml")
    assert problems == []
    assert profile.agency_codes() == {"x", "y"} and profile.expand_agency("hk") == ["x", "y"]
    assert profile.outreach_sources == ["民生委員", "新聞販売店"]
    bad = text.replace("operator: 乙会, districts: [b]", "operator: 丁会, districts: [b]")
    (_, path, message), = problems_of(bad)
    assert path == "agencies[0]" and "丁会" in message
    bad = text.replace("review_body: j", "review_body: nowhere")
    assert problems_of(bad) == [("bad.yaml", "plan.review_body", "会議 'nowhere' は meeting_types に定義されていません")]
    bad = text.replace("to_year: 2027", "to_year: 2024")
    (_, path, message), = problems_of(bad)
    assert path == "plan" and "前です" in message


def test_v2_kpi_filters_and_indicators_are_checked():
    bad = MINIMAL.replace("area: 多機関協働,", "area: 多機関協働, filters: {place_kind: サロン},")
    (_, path, message), = problems_of(bad)
    assert path == "kpis[0]" and "'place_kind' は kind: multiagency_cases では使えません" in message
    bad = MINIMAL.replace("area: 多機関協働,", "area: 多機関協働, indicator: unknown,")
    (_, path, message), = problems_of(bad)
    assert path == "kpis[0]" and "共通指標 'unknown' はありません" in message
    twice = MINIMAL.replace("area: 多機関協働,", "area: 多機関協働, indicator: takikan_uketsuke,") + (
        "  - {code: k2, name: 受付件数2, kind: multiagency_cases, area: 多機関協働, indicator: takikan_uketsuke}\n")
    bad = MINIMAL.replace(
        "  - {code: k, name: 受付件数, kind: multiagency_cases,",
        "  - {code: p1, name: 拠点, kind: places_count, area: 地域づくり, filters: {project: nowhere}}\n"
        "  - {code: k, name: 受付件数, kind: multiagency_cases,")
    assert problems_of(bad) == [("bad.yaml", "kpis[0].filters.project", "事業 'nowhere' は projects に定義されていません")]
    problems = problems_of(twice)
    assert ("bad.yaml", "kpis[1].indicator",
            "共通指標 'takikan_uketsuke' には指標 'k' がすでに対応しています（一つの共通指標に一つの指標）") in problems


V1_MEETINGS = MINIMAL.replace("schema_version: 2", "schema_version: 1").replace(
    "  - {code: j, name: 重層的支援会議, kind: 重層的支援会議, consent_rule: required, takes_case_items: true}\n",
    "  - {code: j, name: 重層的支援会議, kind: 重層的支援会議, consent_rule: required}\n"
    "  - {code: s, name: 支援会議（困窮）, kind: 支援会議, legal_basis: 生活困窮者自立支援法第9条,"
    " consent_rule: not_required, confidentiality_duty: true}\n"
    "  - {code: r, name: 連携会議, kind: 部会, consent_rule: per_item}\n"
    "  - {code: c, name: 地域ケア会議, kind: その他, legal_basis: 介護保険法第115条の48, consent_rule: per_item,"
    " confidentiality_duty: true}\n"
    "  - {code: g, name: 全体会議, kind: 全体会議, consent_rule: none}\n")


def test_a_v1_file_upgrades_and_every_change_is_explained():
    from tsunagu.directory.profile_validation import parse_profile

    profile, problems, notes = parse_profile(V1_MEETINGS, "old.yaml")
    assert problems == []
    by_path = {n.path: n.message for n in notes}
    assert by_path["schema_version"].startswith("v1→v2:")
    # 困窮法の支援会議: its own statute, a sector meeting, not counted as a 106条の6 支援会議.
    assert profile.meeting_types[1].statute == "生活困窮者自立支援法第9条"
    assert profile.meeting_types[1].kind == "分野別会議" and "支援会議の開催回数には数えず" in by_path["meeting_types[1].kind"]
    # A per-item meeting without a duty becomes consent-based, and a 部会 may now hold cases.
    assert profile.meeting_types[2].consent_rule == "required"
    assert "同意のない議題を誰も見られませんでした" in by_path["meeting_types[2].consent_rule"]
    assert profile.meeting_types[2].takes_case_items
    assert "v1 ではこの区分の会議は事例を扱えませんでした" in by_path["meeting_types[2].takes_case_items"]
    assert profile.meeting_types[3].kind == "分野別会議" and profile.meeting_types[3].statute == "介護保険法第115条の48"
    assert not profile.meeting_types[4].takes_case_items
    assert profile.kpis[0].indicator == "takikan_uketsuke" and "kpis[0].indicator" in by_path
    assert "plan" in by_path and "outreach" in by_path
    # No meeting changes silently: each one whose written values differ has at least one note.
    written = yaml.safe_load(V1_MEETINGS)["meeting_types"]
    changed = {i for i, (old, new) in enumerate(zip(written, profile.meeting_types, strict=True))
               if any(new.model_dump().get(k) != v for k, v in old.items()) or new.takes_case_items}
    assert changed <= {int(p.split("[")[1].split("]")[0]) for p in by_path if p.startswith("meeting_types[")}


def test_profile_validate_prints_the_upgrade_notes(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text(V1_MEETINGS, encoding="utf-8")
    out = io.StringIO()
    call_command("profile", "validate", str(path), stdout=out)
    text = out.getvalue()
    assert f"{path}: meeting_types[1].kind: v1→v2:" in text and "第1版のファイルを第2版として読みました" in text


def test_profile_new_writes_a_skeleton_that_validates(tmp_path):
    path = tmp_path / "new.yaml"
    call_command("profile", "new", str(path), "--name", "例町", "--code", "999992", "--prefecture", "例県",
                 stdout=io.StringIO())
    text = path.read_text(encoding="utf-8")
    assert text.count("#") > 20  # commented
    profiles, problems = validate_files([path])
    assert problems == [] and profiles[0].name == "例町" and profiles[0].schema_version == 2
    with pytest.raises(CommandError, match="上書きしません"):
        call_command("profile", "new", str(path))


def test_shipped_profiles_are_version_2():
    for path in sorted(PROFILES.glob("*.yaml")):
        assert parsed_profile(path.stem).schema_version == 2, path


def test_no_source_notes_in_what_staff_read():
    """Source line numbers (L123) and notes about the plan ("seed に無い", "記載なし") live in YAML comments, never
    in the texts the screens show (issue 17: no internals on screen)."""
    import re

    import yaml

    marker = re.compile(r"\bL\d{2,4}\b|seed|記載なし|要確認")
    found = []

    def walk(value, where):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{where}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{where}[{i}]")
        elif isinstance(value, str) and marker.search(value):
            found.append(f"{where}: {value[:60]}")

    for path in sorted(PROFILES.glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    assert found == []
