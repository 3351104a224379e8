"""Writes to the directory: loading a profile, creating staff. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu.community.models import Place
from tsunagu.core.models import Municipality
from tsunagu.evaluation.models import KpiDefinition, KpiTarget
from tsunagu.privacy.audit import log_action

from .models import Agency, AgencyGroup, District, MeetingType, PrefectureMember, Project, Role, Staff
from .profile_schema import Profile


class DirectoryError(Exception):
    """A domain error with a Japanese message for the user."""


def _upsert(model, municipality, code: str, order: int, **values):
    obj, created = model.objects.update_or_create(
        municipality=municipality, code=code, defaults={**values, "active": True, "sort_order": order}
    )
    return obj


def _deactivate_missing(model, municipality, codes: set[str], key: str = "code") -> int:
    return model.objects.filter(municipality=municipality, active=True).exclude(**{f"{key}__in": codes}).update(
        active=False
    )


@transaction.atomic
def load_profile(profile: Profile, *, actor=None, source: str = "") -> Municipality:
    """Create or update a municipality from a validated profile (idempotent, one transaction).

    Items missing from a newer profile are deactivated, never deleted, so records that point at them stay whole.
    """
    m, created = Municipality.objects.update_or_create(
        code=profile.code,
        defaults={
            "name": profile.name, "kind": profile.kind, "prefecture_name": profile.prefecture,
            "program_name": profile.names.program, "program_formal": profile.names.program_formal,
            "department": profile.names.department or "", "issue_tags": list(profile.issue_tags),
            "profile": profile.model_dump(mode="json"), "profile_loaded_at": timezone.now(),
        },
    )
    districts = {}
    for i, d in enumerate(profile.districts):
        districts[d.code] = _upsert(District, m, d.code, i, name=d.name, area=d.area or "",
                                    match_keys=d.match_keys(), note=d.note or "")
    _deactivate_missing(District, m, set(districts))

    agencies, groups = {}, {}
    for i, (a, site) in enumerate(profile.all_agencies()):
        group = None
        if site is not None:
            if a.code not in groups:
                groups[a.code] = _upsert(AgencyGroup, m, a.code, len(groups), name=a.name,
                                         operators=list(a.operators), management=a.management,
                                         legal_basis=a.legal_basis or "", department=a.department or "",
                                         note=a.note or "")
            group = groups[a.code]
        place = site or a
        obj = _upsert(
            Agency, m, place.code, i, name=place.name, group=group, fields=list(a.fields), kinds=list(a.kinds),
            operator=place.operator or "", management=a.management, legal_basis=a.legal_basis or "",
            department=a.department or "", serves_all=place.districts == "all", address=place.address or "",
            phone=place.phone or "", note=(site.note if site else a.note) or "",
        )
        obj.districts.set([] if place.districts == "all" else [districts[c] for c in place.districts])
        agencies[place.code] = obj
    _deactivate_missing(Agency, m, set(agencies))
    _deactivate_missing(AgencyGroup, m, set(groups))

    def resolve(codes) -> list[Agency]:
        return [agencies[x] for code in codes for x in profile.expand_agency(code)]

    projects = {}
    for i, pr in enumerate(profile.projects):
        obj = _upsert(Project, m, pr.code, i, name=pr.name, area=pr.area, department=pr.department or "",
                      operator=pr.operator or "", management=pr.management, legal_basis=pr.legal_basis or "",
                      note=pr.note or "")
        obj.agencies.set(resolve(pr.agencies))
        projects[pr.code] = obj
    _deactivate_missing(Project, m, set(projects))

    roles = {}
    for i, r in enumerate(profile.roles):
        obj = _upsert(Role, m, r.code, i, name=r.name, kind=r.kind, staffing=r.staffing,
                      description=r.description or "")
        obj.agencies.set(resolve(r.agencies))
        roles[r.code] = obj
    _deactivate_missing(Role, m, set(roles))

    meetings = {}
    for i, mt in enumerate(profile.meeting_types):
        meetings[mt.code] = _upsert(
            MeetingType, m, mt.code, i, name=mt.name, kind=mt.kind, statute=mt.statute or "",
            legal_basis=mt.legal_basis or "", consent_rule=mt.consent_rule,
            confidentiality_duty=mt.confidentiality_duty, duty_basis=mt.duty_basis or "",
            takes_case_items=mt.takes_case_items, cadence=mt.cadence or "",
            default_members=[x.model_dump(exclude_none=True) for x in mt.default_members],
            description=mt.description or "", parent=None,
        )
    for mt in profile.meeting_types:
        if mt.parent:
            obj = meetings[mt.code]
            obj.parent = meetings[mt.parent]
            obj.save(update_fields=["parent"])
    _deactivate_missing(MeetingType, m, set(meetings))

    kpi_codes = set()
    for i, k in enumerate(profile.kpis):
        filters = dict(k.filters)
        if filters.get("agencies"):
            filters["agencies"] = [a.code for a in resolve(filters["agencies"])]
        kpi = _upsert(KpiDefinition, m, k.code, i, name=k.name, kind=k.kind, area=k.area, unit=k.unit,
                      indicator=k.indicator or "", filters=filters, description=k.description or "")
        kpi_codes.add(k.code)
        years = set(k.targets) | set(k.baseline)
        # A target a manager entered on screen stays as entered (only the plan's baseline is filled in), and is
        # never deleted because the profile does not list its year.
        entered = {t.fiscal_year: t for t in KpiTarget.objects.filter(kpi=kpi, entered_by__isnull=False)}
        for year in years:
            if year in entered:
                if k.baseline.get(year) is not None and entered[year].baseline is None:
                    KpiTarget.objects.filter(pk=entered[year].pk).update(baseline=k.baseline[year])
                continue
            KpiTarget.objects.update_or_create(
                kpi=kpi, fiscal_year=year,
                defaults={"municipality": m, "target": k.targets.get(year), "baseline": k.baseline.get(year)},
            )
        KpiTarget.objects.filter(kpi=kpi, entered_by__isnull=True).exclude(fiscal_year__in=years).delete()
    _deactivate_missing(KpiDefinition, m, kpi_codes)

    # A place without an opening date counts from the start of the plan period (the plan lists it as existing),
    # or, without a plan, from the day it was first loaded: never in years before anyone recorded it.
    default_opened = (dt.date(profile.plan.from_year, 4, 1) if profile.plan else timezone.localdate())
    place_codes = set()
    # Places added or edited on screen (edited_by set) are the staff's: the profile never overwrites, closes or
    # deactivates them.
    on_screen = set(Place.objects.filter(municipality=m, edited_by__isnull=False).values_list("code", flat=True))
    for i, p in enumerate(profile.places):
        place_codes.add(p.code)
        if p.code in on_screen:
            continue
        existing = Place.objects.filter(municipality=m, code=p.code).first()
        _upsert(Place, m, p.code, i, name=p.name, kind=p.kind,
                district=districts.get(p.district) if p.district else None, operator=p.operator or "",
                address=p.address or "", phone=p.phone or "", audience=p.audience or "", note=p.note or "",
                project=projects.get(p.project) if p.project else None,
                opened_on=p.opened_on or (existing.opened_on if existing else None) or default_opened,
                closed_on=p.closed_on)
    # A place removed from the profile is closed from today on (it still counts in the years it was open).
    from_profile = Place.objects.filter(municipality=m, edited_by__isnull=True)
    from_profile.filter(active=True, closed_on__isnull=True).exclude(code__in=place_codes).update(
        closed_on=timezone.localdate())
    from_profile.filter(active=True).exclude(code__in=place_codes).update(active=False)

    names = set()
    for i, mm in enumerate(profile.municipalities):
        PrefectureMember.objects.update_or_create(
            municipality=m, name=mm.name,
            defaults={"code": mm.code or "", "program_since": mm.program_since, "note": mm.note or "",
                      "active": True, "sort_order": i},
        )
        names.add(mm.name)
    _deactivate_missing(PrefectureMember, m, names, key="name")

    log_action("profile.loaded", actor=actor, municipality=m, obj=m, actor_label="" if actor else "(コマンド)",
               detail={"source": source, "created": created, "districts": len(districts),
                       "agencies": len(agencies), "agency_groups": len(groups), "projects": len(projects),
                       "roles": len(roles), "meeting_types": len(meetings),
                       "kpis": len(kpi_codes), "places": len(place_codes)})
    return m


@transaction.atomic
def create_staff(*, actor, municipality: Municipality, username: str, display_name: str, password: str,
                 agency: Agency | None, roles: list[Role]) -> Staff:
    if Staff.objects.filter(username=username).exists():
        raise DirectoryError(f"ユーザー名「{username}」は既に使われています")
    if agency is not None and agency.municipality_id != municipality.id:
        raise DirectoryError("所属機関が別の自治体のものです")
    for role in roles:
        if role.municipality_id != municipality.id:
            raise DirectoryError(f"役割「{role.name}」が別の自治体のものです")
    if len({r.kind for r in roles}) > 1:
        # ACCESS.md §2: a staff member works in one role kind; access follows the role, not the desk.
        raise DirectoryError("一人の職員に種類の異なる役割は付けられません（閲覧の範囲は役割で決まるため）。"
                             "別の役割には別のアカウントを作ってください")
    staff = Staff(username=username, display_name=display_name, municipality=municipality, agency=agency)
    try:
        validate_password(password, user=staff)
    except ValidationError as exc:
        raise DirectoryError(f"パスワードが規則に合いません: {' '.join(exc.messages)}") from None
    staff.set_password(password)
    staff.save()
    staff.roles.set(roles)
    log_action("staff.created", actor=actor, municipality=municipality, obj=staff,
               actor_label="" if actor else "(コマンド)",
               detail={"agency": agency.code if agency else None, "roles": [r.code for r in roles]})
    return staff
