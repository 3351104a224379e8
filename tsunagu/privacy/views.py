from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from .audit import log_action
from .models import AuditEvent


def _type_label(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


@login_required
def audit_log(request):
    """The municipality's audit log for the system administrator, pseudonymised (ACCESS.md G12): who did what
    to which object type and id, when and from where — never a name, a title, a reason or a search term."""
    user = request.user
    if not user.is_system_admin or not request.municipality:
        raise PermissionDenied("監査ログは、システム管理の役割の職員だけが見られます")
    events = AuditEvent.objects.filter(municipality=request.municipality).only(
        "id", "created_at", "actor_label", "action", "object_type", "object_id", "ip_address")
    action = request.GET.get("action", "").strip()[:64]
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = [(e, _type_label(e.object_type) if e.object_type else "") for e in page]
    log_action("audit.viewed", actor=user, request=request, detail={"action": action, "page": page.number})
    return render(request, "privacy/audit_log.html", {"page": page, "rows": rows, "action": action})
