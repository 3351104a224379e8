"""Account pages: the second factor (enrol with a QR code, verify), password change, own account, staff admin."""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from tsunagu.core.errors import DomainError
from tsunagu.core.forms import apply_domain_error, submit
from tsunagu.directory.models import Staff
from tsunagu.privacy.audit import log_action

from . import lockout, services, staff_admin
from .forms import HandOverForm, StaffCreateForm, TransferForm
from .models import AccountSecurity
from .policy import requires_two_factor

NEW_CODES = "tsunagu_new_recovery_codes"


class CodeForm(forms.Form):
    code = forms.CharField(label="確認コード", max_length=20, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}))


def _next_url(request) -> str:
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    # A path on this site only (never a view name for redirect(), never another host).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
def two_factor(request):
    """The second step of login: enrol an authenticator (first time) or enter a code."""
    user = request.user
    if not requires_two_factor(user):
        return render(request, "accounts/two_factor_not_needed.html")
    if user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    if lockout.is_locked(user.get_username()):
        # Too many wrong passwords or codes: the half-finished sign-in ends here, like a locked login.
        logout(request)
        return lockout.lockout_response(request)
    device = services.totp_device(user)
    enrolling = device is None
    if enrolling:
        device = services.start_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if enrolling:
                codes = services.confirm_enrolment(user, device, form.cleaned_data["code"], request=request)
                request.session[NEW_CODES] = codes
                accepted = device
            else:
                accepted = services.verify_second_factor(user, form.cleaned_data["code"], request=request)
        except DomainError as exc:
            if lockout.is_locked(user.get_username()):
                logout(request)
                return lockout.lockout_response(request)
            apply_domain_error(form, exc)
        else:
            otp_login(request, accepted)
            lockout.signed_in(request, user)
            request.session.cycle_key()  # a new session id once fully signed in
            if enrolling:
                return redirect(f"{reverse('recovery_codes')}?{urlencode({'next': _next_url(request)})}")
            return HttpResponseRedirect(_next_url(request))
    # sign_in_pending: base.html shows no menu (and no counts) before the second factor is passed.
    ctx = {"form": form, "enrolling": enrolling, "next": _next_url(request),
           "required": requires_two_factor(user), "sign_in_pending": True}
    if enrolling:
        qr = segno.make(device.config_url, error="m")
        ctx |= {"qr": qr.svg_data_uri(scale=5, border=2), "secret": _spaced(_base32(device))}
    return render(request, "accounts/two_factor.html", ctx, status=400 if form.errors else 200)


def _base32(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode().rstrip("=")


def _spaced(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@login_required
def recovery_codes(request):
    """Shows the recovery codes made at enrolment (or just renewed), once."""
    codes = request.session.pop(NEW_CODES, None)
    if codes is None and request.method == "POST":
        try:
            codes = services.regenerate_recovery_codes(request.user, request=request)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("account")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


@login_required
def password_change(request):
    security = AccountSecurity.objects.filter(staff_id=request.user.pk).first()
    forced = bool(security and security.must_change_password)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(request.user, request.user, form.cleaned_data["new_password1"],
                                     request=request)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            # This session stays signed in; every other session of the account ends (new password hash).
            update_session_auth_hash(request, request.user)
            messages.success(request, "パスワードを変更しました。ほかの端末のログインは終了しました。")
            return redirect("account")
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced,
                                                              "sign_in_pending": forced},
                  status=400 if form.errors else 200)


@login_required
def account(request):
    user = request.user
    return render(request, "accounts/account.html", {
        "device": services.totp_device(user), "recovery": services.recovery_device(user),
        "required": requires_two_factor(user)})


@login_required
@require_POST
def logout_everywhere(request):
    services.logout_everywhere(request.user, request.user, request=request)
    logout(request)
    return render(request, "accounts/logged_out_everywhere.html")


# ------------------------------------------------------------------------------------------------ staff admin

