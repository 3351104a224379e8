"""Demo data for `make run`: the 射水市 profile, 福生市 and 滋賀県 beside it, and one demo user per role.

Idempotent: running it again changes nothing that is already there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from tsunagu.directory.models import Agency, Role, Staff
from tsunagu.directory.profile_validation import ProfileInvalid, validate_files
from tsunagu.directory.services import create_staff, load_profile

DEMO_PASSWORD = "tsunagu-demo-2026"
ICHIKAWA_MANAGER = "ichikawa.manager"
PROFILES_DIR = settings.PROJECT_DIR / "profiles"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role_kind: str
    agency: dict  # how to find the agency: {"name_contains": …} or {"kind": …, "field": …}
    profile: str = "imizu"


DEMO_USERS = [
    DemoUser("imizu.madoguchi", "窓口 花子", "intake", {"name_contains": "新湊西地域包括"}),
    DemoUser("imizu.shogai", "障害 一郎", "intake", {"name_contains": "あいネット"}),
    DemoUser("imizu.kodomo", "子育 美咲", "intake", {"name_contains": "こども家庭センター"}),
    DemoUser("imizu.konkyu", "自立 健", "intake", {"name_contains": "すてっぷ"}),
    DemoUser("imizu.suishin", "推進 正樹", "liaison", {"name_contains": "社会福祉課"}),
    DemoUser("imizu.coord", "包括 恵", "coordinator", {"name_contains": "地域福祉課"}),
    DemoUser("imizu.steward", "名寄 確子", "steward", {"name_contains": "地域福祉課"}),
    DemoUser("imizu.outreach", "訪問 拓也", "outreach", {"name_contains": "地域福祉課"}),
    DemoUser("imizu.sanka", "参加 さくら", "participation", {"name_contains": "地域福祉課"}),
    DemoUser("imizu.chiiki", "地域 翔", "community", {"name_contains": "社会福祉協議会"}),
    DemoUser("imizu.member", "民生 和子", "meeting_member", {}),
    DemoUser("imizu.manager", "管理 直人", "manager", {"name_contains": "地域福祉課"}),
    DemoUser("imizu.admin", "システム 管理者", "admin", {}),
    DemoUser("fussa.madoguchi", "福生 窓口", "intake", {"kind": "包括的相談支援"}, profile="fussa"),
    DemoUser("shiga.pref", "滋賀 県担当", "prefecture", {}, profile="shiga"),
]


def _find_agency(municipality, spec: dict) -> Agency | None:
    qs = Agency.objects.for_municipality(municipality).filter(active=True).order_by("sort_order", "id")
    if "name_contains" in spec:
        return qs.filter(name__contains=spec["name_contains"]).first()
    if "kind" in spec:
        return next((a for a in qs if spec["kind"] in a.kinds), None)
    return None


@transaction.atomic
def load_demo(*, households: int = 300) -> list[tuple[DemoUser, Staff]]:
    names = sorted({u.profile for u in DEMO_USERS} | {"ichikawa"})
    profiles, problems = validate_files([PROFILES_DIR / f"{n}.yaml" for n in names])
    if problems:
        raise ProfileInvalid(problems)
    municipalities = {n: load_profile(p, source=f"profiles/{n}.yaml") for n, p in zip(names, profiles, strict=True)}
    out = []
    for u in DEMO_USERS:
        m = municipalities[u.profile]
        staff = Staff.objects.filter(username=u.username).first()
        if staff is None:
            role = Role.objects.for_municipality(m).filter(kind=u.role_kind, active=True).first()
            staff = create_staff(
                actor=None, municipality=m, username=u.username, display_name=u.display_name,
                password=DEMO_PASSWORD, agency=_find_agency(m, u.agency), roles=[role] if role else [],
            )
        out.append((u, staff))
    from tsunagu.intake.demo import load_intake_demo

    load_intake_demo(municipalities["imizu"], households=households)
    from tsunagu.casework.demo import load_casework_demo

    load_casework_demo(municipalities["imizu"])
    from tsunagu.community.demo import load_community_demo
    from tsunagu.outreach.demo import load_outreach_demo
    from tsunagu.participation.demo import load_participation_demo

    load_outreach_demo(municipalities["imizu"])
    load_participation_demo(municipalities["imizu"])
    load_community_demo(municipalities["imizu"])
    from tsunagu.meetings.governance_demo import load_governance_demo

    load_governance_demo(municipalities["imizu"])
    from tsunagu.accounts.demo import load_staff_demo
    from tsunagu.evaluation.demo import load_manual_actuals_demo

    load_staff_demo(municipalities["imizu"], password=DEMO_PASSWORD)
    # 市川市 is loaded for its indicators (no demo records): its manager enters the figures kept outside tsunagu.
    ichikawa = municipalities["ichikawa"]
    manager = Staff.objects.filter(username=ICHIKAWA_MANAGER).first()
    if manager is None:
        role = Role.objects.for_municipality(ichikawa).filter(kind="manager", active=True).first()
        manager = create_staff(actor=None, municipality=ichikawa, username=ICHIKAWA_MANAGER,
                               display_name="市川 管理者", password=DEMO_PASSWORD,
                               agency=_find_agency(ichikawa, {"name_contains": "多機関協働"}),
                               roles=[role] if role else [])
    load_manual_actuals_demo(municipalities["imizu"], Staff.objects.get(username="imizu.manager"))
    load_manual_actuals_demo(ichikawa, manager)
    return out
