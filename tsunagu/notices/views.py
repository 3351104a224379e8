"""お知らせ pages: a staff member's own notices only (they name no person; the links lead through the policy)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .models import Notice


@login_required
def notice_list(request):
    qs = Notice.objects.filter(recipient_id=request.user.pk).order_by("-created_at", "-id")
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "notices/list.html", {"page": page, "unread_only": unread_only,
                                                 "unread": services.unread_count(request.user)})


@login_required
def notice_open(request, notice_id: int):
    notice = Notice.objects.filter(recipient_id=request.user.pk, pk=notice_id).first()
    if notice is None:
        raise Http404("お知らせが見つかりません")
    services.mark_read(request.user, [notice.pk])
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect(notice.url)
    return redirect("notice_list")


@login_required
@require_POST
def notice_read_all(request):
    n = services.mark_read(request.user)
    messages.success(request, f"{n} 件のお知らせを既読にしました。" if n else "未読のお知らせはありません。")
    return redirect("notice_list")
