"""職員管理 for the municipality's system administrator: create, deactivate, 人事異動 (agency/role from a date) and
the hand-over of a leaving worker's open cases and consultations to a successor. Each write is atomic and audited.

The access policy reads a staff member's *current* agency and role (ACCESS.md §2), so a transfer that is applied
changes what the person may see at their next request; nothing else needs to follow.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tsunagu.core.wareki import fiscal_year_of
from tsunagu.directory.models import CASEWORK_ROLE_KINDS, Agency, Role, Staff
from tsunagu.directory.services import DirectoryError, create_staff
from tsunagu.privacy.audit import log_action

from .models import AccountSecurity, StaffTransfer
from .services import AccountError, check_password_rules, require_account_admin, security_of

OPEN_CONSULTATION_STATUSES = ("open", "referred")


def _same_municipality(actor, obj, field: str, label: str) -> None:
    if obj is not None and obj.municipality_id != actor.municipality_id:
        raise AccountError(f"{label}が見つかりません", field=field)


def _end_sessions(staff) -> None:
    security = security_of(staff)
    AccountSecurity.objects.filter(pk=security.pk).update(session_epoch=F("session_epoch") + 1)


# ------------------------------------------------------------------------------------------------ create

@transaction.atomic
def create_staff_account(actor, *, username: str, display_name: str, password: str, agency: Agency | None,
                         role: Role | None, request=None) -> Staff:
    """A new account with an initial password the administrator hands over; it must be changed at first login."""
    require_account_admin(actor)
    username = (username or "").strip()
    if not username:
        raise AccountError("ユーザー名を入力してください", field="username")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise AccountError("ユーザー名には英数字と @ . + - _ だけが使えます", field="username") from None
    if Staff.objects.filter(username=username).exists():
        raise AccountError(f"ユーザー名「{username}」は既に使われています", field="username")
    if not (display_name or "").strip():
        raise AccountError("氏名を入力してください", field="display_name")
    if role is None:
        raise AccountError("役割を選んでください", field="role")
    _same_municipality(actor, agency, "agency", "所属機関")
    _same_municipality(actor, role, "role", "役割")
    if role.kind in CASEWORK_ROLE_KINDS and agency is None:
        raise AccountError("相談・多機関協働の役割には所属機関が必要です（閲覧の範囲は所属機関で決まります）",
                           field="agency")
    check_password_rules(password, Staff(username=username, display_name=display_name), field="password")
    try:
        staff = create_staff(actor=actor, municipality=actor.municipality, username=username,
                             display_name=display_name.strip(), password=password, agency=agency, roles=[role])
    except DirectoryError as exc:
        raise AccountError(str(exc)) from None
    AccountSecurity.objects.update_or_create(staff_id=staff.pk, defaults={"must_change_password": True})
    return staff


# ------------------------------------------------------------------------------------------------ deactivate

def open_work(staff) -> dict[str, int]:
    """What a staff member still holds: open cases as coordinator, open consultations as the receiving worker."""
    from tsunagu.casework.models import Case
    from tsunagu.intake.models import Consultation

    return {
        "cases": Case.objects.filter(municipality_id=staff.municipality_id, coordinator=staff,
                                     status__in=Case.OPEN_STATUSES).count(),
        "consultations": Consultation.objects.filter(municipality_id=staff.municipality_id, received_by=staff,
                                                     status__in=OPEN_CONSULTATION_STATUSES).count(),
    }


def open_work_agencies(staff) -> set[int]:
    """The agencies whose open records the staff member holds (a successor must belong to one of them)."""
    from tsunagu.casework.models import Case
    from tsunagu.intake.models import Consultation

    ids = set(Case.objects.filter(municipality_id=staff.municipality_id, coordinator=staff,
                                  status__in=Case.OPEN_STATUSES).values_list("coordinating_agency_id", flat=True))
    ids |= set(Consultation.objects.filter(municipality_id=staff.municipality_id, received_by=staff,
                                           status__in=OPEN_CONSULTATION_STATUSES).values_list("agency_id", flat=True))
    return ids or ({staff.agency_id} if staff.agency_id else set())


@transaction.atomic
def deactivate_staff(actor, staff, *, request=None) -> None:
    """退職・休職: the account can no longer log in and its sessions end; its records stay. Refused while the person
    still holds open cases or consultations, so nothing is left without a worker."""
    require_account_admin(actor, staff)
    if staff.pk == actor.pk:
        raise AccountError("自分のアカウントは無効にできません")
    if not staff.is_active:
        raise AccountError("この職員はすでに無効です")
    held = open_work(staff)
    if held["cases"] or held["consultations"]:
        raise AccountError(f"対応中の事例 {held['cases']}件・相談 {held['consultations']}件があります。"
                           "先に後任へ引き継いでください")
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    _end_sessions(staff)
    log_action("staff.deactivated", actor=actor, obj=staff, request=request)


@transaction.atomic
def reactivate_staff(actor, staff, *, request=None) -> None:
    require_account_admin(actor, staff)
    if staff.is_active:
        raise AccountError("この職員はすでに有効です")
    staff.is_active = True
    staff.save(update_fields=["is_active"])
    AccountSecurity.objects.update_or_create(staff_id=staff.pk, defaults={"must_change_password": True})
    log_action("staff.reactivated", actor=actor, obj=staff, request=request)


# ------------------------------------------------------------------------------------------------ 人事異動

def current_role(staff) -> Role | None:
    return staff.roles.order_by("sort_order", "id").first()


@transaction.atomic
def transfer_staff(actor, staff, *, effective_on: dt.date, agency: Agency | None, role: Role | None,
                   note: str = "", request=None, today: dt.date | None = None) -> StaffTransfer:
    """人事異動: a new agency and/or role from `effective_on`. Applied now when that date has come, else on it."""
    require_account_admin(actor, staff)
    today = today or timezone.localdate()
    if effective_on is None:
        raise AccountError("発令日を入力してください", field="effective_on")
    if role is None:
        raise AccountError("異動後の役割を選んでください", field="role")
    _same_municipality(actor, agency, "agency", "所属機関")
    _same_municipality(actor, role, "role", "役割")
    if not staff.is_active:
        raise AccountError("無効の職員は異動できません")
    if role.kind in CASEWORK_ROLE_KINDS and agency is None:
        raise AccountError("相談・多機関協働の役割には所属機関が必要です", field="agency")
    from_role = current_role(staff)
    if agency == staff.agency and role == from_role:
        raise AccountError("所属も役割も今と同じです", field="agency")
    if StaffTransfer.objects.filter(staff=staff, applied_at__isnull=True).exists():
        raise AccountError("この職員にはまだ反映されていない異動があります（発令日を待っています）",
                           field="effective_on")
    transfer = StaffTransfer.objects.create(
        municipality_id=staff.municipality_id, staff=staff, effective_on=effective_on,
        from_agency=staff.agency, to_agency=agency, from_role=from_role, to_role=role, note=(note or "").strip(),
        recorded_by=actor)
    log_action("staff.transfer_recorded", actor=actor, obj=staff, request=request,
               detail={"transfer": transfer.pk, "effective_on": effective_on.isoformat(),
                       "to_agency": agency.code if agency else None, "to_role": role.code})
    if effective_on <= today:
        _apply(transfer, actor=actor, request=request)
    return transfer


def _apply(transfer: StaffTransfer, *, actor=None, request=None) -> None:
    from tsunagu.meetings.governance_models import RosterEntry

    staff = Staff.objects.select_for_update().get(pk=transfer.staff_id)
    staff.agency = transfer.to_agency
    staff.save(update_fields=["agency"])
    staff.roles.set([transfer.to_role] if transfer.to_role else [])
    StaffTransfer.objects.filter(pk=transfer.pk).update(applied_at=timezone.now())
    # The 業務担当名簿 of the year follows the move: the person's line moves to the new agency.
    moved = 0
    if transfer.from_agency_id and transfer.to_agency_id and transfer.from_agency_id != transfer.to_agency_id:
        moved = RosterEntry.objects.filter(
            municipality_id=staff.municipality_id, fiscal_year=fiscal_year_of(transfer.effective_on),
            agency_id=transfer.from_agency_id, staff_name=str(staff)).update(agency_id=transfer.to_agency_id)
    log_action("staff.transferred", actor=actor, municipality=staff.municipality, obj=staff, request=request,
               actor_label="" if actor else "(発令日による反映)",
               detail={"transfer": transfer.pk, "effective_on": transfer.effective_on.isoformat(),
                       "from_agency": transfer.from_agency_id, "to_agency": transfer.to_agency_id,
                       "from_role": transfer.from_role_id, "to_role": transfer.to_role_id, "roster_moved": moved})


def apply_due_transfers(*, municipality_id: int | None = None, staff=None, today: dt.date | None = None) -> int:
    """Apply every transfer whose 発令日 has come (at login, on the staff page, or from a command)."""
    today = today or timezone.localdate()
    qs = StaffTransfer.objects.filter(applied_at__isnull=True, effective_on__lte=today)
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    if staff is not None:
        qs = qs.filter(staff_id=staff.pk)
    done = 0
    for transfer in qs.order_by("effective_on", "id"):
        with transaction.atomic():
            locked = StaffTransfer.objects.select_for_update().get(pk=transfer.pk)
            if locked.applied_at is None:
                _apply(locked)
                done += 1
    return done


@transaction.atomic
def cancel_transfer(actor, transfer: StaffTransfer, *, request=None) -> None:
    require_account_admin(actor, transfer.staff)
    if transfer.applied_at is not None:
        raise AccountError("反映済みの異動は取り消せません（新しい異動を登録してください）")
    log_action("staff.transfer_cancelled", actor=actor, obj=transfer.staff, request=request,
               detail={"transfer": transfer.pk, "effective_on": transfer.effective_on.isoformat()})
    transfer.delete()


# ------------------------------------------------------------------------------------------------ hand-over

@transaction.atomic
def hand_over(actor, staff, successor, *, request=None) -> dict[str, int]:
    """A leaving worker's open cases (as 担当コーディネーター) and open consultations (as 受付者) go to a successor
    in the same agency with a casework role, so the records stay with the agency that holds them (G1, G5)."""
    from tsunagu.casework.models import Case
    from tsunagu.intake.models import Consultation

    require_account_admin(actor, staff)
    if successor is None:
        raise AccountError("後任を選んでください", field="successor")
    require_account_admin(actor, successor)
    if successor.pk == staff.pk:
        raise AccountError("後任には別の職員を選んでください", field="successor")
    if not successor.is_active:
        raise AccountError("後任のアカウントが無効です", field="successor")
    cases = Case.objects.select_for_update().filter(municipality_id=staff.municipality_id, coordinator=staff,
                                                    status__in=Case.OPEN_STATUSES)
    consultations = Consultation.objects.select_for_update().filter(
        municipality_id=staff.municipality_id, received_by=staff, status__in=OPEN_CONSULTATION_STATUSES)
    case_list, consultation_list = list(cases), list(consultations)
    if not case_list and not consultation_list:
        raise AccountError("引き継ぐ対応中の事例・相談がありません", field="successor")
    if case_list and successor.role_kind != "coordinator":
        raise AccountError("事例の後任は多機関協働の担当（コーディネーター）から選んでください", field="successor")
    if consultation_list and not successor.is_casework:
        raise AccountError("相談の後任は相談を受ける役割の職員から選んでください", field="successor")
    if any(c.coordinating_agency_id != successor.agency_id for c in case_list) or any(
            c.agency_id != successor.agency_id for c in consultation_list):
        raise AccountError("後任は同じ機関の職員から選んでください（記録はその機関のものです）", field="successor")
    for case in case_list:
        Case.objects.filter(pk=case.pk).update(coordinator=successor)
        log_action("case.handed_over", actor=actor, obj=case, request=request,
                   detail={"from": staff.pk, "to": successor.pk})
    for consultation in consultation_list:
        Consultation.objects.filter(pk=consultation.pk).update(received_by=successor)
        log_action("consultation.handed_over", actor=actor, obj=consultation, request=request,
                   detail={"from": staff.pk, "to": successor.pk})
    counts = {"cases": len(case_list), "consultations": len(consultation_list)}
    log_action("staff.handed_over", actor=actor, obj=staff, request=request,
               detail={"to": successor.pk, **counts})
    return counts