@login_required
def staff_list(request):
    """職員アカウント: lockouts, second factors, password resets — for the system administrator."""
    services.require_account_admin(request.user)
    staff_admin.apply_due_transfers(municipality_id=request.user.municipality_id)
    staff = list(Staff.objects.filter(municipality_id=request.user.municipality_id)
                 .select_related("agency").prefetch_related("roles").order_by("username"))
    from django_otp.plugins.otp_totp.models import TOTPDevice

    enrolled = set(TOTPDevice.objects.filter(user__in=staff, confirmed=True).values_list("user_id", flat=True))
    locked = lockout.locked_usernames([s.username for s in staff])
    for s in staff:
        s._role_kinds = {r.kind for r in s.roles.all()}  # from the prefetch: no query per row
    rows = [{"staff": s, "locked": s.username in locked, "enrolled": s.pk in enrolled,
             "needs_2fa": requires_two_factor(s)} for s in staff]
    # 役割ごとの担当者: who holds which role now (the 業務担当名簿 follows the same staff rows).
    by_role: dict = {}
    for s in staff:
        if s.is_active:
            for role in s.roles.all():
                by_role.setdefault(role, []).append(s)
    roles = sorted(by_role.items(), key=lambda item: (item[0].sort_order, item[0].pk))
    log_action("staff.listed", actor=request.user, request=request, detail={"count": len(rows)})
    return render(request, "accounts/staff_list.html", {"rows": rows, "roles": roles})


STAFF_ACTIONS = {
    "unlock": (services.unlock, "ログインのロックを解除しました。"),
    "reset_password": (services.reset_password, "パスワードを再設定しました。"),
    "reset_2fa": (services.reset_two_factor, "二要素認証を解除しました。次回のログインで登録し直します。"),
    "logout_everywhere": (services.logout_everywhere, "すべての端末からログアウトさせました。"),
    "deactivate": (staff_admin.deactivate_staff, "アカウントを無効にしました（記録は残ります）。"),
    "reactivate": (staff_admin.reactivate_staff, "アカウントを有効に戻しました。次回ログイン時にパスワードの変更が必要です。"),
}


@login_required
@require_POST
def staff_action(request, staff_id: int, action: str):
    services.require_account_admin(request.user)
    staff = Staff.objects.filter(pk=staff_id, municipality_id=request.user.municipality_id).first()
    if staff is None or action not in STAFF_ACTIONS:
        raise Http404("職員が見つかりません")
    if staff.pk == request.user.pk and action != "logout_everywhere":
        raise PermissionDenied("自分のアカウントはこの画面では変更できません（アカウントの画面から行ってください）")
    service, done = STAFF_ACTIONS[action]
    try:
        result = service(request.user, staff, request=request)
    except DomainError as exc:
        messages.error(request, f"{staff}: {exc.message}")
        return redirect("staff_detail", staff_id=staff.pk)
    if action == "reset_password":
        # Shown once, in this response only: the temporary password is stored nowhere but as a hash.
        return render(request, "accounts/temporary_password.html", {"staff": staff, "password": result})
    messages.success(request, f"{staff}: {done}")
    return redirect("staff_list")


def _admin_staff(request, staff_id: int) -> Staff:
    services.require_account_admin(request.user)
    staff = (Staff.objects.filter(pk=staff_id, municipality_id=request.user.municipality_id)
             .select_related("agency").first())
    if staff is None:
        raise Http404("職員が見つかりません")
    return staff


@login_required
def staff_new(request):
    """職員の登録: the initial password passes Django's validators and must be changed at the first login."""
    services.require_account_admin(request.user)
    form = StaffCreateForm(request.POST or None, user=request.user)
    if request.method == "POST":
        response = submit(request, form, lambda d: staff_admin.create_staff_account(
            request.user, request=request, **d), success="職員を登録しました。初期パスワードを本人に伝えてください"
            "（初回ログイン時に変更が必要です）。",
            on_success=lambda staff: redirect("staff_detail", staff_id=staff.pk), on_error=lambda f: None)
        if response is not None:
            return response
    return render(request, "accounts/staff_new.html", {"form": form}, status=400 if form.errors else 200)


def _staff_context(request, staff, **forms):
    from .models import StaffTransfer

    held = staff_admin.open_work(staff)
    ctx = {
        "staff": staff, "roles": list(staff.roles.all()), "held": held,
        "transfers": StaffTransfer.objects.filter(staff=staff).select_related(
            "from_agency", "to_agency", "from_role", "to_role", "recorded_by")[:50],
        "transfer_form": TransferForm(user=request.user, initial={"effective_on": timezone.localdate(),
                                                                  "agency": staff.agency_id}),
        "handover_form": HandOverForm(user=request.user, staff=staff,
                                      agency_ids=staff_admin.open_work_agencies(staff)),
    }
    ctx.update(forms)
    return ctx


