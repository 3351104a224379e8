"""Upload to and download from a record: always through the record's own access helper (404 when invisible)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from tsunagu.core.errors import DomainError
from tsunagu.privacy import access
from tsunagu.privacy.decorators import personal_data

from . import services
from .forms import AttachmentForm
from .models import Attachment
from .targets import fetch

DETAIL = {"consultation": ("consultation_detail", "consultation_id"), "case": ("case_detail", "case_id")}


def _attach(request, target_type: str, target_id: int):
    record, person, _, _ = fetch(request.user, target_type, target_id, for_update=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(request.user, target_type=target_type, target=record, person=person,
                                    upload=form.cleaned_data["file"], kind=form.cleaned_data["kind"],
                                    sensitive=form.cleaned_data["sensitive"], request=request)
            messages.success(request, "ファイルを添付しました。")
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "添付できませんでした: " + "・".join(e for errs in form.errors.values() for e in errs))
    name, kwarg = DETAIL[target_type]
    return redirect(name, **{kwarg: record.pk})


@login_required
@require_POST
@personal_data("consultation")
def consultation_attach(request, consultation_id: int):
    return _attach(request, "consultation", consultation_id)


@login_required
@require_POST
@personal_data("case")
def case_attach(request, case_id: int):
    return _attach(request, "case", case_id)


@login_required
@personal_data("attachment")
def attachment_download(request, attachment_id: int):
    attachment = Attachment.objects.filter(municipality_id=request.user.municipality_id, pk=attachment_id).first()
    if attachment is None:
        raise Http404("添付ファイルが見つからないか、閲覧する権限がありません")
    record, person, classes, sight = fetch(request.user, attachment.target_type, attachment.target_id)
    if not services.required_classes(attachment, person) <= classes:
        raise Http404("添付ファイルが見つからないか、閲覧する権限がありません")
    path = services.root() / attachment.stored_as
    if not path.is_file():
        raise Http404("添付ファイルの本体が見つかりません。システム管理者にお知らせください")
    access.audit_read("attachment.downloaded", user=request.user, request=request, obj=attachment,
                      reads=[(person.pk, attachment.target_type, record.pk, sight.audit())],
                      detail={"target": attachment.target_type, "target_id": record.pk})
    return FileResponse(open(path, "rb"), as_attachment=True, filename=attachment.title,
                        content_type=attachment.content_type)
