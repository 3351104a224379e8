from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tsunagu.core.wareki import format_fiscal_year
from tsunagu.privacy.audit import log_action

from .access import access_agency_by_id, require_municipality
from .forms import AddressLookupForm
from .lookup import FIELDS, responsible_agencies
from .models import Agency, AgencyGroup, MeetingType, Project, Role


@login_required
def agency_list(request):
    m = require_municipality(request)
    agencies = list(Agency.objects.for_municipality(m).filter(active=True).prefetch_related("districts"))
    field = request.GET.get("field", "")
    kind = request.GET.get("kind", "")
    if field:
        agencies = [a for a in agencies if field in a.fields]
    if kind:
        agencies = [a for a in agencies if kind in a.kinds]
    groups = []
    for f in FIELDS:
        in_field = [a for a in agencies if a.fields and a.fields[0] == f]
        if in_field:
            groups.append((f, in_field))
    kinds = ["包括的相談支援", "多機関協働", "アウトリーチ", "参加支援", "地域づくり", "庁内各課", "外部"]
    return render(request, "directory/agency_list.html", {
        "groups": groups, "fields": FIELDS, "kinds": kinds, "field": field, "kind": kind,
        "count": len(agencies), "form": AddressLookupForm(),
    })


@login_required
def agency_detail(request, agency_id: int):
    agency = access_agency_by_id(request, agency_id)
    return render(request, "directory/agency_detail.html", {
        "agency": agency, "districts": agency.districts.all(), "roles": agency.roles.filter(active=True),
    })


@login_required
def address_lookup(request):
    m = require_municipality(request)
    form = AddressLookupForm(request.GET or None)
    result = None
    if form.is_valid():
        result = responsible_agencies(m, form.cleaned_data["address"])
        log_action("directory.address_lookup", actor=request.user, request=request,
                   detail={"district": result.district.code if result.district else None})
    template = "directory/_lookup_result.html" if request.htmx else "directory/lookup.html"
    return render(request, template, {"form": form, "result": result})


@login_required
def organisation(request):
    """The plan period, agency kinds with their sites, projects (事業), roles, staffing and meeting types of this
    municipality, as the profile defines them."""
    m = require_municipality(request)
    roles = Role.objects.for_municipality(m).filter(active=True).prefetch_related("agencies")
    meetings = MeetingType.objects.for_municipality(m).filter(active=True).select_related("parent")
    groups = AgencyGroup.objects.for_municipality(m).filter(active=True).prefetch_related("sites")
    projects = Project.objects.for_municipality(m).filter(active=True).prefetch_related("agencies")
    plan = m.plan
    review = ""
    if plan.get("review_body"):
        review = MeetingType.objects.filter(municipality=m, code=plan["review_body"]).values_list(
            "name", flat=True).first() or ""
    period = ""
    if plan.get("from_year"):
        first, last = format_fiscal_year(plan["from_year"]), format_fiscal_year(plan["to_year"])
        period = first if first == last else f"{first}〜{last}"
    return render(request, "directory/organisation.html", {
        "roles": roles, "meetings": meetings, "groups": groups, "projects": projects, "plan": plan,
        "plan_period": period,
        "review": review or plan.get("review_label", "")})
