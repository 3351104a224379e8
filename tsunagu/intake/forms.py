"""The 相談受付・申込票 as one Japanese form (both versions: 本人同意あり／なし)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tsunagu.core.forms import JapaneseDateField, JapaneseDateTimeField, OwnIds
from tsunagu.directory.models import Agency
from tsunagu.people.models import CARE_ROLE_CHOICES, RELATION_CHOICES, Person
from tsunagu.privacy.models import STATUTORY_BASES, Consent

from .models import ConsultationNote
from .vocab import CHANNELS, CONSULTERS, SENSITIVE_CATEGORIES, TRIAGE_CHOICES, URGENCIES, issue_tags_for

MEMBER_ROWS = 3
REQUIRED = {"required": "%(label)sを入力してください。"}


def _choices(values):
    return [(v, v) for v in values]


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{'・'.join(obj.fields)}）"


class ConsultationForm(forms.Form):
    # 本人
    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="氏名", max_length=100, required=False)
    kana = forms.CharField(label="フリガナ", max_length=100, required=False)
    birth_date = JapaneseDateField(label="生年月日", required=False)
    sex = forms.ChoiceField(label="性別", choices=Person.SEX_CHOICES, required=False)
    address = forms.CharField(label="住所", max_length=300, required=False)
    phone = forms.CharField(label="電話", max_length=40, required=False)
    nationality = forms.CharField(label="国籍", max_length=60, required=False)
    language = forms.CharField(label="使用言語", max_length=60, required=False)
    address_masked = forms.BooleanField(label="住所を他機関に表示しない（DV・虐待）", required=False)
    # 受付
    received_at = JapaneseDateTimeField(label="受付日時", error_messages={"required": "受付日時を入力してください。"})
    channel = forms.ChoiceField(label="相談経路", choices=_choices(CHANNELS), widget=forms.RadioSelect,
                                error_messages={"required": "相談経路を選んでください。"})
    consulter_type = forms.ChoiceField(label="相談者", choices=_choices(CONSULTERS), widget=forms.RadioSelect,
                                       error_messages={"required": "相談者を選んでください。"})
    consulter_name = forms.CharField(label="相談者の氏名・機関名（本人以外の場合）", max_length=100, required=False)
    chief_complaint = forms.CharField(label="主訴（要旨）", widget=forms.Textarea(attrs={"rows": 3}),
                                      error_messages={"required": "主訴を入力してください。"}, max_length=4000)
    detail = forms.CharField(label="相談の内容（詳しく）", required=False, widget=forms.Textarea(attrs={"rows": 5}),
                             max_length=20000,
                             help_text="つなぎ先には、本人同意がある場合だけ共有されます（主訴・課題・緊急度は法令上の根拠でも共有されます）")
    issue_tags = forms.MultipleChoiceField(label="課題", required=False, widget=forms.CheckboxSelectMultiple)
    urgency = forms.ChoiceField(label="緊急度", choices=URGENCIES, initial="normal", widget=forms.RadioSelect)
    sensitive_categories = forms.MultipleChoiceField(label="要配慮個人情報の種類", required=False,
                                                     choices=_choices(SENSITIVE_CATEGORIES),
                                                     widget=forms.CheckboxSelectMultiple)
    sensitive_notes = forms.CharField(label="要配慮個人情報の内容（受付機関と同意のあるチームだけが見られます）",
                                      required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    # 本人同意
    with_consent = forms.ChoiceField(label="本人同意", choices=[("yes", "本人同意あり"), ("no", "本人同意なし")],
                                     widget=forms.RadioSelect, initial="no")
    consent_scope_all = forms.BooleanField(label="市内の関係機関すべてに共有してよい", required=False)
    consent_agencies = forms.ModelMultipleChoiceField(label="共有してよい機関", queryset=Agency.objects.none(),
                                                      required=False, widget=forms.CheckboxSelectMultiple)
    consent_purposes = forms.MultipleChoiceField(label="目的", choices=_choices(Consent.PURPOSES), required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    consent_method = forms.ChoiceField(label="同意の方法", choices=[("", "—")] + Consent.METHOD_CHOICES,
                                       required=False)
    consent_date = JapaneseDateField(label="同意日", required=False)
    # 対応: optionally, the referral (つなぎ) in the same step; the つなぎ先 starts at the address's responsible agency
    refer_now = forms.BooleanField(label="受付と同時にこの機関へつなぐ", required=False)
    to_agency = AgencyChoiceField(label="つなぎ先", queryset=Agency.objects.none(), required=False,
                                  error_messages={"invalid_choice": "つなぎ先の機関が見つかりません。"})
    refer_message = forms.CharField(label="依頼内容（つなぐ理由）", required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    statutory_basis = forms.ChoiceField(
        label="本人同意の範囲外の場合の法令上の根拠", required=False,
        choices=[("", "（本人同意に基づいて共有する）")] + list(STATUTORY_BASES.items()))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        m = user.municipality
        self.fields["issue_tags"].choices = _choices(issue_tags_for(m))
        self.fields["consent_agencies"].queryset = Agency.objects.for_municipality(m).filter(active=True)
        self.fields["consent_agencies"].label_from_instance = lambda a: a.name
        self.fields["to_agency"].queryset = (Agency.objects.for_municipality(m).filter(active=True)
                                             .exclude(pk=user.agency_id))
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("consent_date", timezone.localdate())
        for i in range(1, MEMBER_ROWS + 1):
            self.fields[f"member{i}_name"] = forms.CharField(label=f"世帯員{i} 氏名", max_length=100, required=False)
            self.fields[f"member{i}_kana"] = forms.CharField(label=f"世帯員{i} フリガナ", max_length=100, required=False)
            self.fields[f"member{i}_relation"] = forms.ChoiceField(
                label=f"世帯員{i} 続柄", required=False, choices=[("", "—")] + RELATION_CHOICES[1:])
            self.fields[f"member{i}_birth_date"] = JapaneseDateField(label=f"世帯員{i} 生年月日", required=False)
            self.fields[f"member{i}_care_roles"] = forms.MultipleChoiceField(
                label=f"世帯員{i} ケアの状況", required=False, choices=_choices(CARE_ROLE_CHOICES),
                widget=forms.CheckboxSelectMultiple)
        for name, field in self.fields.items():
            if name.startswith("member") and not name.endswith("care_roles"):
                field.widget.attrs.setdefault("aria-label", field.label)

    def member_rows(self):
        return [[self[f"member{i}_{f}"] for f in ("name", "kana", "relation", "birth_date", "care_roles")]
                for i in range(1, MEMBER_ROWS + 1)]

    def clean(self):
        data = super().clean()
        if not data.get("person_id") and not (data.get("name") or "").strip():
            self.add_error("name", "氏名を入力するか、検索結果から本人を選んでください。")
        for i in range(1, MEMBER_ROWS + 1):
            if (data.get(f"member{i}_name") or "").strip() and not data.get(f"member{i}_relation"):
                self.add_error(f"member{i}_relation", f"世帯員{i}の続柄を選んでください。")
        if data.get("with_consent") == "yes":
            if not data.get("consent_method"):
                self.add_error("consent_method", "同意の方法（書面・口頭）を選んでください。")
            if not data.get("consent_date"):
                self.add_error("consent_date", "同意日を入力してください。")
            if not data.get("consent_scope_all") and not data.get("consent_agencies"):
                self.add_error("consent_agencies", "共有してよい機関を選ぶか「市内の関係機関すべて」を選んでください。")
        if data.get("refer_now") and not data.get("to_agency") and "to_agency" not in self.errors:
            self.add_error("to_agency", "つなぎ先を選んでください。")
        return data

    def referral(self) -> dict | None:
        """The つなぎ to send with the consultation, when the worker asked for one."""
        d = self.cleaned_data
        if not d.get("refer_now"):
            return None
        return {"to_agency": d["to_agency"], "message": d.get("refer_message") or "",
                "statutory_basis": d.get("statutory_basis") or ""}

    def new_person(self) -> dict:
        d = self.cleaned_data
        return {k: d.get(k) for k in ("name", "kana", "birth_date", "sex", "address", "phone", "nationality",
                                       "language", "address_masked")}

    def household_members(self) -> list[dict]:
        d = self.cleaned_data
        members = []
        for i in range(1, MEMBER_ROWS + 1):
            name = (d.get(f"member{i}_name") or "").strip()
            if name:
                members.append({"name": name, "kana": d.get(f"member{i}_kana") or "",
                                "relation": d.get(f"member{i}_relation"), "birth_date": d.get(f"member{i}_birth_date"),
                                "care_roles": d.get(f"member{i}_care_roles") or []})
        return members

    def consent(self) -> dict | None:
        d = self.cleaned_data
        if d.get("with_consent") != "yes":
            return None
        return {"scope_all_agencies": bool(d.get("consent_scope_all")),
                "scope_agencies": list(d.get("consent_agencies") or []),
                "purposes": d.get("consent_purposes") or [], "method": d.get("consent_method"),
                "obtained_on": d.get("consent_date")}


class ReferForm(OwnIds, forms.Form):
    id_prefix = "refer"
    to_agency = AgencyChoiceField(label="つなぎ先", queryset=Agency.objects.none(),
                                  error_messages={"required": "つなぎ先を選んでください。",
                                                  "invalid_choice": "つなぎ先の機関が見つかりません。"})
    message = forms.CharField(label="依頼内容", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=4000)
    statutory_basis = forms.ChoiceField(
        label="本人同意の範囲外の場合の法令上の根拠", required=False,
        choices=[("", "（本人同意に基づいて共有する）")] + list(STATUTORY_BASES.items()))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = (Agency.objects.for_municipality(user.municipality).filter(active=True)
                                             .exclude(pk=user.agency_id))


class EscalateForm(OwnIds, forms.Form):
    id_prefix = "escalate"
    message = forms.CharField(label="多機関協働へ引き継ぐ理由（複雑化・複合化の状況）", widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "引き継ぐ理由を入力してください。"}, max_length=4000)
    statutory_basis = ReferForm.base_fields["statutory_basis"]


class CloseForm(OwnIds, forms.Form):
    id_prefix = "close"
    outcome = forms.ChoiceField(label="終了の区分", choices=TRIAGE_CHOICES, widget=forms.RadioSelect,
                                error_messages={"required": "終了の区分を選んでください。"})
    next_step = forms.CharField(label="次の一歩（提供した情報・つないだ先・見守りの予定）",
                                widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                                error_messages={"required": "次の一歩を入力してください。次の一歩のない終了はできません。"})


class ConsultationNoteForm(OwnIds, forms.Form):
    id_prefix = "note"
    occurred_at = JapaneseDateTimeField(label="日時", error_messages={"required": "日時を入力してください。"})
    kind = forms.ChoiceField(label="種類", choices=[("", "—")] + ConsultationNote.KIND_CHOICES,
                             error_messages={"required": "種類を選んでください。"})
    text = forms.CharField(label="支援経過の内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=8000,
                           error_messages={"required": "支援経過の内容を入力してください。"})


class AcceptForm(OwnIds, forms.Form):
    id_prefix = "accept"
    note = forms.CharField(label="受理メモ（担当者・初回対応の予定など）", required=False,
                           widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ReturnForm(OwnIds, forms.Form):
    id_prefix = "return"
    reason = forms.CharField(label="差し戻しの理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             error_messages={"required": "差し戻しの理由を入力してください。"})
    suggested_agency = AgencyChoiceField(label="次のつなぎ先の提案", queryset=Agency.objects.none(),
                                         error_messages={"required": "次のつなぎ先の提案を選んでください。",
                                                         "invalid_choice": "提案先の機関が見つかりません。"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_agency"].queryset = (
            Agency.objects.for_municipality(user.municipality).filter(active=True).exclude(pk=user.agency_id))


class ResendForm(ReferForm):
    id_prefix = "resend"
    pass


class WithdrawConsentForm(forms.Form):
    note = forms.CharField(label="撤回の経緯（いつ・誰から・どのように）",
                           widget=forms.Textarea(attrs={"rows": 2, "aria-label": "撤回の経緯（いつ・誰から・どのように）",
                                                        "placeholder": "撤回の経緯（いつ・誰から・どのように）"}),
                           max_length=2000, error_messages={"required": "撤回の経緯を入力してください。"})


class SearchForm(forms.Form):
    q = forms.CharField(label="氏名・フリガナ", max_length=100, strip=True,
                        error_messages={"required": "氏名またはフリガナを入力してください。"})


def responsible_agency(user, address: str, issue_tags=()) -> Agency | None:
    """The つなぎ先 to pre-select: the agency the address lookup names as responsible for the field of the first
    issue tag that points to one (else その他, else the first field), never the worker's own agency."""
    from tsunagu.directory.lookup import FIELDS, names_another_place, responsible_agencies

    from .vocab import TAG_FIELDS

    if not (address or "").strip() or names_another_place(user.municipality, address):
        return None  # an address in another city has no responsible agency here
    result = responsible_agencies(user.municipality, address[:300])
    wanted = [TAG_FIELDS[t] for t in issue_tags if t in TAG_FIELDS] + ["その他"] + FIELDS
    for f in wanted:
        if f in result.candidates:  # the district was not decided: no agency is the responsible one
            continue
        for agency in result.by_field.get(f, []):
            if agency.pk != user.agency_id:
                return agency
    return None
