from django import forms
from django.db.models import Q
from django.utils import timezone

from tsunagu.core.forms import JapaneseDateField, OwnIds
from tsunagu.directory.statutes import SUPPORT_MEETING
from tsunagu.intake.vocab import issue_tags_for
from tsunagu.meetings.models import Meeting
from tsunagu.privacy.models import Consent

from .models import CONTACT_KINDS, HOLDING_BASES, OUTCOMES, InfoAgreement, OutreachTarget

REQUIRED = "{}を入力してください。"


def _choices(values):
    return [(v, v) for v in values]


class TargetForm(forms.Form):
    source = forms.ChoiceField(label="情報源", error_messages={"required": "情報源を選んでください。"})
    provider = forms.CharField(label="情報提供者", max_length=200, error_messages={"required": REQUIRED.format("情報提供者")},
                               help_text="例: 上下水道局 検針員")
    agreement = forms.ModelChoiceField(label="情報提供協定", queryset=InfoAgreement.objects.none(), required=False)
    legal_basis = forms.ChoiceField(label="情報を保有する根拠", choices=[("", "選んでください")] + HOLDING_BASES,
                                    error_messages={"required": "情報を保有する根拠を選んでください。"})
    found_on = JapaneseDateField(label="把握日", error_messages={"required": REQUIRED.format("把握日")})
    noticed = forms.CharField(label="気づいた内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": REQUIRED.format("気づいた内容")})
    name = forms.CharField(label="氏名（わかれば）", max_length=100, required=False)
    kana = forms.CharField(label="フリガナ", max_length=100, required=False)
    approx_age = forms.CharField(label="年齢（推定可）", max_length=30, required=False)
    address = forms.CharField(label="住所", max_length=300, error_messages={"required": REQUIRED.format("住所")})
    phone = forms.CharField(label="電話", max_length=40, required=False)
    household_note = forms.CharField(label="世帯の状況", max_length=300, required=False)
    issue_tags = forms.MultipleChoiceField(label="課題（見立て）", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = InfoAgreement.objects.for_municipality(user.municipality)
        self.fields["source"].choices = [("", "選んでください")] + _choices(user.municipality.outreach_sources)
        self.fields["issue_tags"].choices = _choices(issue_tags_for(user.municipality))
        self.fields["found_on"].initial = timezone.localdate()


class ContactForm(OwnIds, forms.Form):
    id_prefix = "contact"
    kind = forms.ChoiceField(label="方法", choices=CONTACT_KINDS, widget=forms.RadioSelect,
                             error_messages={"required": "接触の方法を選んでください。"})
    attempted_on = JapaneseDateField(label="実施日", error_messages={"required": REQUIRED.format("実施日")})
    outcome = forms.ChoiceField(label="結果", choices=[("", "選んでください")] + OUTCOMES,
                                error_messages={"required": "結果を選んでください。"})
    note = forms.CharField(label="記録", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StageForm(OwnIds, forms.Form):
    id_prefix = "stage"
    stage = forms.ChoiceField(label="段階", choices=[c for c in OutreachTarget.STAGE_CHOICES if c[0] != "consented"],
                              error_messages={"required": "段階を選んでください。"})
    note = forms.CharField(label="理由・見守りの方法", max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ConsentForm(forms.Form):
    name = forms.CharField(label="氏名", max_length=100, required=False)
    kana = forms.CharField(label="フリガナ", max_length=100, required=False)
    birth_date = JapaneseDateField(label="生年月日", required=False)
    consent_scope_all = forms.BooleanField(label="市内の関係機関すべてに共有してよい", required=False)
    consent_purposes = forms.MultipleChoiceField(label="同意の目的", choices=_choices(Consent.PURPOSES),
                                                 widget=forms.CheckboxSelectMultiple,
                                                 error_messages={"required": "同意の目的を選んでください。"})
    consent_method = forms.ChoiceField(label="同意の方法", choices=Consent.METHOD_CHOICES)
    consent_date = JapaneseDateField(label="同意日", error_messages={"required": REQUIRED.format("同意日")})

    def consent(self, own_agency) -> dict:
        d = self.cleaned_data
        return {"scope_all_agencies": d["consent_scope_all"], "scope_agencies": [] if d["consent_scope_all"]
                else [own_agency], "purposes": d["consent_purposes"], "method": d["consent_method"],
                "obtained_on": d["consent_date"]}


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(label="支援会議", queryset=Meeting.objects.none(),
                                     error_messages={"required": "会議を選んでください。"})
    summary = forms.CharField(label="資料（要旨）", max_length=4000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Meetings of 法106条の6 the outreach staff's agency convenes or the staff member sits on: where the
        # outreach team is its own agency (市川市), it reaches the meeting as a member.
        self.fields["meeting"].queryset = Meeting.objects.filter(
            Q(convened_by__agency_id=user.agency_id) | Q(members__staff=user),
            municipality_id=user.municipality_id, status=Meeting.SCHEDULED,
            meeting_type__consent_rule__in=["not_required", "per_item"],
            meeting_type__statute=SUPPORT_MEETING).select_related("meeting_type").distinct()


class AgreementForm(forms.Form):
    partner = forms.CharField(label="協定先", max_length=200, error_messages={"required": REQUIRED.format("協定先")})
    source = forms.ChoiceField(label="情報源の種類")
    scope = forms.CharField(label="提供する情報の範囲", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
                            error_messages={"required": REQUIRED.format("提供する情報の範囲")})
    concluded_on = JapaneseDateField(label="締結日", error_messages={"required": REQUIRED.format("締結日")})
    expires_on = JapaneseDateField(label="有効期限", required=False)
    note = forms.CharField(label="備考", max_length=2000, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = _choices(user.municipality.outreach_sources)