@login_required
def staff_detail(request, staff_id: int):
    """One staff member: agency and role, 人事異動 history, what they hold, hand-over. No case content (G12)."""
    staff = _admin_staff(request, staff_id)
    staff_admin.apply_due_transfers(staff=staff)
    log_action("staff.viewed", actor=request.user, obj=staff, request=request)
    return render(request, "accounts/staff_detail.html", _staff_context(request, staff))


@login_required
@require_POST
def staff_transfer(request, staff_id: int):
    """人事異動: a new agency and role from the 発令日 (applied at once when that day has come)."""
    staff = _admin_staff(request, staff_id)
    form = TransferForm(request.POST, user=request.user)

    def done(transfer):
        if transfer.applied_at is None:
            messages.info(request, "発令日になると反映されます（それまでは今の所属・役割のままです）。")
        return redirect("staff_detail", staff_id=staff.pk)

    response = submit(request, form, lambda d: staff_admin.transfer_staff(request.user, staff, request=request, **d),
                      success="人事異動を登録しました。", on_success=done, on_error=lambda f: None)
    if response is not None:
        return response
    return render(request, "accounts/staff_detail.html", _staff_context(request, staff, transfer_form=form),
                  status=400)


@login_required
@require_POST
def staff_hand_over(request, staff_id: int):
    """Open cases and consultations of this staff member go to a successor of the same agency."""
    staff = _admin_staff(request, staff_id)
    form = HandOverForm(request.POST, user=request.user, staff=staff,
                        agency_ids=staff_admin.open_work_agencies(staff))

    def done(counts):
        messages.info(request, f"事例 {counts['cases']}件・相談 {counts['consultations']}件を引き継ぎました。")
        return redirect("staff_detail", staff_id=staff.pk)

    response = submit(request, form, lambda d: staff_admin.hand_over(request.user, staff, d["successor"],
                                                                     request=request),
                      success="後任に引き継ぎました。", on_success=done, on_error=lambda f: None)
    if response is not None:
        return response
    return render(request, "accounts/staff_detail.html", _staff_context(request, staff, handover_form=form),
                  status=400)


# ------------------------------------------------------------------------------------------------ API tokens

@login_required
def api_tokens(request):
    """APIトークン: issued to one staff account, with scopes and an expiry; the clear token is shown once."""
    from . import tokens
    from .models import ApiToken

    services.require_account_admin(request.user)
    staff_qs = Staff.objects.filter(municipality_id=request.user.municipality_id, is_active=True).order_by("username")

    class TokenForm(forms.Form):
        staff = forms.ModelChoiceField(label="職員", queryset=staff_qs,
                                         error_messages={"required": "職員を選んでください。",
                                                         "invalid_choice": "職員が見つかりません。"})
        name = forms.CharField(label="用途（つなぐ先のシステムなど）", max_length=100,
                                 error_messages={"required": "用途を入力してください。"})
        scopes = forms.MultipleChoiceField(label="権限", choices=list(tokens.SCOPE_LABELS.items()),
                                             widget=forms.CheckboxSelectMultiple,
                                             error_messages={"required": "権限を一つ以上選んでください。"})
        days = forms.IntegerField(label="有効期限（日数）", min_value=1, max_value=tokens.MAX_DAYS, initial=30,
                                    error_messages={"required": "有効期限の日数を入力してください。"})

    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            token, raw = tokens.issue_token(request.user, d["staff"], name=d["name"], scopes=d["scopes"],
                                            days=d["days"], request=request)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            issued = {"token": token, "raw": raw}
            form = TokenForm()
    rows = list(ApiToken.objects.filter(municipality_id=request.user.municipality_id)
                .select_related("staff", "created_by")[:500])
    log_action("api_token.listed", actor=request.user, request=request, detail={"count": len(rows)})
    response = render(request, "accounts/api_tokens.html", {
        "form": form, "rows": rows, "issued": issued, "labels": tokens.SCOPE_LABELS, "now": timezone.now(),
        "max_days_two_factor": tokens.MAX_DAYS_TWO_FACTOR}, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request, token_id: int):
    from . import tokens
    from .models import ApiToken

    services.require_account_admin(request.user)
    token = ApiToken.objects.filter(pk=token_id, municipality_id=request.user.municipality_id).first()
    if token is None:
        raise Http404("トークンが見つかりません")
    tokens.revoke_token(request.user, token, request=request)
    messages.success(request, f"トークン {token.prefix}… を失効させました。")
    return redirect("api_tokens")
