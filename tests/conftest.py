"""Shared fixtures: municipalities loaded from the real profiles and the personas every view is tested as."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from tsunagu.directory.models import Agency, Role, Staff
from tsunagu.directory.profile_validation import validate_files
from tsunagu.directory.services import load_profile

PROFILES = Path(__file__).resolve().parent.parent / "profiles"


@pytest.fixture(autouse=True, scope="session")
def _attachments_in_a_temporary_directory(tmp_path_factory):
    """添付ファイル written by tests go to a directory of the run, never into the checkout's var/."""
    from django.conf import settings

    settings.TSUNAGU_ATTACHMENT_DIR = str(tmp_path_factory.mktemp("attachments"))


@functools.cache
def parsed_profile(name: str):
    profiles, problems = validate_files([PROFILES / f"{name}.yaml"])
    assert not problems, problems
    return profiles[0]


@pytest.fixture
def client():
    """Django's test client whose force_login also passes the second factor (tests/two_factor.py)."""
    from tests.two_factor import TwoFactorClient

    return TwoFactorClient()


@pytest.fixture
def imizu(db):
    return load_profile(parsed_profile("imizu"), source="profiles/imizu.yaml")


@pytest.fixture
def fussa(db):
    return load_profile(parsed_profile("fussa"), source="profiles/fussa.yaml")


@pytest.fixture
def shiga(db):
    return load_profile(parsed_profile("shiga"), source="profiles/shiga.yaml")


def agency_named(municipality, fragment: str) -> Agency:
    return Agency.objects.for_municipality(municipality).filter(name__contains=fragment).order_by("id").first()


@pytest.fixture
def make_staff(db):
    def make(municipality, username: str, role_kind: str | None = None, agency: Agency | None = None,
             display_name: str = "") -> Staff:
        staff = Staff.objects.create_user(username=username, password="pw-for-tests-123",
                                          municipality=municipality, agency=agency,
                                          display_name=display_name or username)
        if role_kind:
            staff.roles.set(Role.objects.for_municipality(municipality).filter(kind=role_kind)[:1])
        return staff

    return make


@pytest.fixture
def intake_a(imizu, make_staff):
    """窓口担当 of agency A (新湊西地域包括支援センター)."""
    return make_staff(imizu, "intake_a", "intake", agency_named(imizu, "新湊西地域包括"), "窓口 A")


@pytest.fixture
def staff_b(imizu, make_staff):
    """Staff of agency B (障がい者相談支援 あいネットいみず)."""
    return make_staff(imizu, "staff_b", "intake", agency_named(imizu, "あいネット"), "職員 B")


@pytest.fixture
def coordinator(imizu, make_staff):
    return make_staff(imizu, "coord", "coordinator", agency_named(imizu, "地域福祉課"), "推進員 C")


@pytest.fixture
def steward(imizu, make_staff):
    """名寄せデータ管理責任者 (ACCESS.md G14): a role of its own, not a casework role."""
    return make_staff(imizu, "steward", "steward", agency_named(imizu, "地域福祉課"), "名寄せ 管理者")


@pytest.fixture
def manager(imizu, make_staff):
    return make_staff(imizu, "manager", "manager", agency_named(imizu, "地域福祉課"), "管理者 M")


@pytest.fixture
def sysadmin(imizu, make_staff):
    return make_staff(imizu, "sysadmin", "admin", None, "システム管理者")


@pytest.fixture
def prefecture_user(shiga, make_staff):
    return make_staff(shiga, "pref", "prefecture", None, "県担当")


@pytest.fixture
def fussa_staff(fussa, make_staff):
    agency = next(a for a in Agency.objects.for_municipality(fussa) if "包括的相談支援" in a.kinds)
    return make_staff(fussa, "fussa_staff", "intake", agency, "福生 職員")
