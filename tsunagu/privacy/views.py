from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from .audit import log_action
from .models import AuditEvent


@login_required
def audit_log(request):
    """The municipality's audit log: for managers and system administrators only."""
    user = request.user
    if not (user.is_manager or user.is_system_admin) or not request.municipality:
        raise PermissionDenied("監査ログを見る権限がありません")
    events = AuditEvent.objects.filter(municipality=request.municipality).select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    log_action("audit.viewed", actor=user, request=request, detail={"action": action, "page": page.number})
    return render(request, "privacy/audit_log.html", {"page": page, "action": action})
