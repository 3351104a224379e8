"""緊急時の閲覧（ブレイクグラス, ACCESS.md G10）: asking for it, and reviewing it afterwards.

A casework user who cannot see a person but must (a life or body at risk) gives a reason and a basis from the
profile's list and the person's name with birth date (both: no browsing). For a limited time they see the ID
and BASIC of the matching records — never a masked address. The agency that recorded the person and the
manager see it in 今日やること and review it here; the manager sees no names (G11).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tsunagu.core import text
from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error
from tsunagu.directory.names import role_title
from tsunagu.privacy import access
from tsunagu.privacy.audit import log_action
from tsunagu.privacy.decorators import personal_data
from tsunagu.privacy.models import EmergencyAccess
from tsunagu.privacy.services import break_glass, emergency_settings, review_emergency_access

from .forms import EmergencyForm, ReviewForm
from .models import Person


def reviewable(user):
    """Emergency accesses this user reviews: all (manager, without names) or those to its own records."""
    qs = EmergencyAccess.objects.filter(municipality_id=user.municipality_id)
    if user.has_role_kind("manager"):
        return qs
    if user.is_casework:
        return qs.filter(person__recorded_by_agency_id=user.agency_id)
    return qs.none()


@login_required
@personal_data("form")
def emergency_new(request):
    user = request.user
    if not user.is_casework:
        raise PermissionDenied("緊急時の閲覧は、相談支援の役割（窓口・推進員・多機関協働）の職員だけが行えます")
    bases, hours = emergency_settings(user.municipality)
    form = EmergencyForm(request.POST or None, bases=bases)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        key = text.name_key(d["name"])[:100]
        persons = list(Person.objects.filter(municipality_id=user.municipality_id, name_key=key,
                                             birth_date=d["birth_date"]).order_by("id")[:10]) if key else []
        if not persons:
            log_action("emergency.not_found", actor=user, request=request, reason=bases.get(d["basis"], "")[:300])
            form.add_error(None, "氏名と生年月日が一致する記録は見つかりませんでした。表記（異体字・スペース）と生年月日を"
                                 "確かめてください。")
        else:
            try:
                granted = break_glass(user, persons=persons, basis=d["basis"], reason=d["reason"], request=request)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.warning(request, f"緊急時の閲覧を開始しました（{hours}時間）。記録した機関と"
                                          f"{role_title(user.municipality, 'manager')}に通知され、"
                                          "あとで確認されます。")
                if len(granted) == 1:
                    return redirect("person_detail", person_id=granted[0].person_id)
                return redirect("emergency_list")
    return render(request, "people/emergency_form.html", {"form": form, "hours": hours},
                  status=400 if form.errors else 200)


@login_required
@personal_data("list")
def emergency_list(request):
    user = request.user
    mine = EmergencyAccess.objects.filter(municipality_id=user.municipality_id, staff=user)
    to_review = reviewable(user)
    if not user.is_casework and not user.has_role_kind("manager"):
        raise PermissionDenied(f"この画面は相談支援の職員と{role_title(user.municipality, 'manager')}だけが使えます")
    now = timezone.now()
    page = Paginator((to_review | mine).distinct().select_related("staff", "agency", "person", "reviewed_by")
                     .order_by("reviewed_at", "-started_at"), 50).get_page(request.GET.get("page"))
    reviewable_ids = set(to_review.filter(pk__in=[e.pk for e in page]).values_list("pk", flat=True))
    # A name only where a grant shows it: the agency that recorded the person (G1), or the requester while the
    # access lasts (G10). The manager sees none (G11).
    rows = [(ea, access.owns(user, ea.person.recorded_by_agency_id) or (ea.staff_id == user.pk and ea.expires_at > now),
             ea.pk in reviewable_ids) for ea in page]
    access.audit_read("emergency.listed", user=user, request=request,
                      reads=[(ea.person_id, "person", ea.person_id, [{"kind": "G1" if ea.staff_id != user.pk else "G10",
                                                                       "basis": "緊急時の閲覧の確認"}])
                             for ea, named, _ in rows if named])
    return render(request, "people/emergency_list.html", {
        "page": page, "rows": rows, "now": now, "review_form": ReviewForm()})


@login_required
@require_POST
@personal_data("list")
def emergency_review(request, access_id: int):
    ea = reviewable(request.user).filter(pk=access_id).first()
    if ea is None:
        raise Http404("緊急時の閲覧の記録が見つかりません")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_emergency_access(request.user, ea, note=form.cleaned_data["note"], request=request)
            messages.success(request, "確認を記録しました。")
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "確認の結果を入力してください。")
    return redirect("emergency_list")
