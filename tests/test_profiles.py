import subprocess
import sys
from pathlib import Path

import pytest
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
schema_version: 1
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
  - {code: j, name: 重層的支援会議, kind: 重層的支援会議, consent_rule: required}
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
    bad = MINIMAL.replace("kpis:\n", "  - {code: s, name: 支援会議, kind: 支援会議, consent_rule: not_required}\nkpis:\n")
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
