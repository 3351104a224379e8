"""Fetch-and-authorise helpers for directory objects (tenancy: another municipality's rows are 404)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Agency


def require_municipality(request):
    m = request.municipality
    if not m:
        raise PermissionDenied("自治体に所属していない利用者です")
    return m


def access_agency_by_id(request, agency_id: int) -> Agency:
    m = require_municipality(request)
    try:
        return Agency.objects.for_municipality(m).get(pk=agency_id)
    except Agency.DoesNotExist:
        raise Http404("機関が見つかりません") from None
