"""Double submits are idempotent: a form carries a one-time token; the first submit that saves something
claims it, and any later submit of the same token is sent to the first result.

The claim and the view's writes share one transaction, so two submits at the same moment cannot both save:
the second one's claim waits for the first to commit (a unique row; SQLite serialises writers anyway) and
then finds the token taken. A submit that saves nothing (errors on the form) gives its token back.
"""

from __future__ import annotations

import functools
import uuid

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render

from .models import SubmittedForm

FIELD = "form_token"


def token_of(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(request.POST.get(FIELD, "")))
    except ValueError:
        return None


def once_per_form(view):
    """Decorate a view whose successful POST ends in a redirect to what it created."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        token = token_of(request) if request.method == "POST" else None
        if token is None or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    SubmittedForm.objects.create(token=token, staff_id=request.user.pk, path=request.path[:300])
            except IntegrityError:
                prior = SubmittedForm.objects.filter(token=token).first()
                if prior is not None and prior.staff_id == request.user.pk and prior.result_url:
                    messages.info(request, "同じ内容はすでに受け付けています（二重送信は記録しませんでした）。")
                    return redirect(prior.result_url)
                return render(request, "errors/duplicate.html", status=409)
            response = view(request, *args, **kwargs)
            if response.status_code in (301, 302, 303) and response.has_header("Location"):
                SubmittedForm.objects.filter(token=token).update(result_url=response["Location"][:300])
            else:
                SubmittedForm.objects.filter(token=token).delete()
        return response

    return wrapper
