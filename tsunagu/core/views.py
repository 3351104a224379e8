from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from tsunagu.core.wareki import fiscal_year_of


@login_required
def home(request):
    from tsunagu.casework.today import today_for

    user = request.user
    return render(request, "core/home.html", {
        "work": today_for(user, limit=0),  # the counts only
        "roles": user.roles.filter(active=True),
        "today": timezone.localdate(),
        "fiscal_year": fiscal_year_of(timezone.localdate()),
    })


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_403(request, exception=None):
    # The services' refusals are written for staff in Japanese ("名寄せの確認は、多機関協働の担当者…だけが
    # 行えます"); show that reason, never an internal (English) message.
    reason = str(exception or "")
    if not any("\u3040" <= ch <= "\u9fff" for ch in reason):
        reason = ""
    return render(request, "errors/403.html", {"reason": reason}, status=403)


def error_400(request, exception=None):
    return render(request, "errors/400.html", status=400)


def error_500(request):
    # Rendered without the request context: the failure may be in the database or the session.
    return HttpResponse(render_to_string("errors/500.html"), status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", status=403)


@login_required
def date_echo(request):
    """The 和暦 echo of a date box (core.forms.WarekiInput): the box's own value, whatever its name."""
    from django.utils.html import format_html

    from tsunagu.core.forms import echo_date

    kind = "datetime" if request.GET.get("kind") == "datetime" else "date"
    value = next((v for k, v in request.GET.items() if k != "kind"), "")
    ok, message = echo_date(value, kind)
    return HttpResponse(format_html('<span class="{}">{}</span>', "muted" if ok else "error", message))
