"""Pages of 訂正と履歴: correcting a person, a household, a consultation (and the assessment's history), and the
notices an agency receives when a record it was given is corrected.

Who corrects: the agency that recorded the record (G1), through the services of its app. Who reads a history:
whoever may see the record, through the record's own fetch-and-authorise helper, and only the changes of the
field classes that reader sees (privacy.corrections).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tsunagu.core.concurrency import EditConflict, EditVersionField, conflict_response, edit_version
from tsunagu.core.errors import DomainError
from tsunagu.core.forms import JapaneseDateField, JapaneseDateTimeField, apply_domain_error
from tsunagu.intake import services as intake_services
from tsunagu.intake.policy import access_consultation_by_id, consultation_classes
from tsunagu.intake.vocab import SENSITIVE_CATEGORIES, URGENCIES, issue_tags_for
from tsunagu.people import services as people_services
from tsunagu.people.models import Household, Person
from tsunagu.people.policy import access_person_by_id
from tsunagu.privacy import access, corrections
from tsunagu.privacy.decorators import personal_data

from . import services as casework_services
from .models import ProgressNote, SupportPlan
from .policy import access_case_by_id, case_classes

REASON = {"required": "訂正の理由を入力してください。"}


def _reason_field():
    return forms.CharField(label="訂正の理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages=REASON,
                           help_text="例: 転居による住所の変更、聞き取りの誤りの訂正。履歴に残り、記録を見られる人に表示されます")


class PersonCorrectionForm(forms.Form):
    edit_version = EditVersionField()
    name = forms.CharField(label="氏名", max_length=100, error_messages={"required": "氏名を入力してください。"})
    kana = forms.CharField(label="フリガナ", max_length=100, required=False)
    birth_date = JapaneseDateField(label="生年月日", required=False)
    sex = forms.ChoiceField(label="性別", choices=Person.SEX_CHOICES, required=False)
    address = forms.CharField(label="住所", max_length=300, required=False)
    phone = forms.CharField(label="電話", max_length=40, required=False)
    nationality = forms.CharField(label="国籍", max_length=60, required=False)
    language = forms.CharField(label="使用言語", max_length=60, required=False)
    address_masked = forms.BooleanField(label="住所を他機関に表示しない（DV・虐待）", required=False)
    reason = _reason_field()


class HouseholdCorrectionForm(forms.Form):
    edit_version = EditVersionField()
    label = forms.CharField(label="世帯名", max_length=100, error_messages={"required": "世帯名を入力してください。"})
    reason = _reason_field()


class ConsultationCorrectionForm(forms.Form):
    edit_version = EditVersionField()
    consulter_name = forms.CharField(label="相談者の氏名・機関名（本人以外の場合）", max_length=100, required=False)
    chief_complaint = forms.CharField(label="主訴（要旨）", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                                      error_messages={"required": "主訴を入力してください。"})
    detail = forms.CharField(label="相談の内容（詳しく）", required=False, widget=forms.Textarea(attrs={"rows": 5}),
                             max_length=20000)
    issue_tags = forms.MultipleChoiceField(label="課題", required=False, widget=forms.CheckboxSelectMultiple)
    urgency = forms.ChoiceField(label="緊急度", choices=URGENCIES, widget=forms.RadioSelect,
                                error_messages={"required": "緊急度を選んでください。"})
    sensitive_categories = forms.MultipleChoiceField(label="要配慮個人情報の種類", required=False,
                                                     choices=[(c, c) for c in SENSITIVE_CATEGORIES],
                                                     widget=forms.CheckboxSelectMultiple)
    sensitive_notes = forms.CharField(label="要配慮個人情報の内容", required=False, max_length=4000,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    reason = _reason_field()

    def __init__(self, *args, user, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        tags = list(issue_tags_for(user.municipality))
        tags += [t for t in consultation.issue_tags if t not in tags]
        self.fields["issue_tags"].choices = [(t, t) for t in tags]


class PlanCorrectionForm(forms.Form):
    edit_version = EditVersionField()
    long_term_goal = forms.CharField(label="長期目標", widget=forms.Textarea(attrs={"rows": 2}),
                                     error_messages={"required": "長期目標を入力してください。"})
    short_term_goals = forms.CharField(label="短期目標", widget=forms.Textarea(attrs={"rows": 3}),
                                       error_messages={"required": "短期目標を入力してください。"})
    review_date = JapaneseDateField(label="見直し日", error_messages={"required": "見直し日を入力してください。"})
    reason = _reason_field()


class NoteCorrectionForm(forms.Form):
    edit_version = EditVersionField()
    occurred_at = JapaneseDateTimeField(label="日時", error_messages={"required": "日時を入力してください。"})
    kind = forms.ChoiceField(label="種類", choices=ProgressNote.KIND_CHOICES)
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=8000,
                           error_messages={"required": "内容を入力してください。"})
    reason = _reason_field()


def _initial(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields} | {"edit_version": edit_version(obj, fields)}


def _correct(request, *, form, run, title: str, back_url: str, template_ctx: dict, done: str):
    """Run a correction service from a bound form: the page again with the error, or the conflict page (409)."""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            run(d)
        except EditConflict as exc:
            return conflict_response(request, exc, title=title, back_url=back_url)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, done)
            return None
    return render(request, "casework/correction_form.html", {**template_ctx, "form": form, "title": title,
                                                              "back_url": back_url},
                  status=400 if form.errors else 200)


def _history_page(request, *, title: str, back_url: str, rows, created_at, created_by_agency, hidden_note=""):
    return render(request, "casework/correction_history.html", {
        "title": title, "back_url": back_url, "rows": rows, "created_at": created_at,
        "created_by_agency": created_by_agency, "hidden_note": hidden_note})


# ------------------------------------------------------------------------------------------------ 本人

@login_required
@personal_data("person")
def person_correct(request, person_id: int):
    person, sight = access_person_by_id(request.user, person_id)
    if not access.owns(request.user, person.recorded_by_agency_id):
        raise PermissionDenied("本人の記録を訂正できるのは、記録した機関の相談支援の職員だけです")
    fields = people_services.PERSON_FIELDS
    form = PersonCorrectionForm(request.POST or None, initial=_initial(person, fields))
    back = reverse("person_detail", args=[person.pk])
    response = _correct(
        request, form=form, title=f"{person.name} さんの基本情報の訂正", back_url=back, template_ctx={},
        done="訂正しました。訂正前の内容は履歴に残っています。",
        run=lambda d: people_services.correct_person(request.user, person, {k: d.get(k) for k in fields},
                                                     reason=d["reason"], edit_version=d["edit_version"],
                                                     request=request))
    if response is None:
        return redirect("person_history", person_id=person.pk)
    access.audit_read("person.viewed", user=request.user, request=request, obj=person,
                      reads=[(person.pk, "person", person.pk, sight.audit())], detail={"page": "correct"})
    return response


@login_required
@personal_data("person")
def person_history(request, person_id: int):
    person, sight = access_person_by_id(request.user, person_id)
    pv = sight.person(person)
    rows = corrections.history("person", person.pk, pv.classes, municipality_id=person.municipality_id,
                               masked_now=person.address_masked)
    access.audit_read("record.history_viewed", user=request.user, request=request, obj=person,
                      reads=[(person.pk, "person", person.pk, sight.audit())], detail={"record": "person"})
    return _history_page(request, title=f"{person.name} さんの記録の訂正履歴", back_url=reverse("person_detail", args=[person.pk]),
                         rows=rows, created_at=person.created_at, created_by_agency=person.recorded_by_agency,
                         hidden_note="" if pv.own else "あなたの機関に共有されている項目の変更だけを表示しています。")


# ------------------------------------------------------------------------------------------------ 世帯

def _household_of(user, person_id, household_id):
    person, sight = access_person_by_id(user, person_id)
    household = Household.objects.filter(pk=household_id, municipality_id=person.municipality_id,
                                         members__person=person).select_related("recorded_by_agency").first()
    if household is None:
        raise Http404("世帯の記録が見つからないか、閲覧する権限がありません")
    classes = sight.classes("household", household.pk, owner_agency_id=household.recorded_by_agency_id)
    if access.BASIC not in classes:
        raise Http404("世帯の記録が見つからないか、閲覧する権限がありません")
    return person, household, sight, classes


@login_required
@personal_data("person")
def household_correct(request, person_id: int, household_id: int):
    person, household, sight, _ = _household_of(request.user, person_id, household_id)
    if not access.owns(request.user, household.recorded_by_agency_id):
        raise PermissionDenied("世帯の記録を訂正できるのは、記録した機関の相談支援の職員だけです")
    form = HouseholdCorrectionForm(request.POST or None, initial=_initial(household, ["label"]))
    response = _correct(
        request, form=form, title=f"世帯の訂正（{household.label}）", back_url=reverse("person_detail", args=[person.pk]),
        template_ctx={}, done="世帯を訂正しました。訂正前の内容は履歴に残っています。",
        run=lambda d: people_services.correct_household(request.user, household, d, reason=d["reason"],
                                                        edit_version=d["edit_version"], request=request))
    if response is None:
        return redirect("household_history", person_id=person.pk, household_id=household.pk)
    access.audit_read("person.viewed", user=request.user, request=request, obj=household,
                      reads=[(person.pk, "household", household.pk, sight.audit())], detail={"page": "correct"})
    return response


@login_required
@personal_data("person")
def household_history(request, person_id: int, household_id: int):
    person, household, sight, classes = _household_of(request.user, person_id, household_id)
    rows = corrections.history("household", household.pk, classes, municipality_id=household.municipality_id)
    access.audit_read("record.history_viewed", user=request.user, request=request, obj=household,
                      reads=[(person.pk, "household", household.pk, sight.audit())], detail={"record": "household"})
    return _history_page(request, title=f"世帯の訂正履歴（{household.label}）", back_url=reverse("person_detail", args=[person.pk]),
                         rows=rows, created_at=household.created_at, created_by_agency=household.recorded_by_agency)


# ------------------------------------------------------------------------------------------------ 相談

@login_required
@personal_data("consultation")
def consultation_correct(request, consultation_id: int):
    consultation, sight = access_consultation_by_id(request.user, consultation_id, for_update=True)
    fields = intake_services.CONSULTATION_CORRECTION_FIELDS
    form = ConsultationCorrectionForm(request.POST or None, initial=_initial(consultation, fields),
                                      user=request.user, consultation=consultation)
    back = reverse("consultation_detail", args=[consultation.pk])
    response = _correct(
        request, form=form, title=f"相談 #{consultation.pk} の訂正", back_url=back, template_ctx={},
        done="相談を訂正しました。訂正前の内容は履歴に残り、この相談を受け取った機関にお知らせしました。",
        run=lambda d: intake_services.correct_consultation(request.user, consultation, d, reason=d["reason"],
                                                           edit_version=d["edit_version"], request=request))
    if response is None:
        return redirect("consultation_history", consultation_id=consultation.pk)
    access.audit_read("consultation.viewed", user=request.user, request=request, obj=consultation,
                      reads=[(consultation.person_id, "consultation", consultation.pk, sight.audit())],
                      detail={"page": "correct"})
    return response


@login_required
@personal_data("consultation")
def consultation_history(request, consultation_id: int):
    consultation, sight = access_consultation_by_id(request.user, consultation_id)
    classes = consultation_classes(sight, consultation)
    rows = corrections.history("consultation", consultation.pk, classes,
                               municipality_id=consultation.municipality_id)
    access.audit_read("record.history_viewed", user=request.user, request=request, obj=consultation,
                      reads=[(consultation.person_id, "consultation", consultation.pk, sight.audit())],
                      detail={"record": "consultation"})
    return _history_page(request, title=f"相談 #{consultation.pk} の訂正履歴", back_url=reverse("consultation_detail", args=[consultation.pk]),
                         rows=rows, created_at=consultation.created_at, created_by_agency=consultation.agency,
                         hidden_note="" if classes == access.ALL else
                         "あなたの機関に共有されている項目の変更だけを表示しています。")


# ------------------------------------------------------------------------------------------------ アセスメント

@login_required
@personal_data("case")
def assessment_history(request, case_id: int):
    case, sight = access_case_by_id(request.user, case_id)
    classes = case_classes(sight, case)
    rows = corrections.history("assessment", case.pk, classes, municipality_id=case.municipality_id)
    access.audit_read("record.history_viewed", user=request.user, request=request, obj=case,
                      reads=[(case.person_id, "case", case.pk, sight.audit())], detail={"record": "assessment"})
    return _history_page(request, title=f"アセスメントの版（{case.title}）",
                         back_url=reverse("case_assessment", args=[case.pk]), rows=rows, created_at=None,
                         created_by_agency=case.coordinating_agency)


# ------------------------------------------------------------------------------------------------ プラン案・支援経過

def _plan_of(user, case_id, plan_id, *, for_update=False):
    case, sight = access_case_by_id(user, case_id, for_update=for_update)
    plan = SupportPlan.objects.filter(pk=plan_id, case=case).first()
    if plan is None:
        raise Http404("支援プランが見つからないか、閲覧する権限がありません")
    return case, sight, plan


@login_required
@personal_data("case")
def plan_correct(request, case_id: int, plan_id: int):
    case, sight, plan = _plan_of(request.user, case_id, plan_id, for_update=True)
    fields = casework_services.PLAN_CORRECTION_FIELDS
    form = PlanCorrectionForm(request.POST or None, initial=_initial(plan, fields))
    response = _correct(
        request, form=form, title=f"支援プラン 第{plan.version}版（案）の訂正", template_ctx={},
        back_url=reverse("case_detail", args=[case.pk]), done="プラン案を訂正しました。訂正前の内容は履歴に残っています。",
        run=lambda d: casework_services.correct_plan_draft(request.user, plan, d, reason=d["reason"],
                                                           edit_version=d["edit_version"], request=request))
    if response is None:
        return redirect("plan_history", case_id=case.pk, plan_id=plan.pk)
    access.audit_read("case.viewed", user=request.user, request=request, obj=case, detail={"page": "plan_correct"},
                      reads=[(case.person_id, "case", case.pk, sight.audit())])
    return response


@login_required
@personal_data("case")
def plan_history(request, case_id: int, plan_id: int):
    case, sight, plan = _plan_of(request.user, case_id, plan_id)
    rows = corrections.history("plan", plan.pk, case_classes(sight, case), municipality_id=case.municipality_id)
    access.audit_read("record.history_viewed", user=request.user, request=request, obj=case,
                      reads=[(case.person_id, "case", case.pk, sight.audit())], detail={"record": "plan"})
    return _history_page(request, title=f"支援プラン 第{plan.version}版の訂正履歴",
                         back_url=reverse("case_detail", args=[case.pk]), rows=rows, created_at=plan.created_at,
                         created_by_agency=case.coordinating_agency)


def _note_of(user, case_id, note_id):
    case, sight = access_case_by_id(user, case_id)
    note = ProgressNote.objects.filter(pk=note_id, case=case).select_related("agency").first()
    if note is None:
        raise Http404("支援経過記録が見つからないか、閲覧する権限がありません")
    return case, sight, note


@login_required
@personal_data("case")
def note_correct(request, case_id: int, note_id: int):
    case, sight, note = _note_of(request.user, case_id, note_id)
    if not access.owns(request.user, note.agency_id):
        raise PermissionDenied("支援経過記録を訂正できるのは、記録した機関の相談支援の職員だけです")
    fields = casework_services.NOTE_CORRECTION_FIELDS
    form = NoteCorrectionForm(request.POST or None, initial=_initial(note, fields))
    response = _correct(
        request, form=form, title="支援経過記録の訂正", template_ctx={},
        back_url=reverse("case_detail", args=[case.pk]), done="支援経過記録を訂正しました。訂正前の内容は履歴に残っています。",
        run=lambda d: casework_services.correct_progress_note(request.user, note, d, reason=d["reason"],
                                                              edit_version=d["edit_version"], request=request))
    if response is None:
        return redirect("note_history", case_id=case.pk, note_id=note.pk)
    access.audit_read("case.viewed", user=request.user, request=request, obj=case, detail={"page": "note_correct"},
                      reads=[(case.person_id, "case", case.pk, sight.audit())])
    return response


@login_required
@personal_data("case")
def note_history(request, case_id: int, note_id: int):
    case, sight, note = _note_of(request.user, case_id, note_id)
    rows = corrections.history("note", note.pk, case_classes(sight, case), municipality_id=case.municipality_id)
    access.audit_read("record.history_viewed", user=request.user, request=request, obj=case,
                      reads=[(case.person_id, "case", case.pk, sight.audit())], detail={"record": "note"})
    return _history_page(request, title="支援経過記録の訂正履歴", back_url=reverse("case_detail", args=[case.pk]),
                         rows=rows, created_at=note.created_at, created_by_agency=note.agency)


# ------------------------------------------------------------------------------------------------ お知らせ

@login_required
@personal_data("list")
def correction_notices(request):
    """訂正のお知らせ: records this agency received that the recording agency has since corrected."""
    user = request.user
    if not user.is_casework:
        raise PermissionDenied("訂正のお知らせは、相談支援の役割の職員が見られます")
    page = Paginator(corrections.notices_for(user), 30).get_page(request.GET.get("page"))
    notices = list(page.object_list)
    persons = [n.revision.person for n in notices]
    seen = access.sights(user, persons)
    cases = _cases_of([n.revision for n in notices])
    rows = []
    for n in notices:
        rev = n.revision
        s = seen[rev.person_id]
        pv = s.person(rev.person)
        grant_type = corrections.GRANT_RECORD[rev.record_type]
        case_id = cases.get((rev.record_type, rev.record_id))
        if grant_type == "person":
            classes = pv.classes
        else:
            classes = s.classes(grant_type, case_id if grant_type == "case" else rev.record_id)
        shown = corrections.visible_changes(rev, classes, masked_now=rev.person.address_masked)
        rows.append({"notice": n, "revision": rev, "name": rev.person.name if pv.visible else "",
                     "record": corrections.RECORD_LABELS.get(rev.record_type, rev.record_type),
                     "labels": [c["label"] for c in shown], "url": _history_url(rev, case_id) if shown else ""})
    access.audit_read("correction.notices_viewed", user=user, request=request,
                      reads=[(pid, "person", pid, seen[pid].audit()) for pid in {p.pk for p in persons}])
    return render(request, "casework/correction_notices.html", {"rows": rows, "page": page})


@login_required
@require_POST
def correction_notices_read(request):
    """「確認しました」: the agency's unread notices are marked read (the notices stay listed)."""
    user = request.user
    if not user.is_casework:
        raise PermissionDenied("訂正のお知らせは、相談支援の役割の職員が見られます")
    n = corrections.notices_for(user, unread_only=True).update(read_at=timezone.now(), read_by=user)
    from tsunagu.privacy.audit import log_action

    log_action("correction.notices_read", actor=user, request=request, detail={"count": n})
    messages.success(request, f"{n}件のお知らせを確認済みにしました。")
    return redirect("correction_notices")


def _cases_of(revisions) -> dict:
    """(record type, record id) -> the case id, for the revisions of case records (two queries at most)."""
    out = {("assessment", r.record_id): r.record_id for r in revisions if r.record_type == "assessment"}
    for record_type, model in (("plan", SupportPlan), ("note", ProgressNote)):
        ids = [r.record_id for r in revisions if r.record_type == record_type]
        if ids:
            out.update({(record_type, pk): case_id
                        for pk, case_id in model.objects.filter(pk__in=ids).values_list("pk", "case_id")})
    return out


def _history_url(rev, case_id=None) -> str:
    if rev.record_type == "household":
        return reverse("household_history", args=[rev.person_id, rev.record_id])
    if rev.record_type in ("plan", "note"):
        return reverse(f"{rev.record_type}_history", args=[case_id, rev.record_id]) if case_id else ""
    name = {"person": "person_history", "consultation": "consultation_history",
            "assessment": "assessment_history"}.get(rev.record_type)
    return reverse(name, args=[rev.record_id]) if name else ""
