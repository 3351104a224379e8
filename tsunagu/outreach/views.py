from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error, submit
from tsunagu.core.idempotency import once_per_form
from tsunagu.directory.models import MeetingType
from tsunagu.directory.names import role_title
from tsunagu.directory.statutes import SUPPORT_MEETING
from tsunagu.privacy import access
from tsunagu.privacy.audit import log_action
from tsunagu.privacy.decorators import personal_data

from . import services
from .forms import AgendaForm, AgreementForm, ConsentForm, ContactForm, StageForm, TargetForm
from .models import InfoAgreement, OutreachTarget
from .policy import access_target_by_id, is_outreach_staff


def _require_outreach(request):
    if not is_outreach_staff(request.user) or not request.user.agency_id:
        raise PermissionDenied(f"この画面は{role_title(request.user.municipality, 'outreach')}だけが使えます")


@login_required
@personal_data("list")
def target_list(request):
    """The targets this user holds a grant on: their own (G8), or those on their 支援会議 agendas (G6, ID only)."""
    stage = request.GET.get("stage", "")
    qs = OutreachTarget.objects.visible_to(request.user).select_related("district", "assigned_to")
    if stage in dict(OutreachTarget.STAGE_CHOICES):
        qs = qs.filter(stage=stage)
    targets = list(qs[:300])
    full = set(access.user_grants(request.user).filter(kind="G8", target_id__in=[t.pk for t in targets])
               .values_list("target_id", flat=True))
    log_action("outreach.target_listed", actor=request.user, request=request,
               detail={"stage": stage, "ids": [t.pk for t in targets]})
    return render(request, "outreach/target_list.html", {
        "rows": [(t, t.pk in full) for t in targets], "stage": stage, "stages": OutreachTarget.STAGE_CHOICES,
        "outreach_staff": is_outreach_staff(request.user)})


@login_required
@personal_data("form")
@once_per_form
def target_new(request):
    _require_outreach(request)
    form = TargetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.register_target(request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "アウトリーチ対象者を登録しました。接触の試みを記録してください。")
            return redirect("outreach_target_detail", target_id=target.pk)
    return render(request, "outreach/target_form.html", {"form": form}, status=400 if form.errors else 200)


def _context(request, target, classes, **forms):
    full = classes == access.ALL
    links = list(target.agenda_links.select_related("item__meeting__meeting_type")) if full else []
    ctx = {"t": target, "staff": full, "full": full,
           "attempts": list(target.attempts.select_related("recorded_by")) if full else [],
           "links": links, "contact_form": ContactForm(), "stage_form": StageForm(),
           "agenda_form": AgendaForm(user=request.user) if full else None,
           "has_support_meeting_type": MeetingType.objects.filter(
               municipality_id=request.user.municipality_id, active=True, statute=SUPPORT_MEETING).exists()}
    ctx.update(forms)
    return ctx


@login_required
@personal_data("outreach")
def target_detail(request, target_id: int):
    target, sight, classes = access_target_by_id(request.user, target_id)
    log_action("outreach.target_viewed", actor=request.user, obj=target, request=request, grants=sight.audit())
    return render(request, "outreach/target_detail.html", _context(request, target, classes))


def _post(request, target, form, action, success, form_name):
    return submit(request, form, action, success=success,
                  on_success=lambda _: redirect("outreach_target_detail", target_id=target.pk),
                  on_error=lambda form: render(request, "outreach/target_detail.html",
                                               _context(request, target, access.ALL, **{form_name: form}),
                                               status=400))


@login_required
@require_POST
@personal_data("outreach")
@once_per_form
def target_contact(request, target_id: int):
    target, _, _ = access_target_by_id(request.user, target_id, for_update=True)
    return _post(request, target, ContactForm(request.POST), lambda d: services.record_contact(
        request.user, target, request=request, **d), "接触の試みを記録しました。", "contact_form")


@login_required
@require_POST
@personal_data("outreach")
def target_stage(request, target_id: int):
    target, _, _ = access_target_by_id(request.user, target_id, for_update=True)
    return _post(request, target, StageForm(request.POST), lambda d: services.change_stage(
        request.user, target, request=request, **d), "段階を変更しました。", "stage_form")


@login_required
@require_POST
@personal_data("outreach")
def target_agenda(request, target_id: int):
    target, _, _ = access_target_by_id(request.user, target_id, for_update=True)
    form = AgendaForm(request.POST, user=request.user)
    return _post(request, target, form, lambda d: services.put_on_agenda(
        request.user, target, d["meeting"], summary=d["summary"], request=request),
        "支援会議の議題に加えました。守秘義務を確認した構成員だけが閲覧できます。", "agenda_form")


@login_required
@personal_data("outreach")
def target_consent(request, target_id: int):
    """同意取得: the person and a 本人同意あり consultation are created from the target — nothing retyped."""
    target, _, _ = access_target_by_id(request.user, target_id, for_update=True)
    form = ConsentForm(request.POST or None, initial={"name": target.name, "kana": target.kana,
                                                      "birth_date": target.birth_date})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            consultation = services.obtain_consent(
                request.user, target, name=d["name"], kana=d["kana"], birth_date=d["birth_date"],
                consent=form.consent(request.user.agency), request=request)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            # G8 ends with the hand-over: the consultation is now a record of the agency's casework roles.
            messages.success(request, f"同意を記録し、{consultation.agency.name}の相談受付に引き継ぎました"
                                      f"（{consultation}）。以降は相談支援の担当が対応します。")
            return redirect("outreach_target_list")
    log_action("outreach.target_viewed", actor=request.user, obj=target, request=request)
    return render(request, "outreach/consent_form.html", {"t": target, "form": form},
                  status=400 if form.errors else 200)


@login_required
def agreement_list(request):
    """情報提供協定: agreements with partners (no personal data)."""
    if not (is_outreach_staff(request.user) or request.user.has_role_kind("manager")):
        m = request.user.municipality
        raise PermissionDenied(f"情報提供協定は{role_title(m, 'outreach')}と{role_title(m, 'manager')}だけが扱えます")
    form = AgreementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_agreement(request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "情報提供協定を記録しました。")
            return redirect("outreach_agreements")
    agreements = InfoAgreement.objects.for_municipality(request.user.municipality)
    return render(request, "outreach/agreements.html", {"agreements": agreements, "form": form},
                  status=400 if form.errors else 200)
