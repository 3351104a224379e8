from django import forms

from tsunagu.core.concurrency import EditVersionField
from tsunagu.core.forms import JapaneseDateTimeField
from tsunagu.directory.models import MeetingType, Staff

from .models import AgendaItem


class MeetingForm(forms.Form):
    meeting_type = forms.ModelChoiceField(label="会議の種類", queryset=MeetingType.objects.none(),
                                          error_messages={"required": "会議の種類を選んでください。"})
    title = forms.CharField(label="会議名", max_length=200, error_messages={"required": "会議名を入力してください。"})
    scheduled_at = JapaneseDateTimeField(label="開催日時", error_messages={"required": "開催日時を入力してください。"})
    place = forms.CharField(label="場所", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        types = MeetingType.objects.for_municipality(user.municipality).filter(active=True)
        if user.role_kind != "coordinator":
            types = types.filter(consent_rule="none")  # the manager: meetings that hold no personal data
        self.fields["meeting_type"].queryset = types


class MemberForm(forms.Form):
    staff = forms.ModelChoiceField(label="職員", queryset=Staff.objects.none(), required=False)
    label = forms.CharField(label="構成員の名前（職員以外、例: 民生委員（○○地区））", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Staff.objects.filter(municipality=user.municipality, is_active=True).exclude(
            username__startswith="demo-").order_by("agency__sort_order", "username")


class ItemForm(forms.Form):
    purpose = forms.ChoiceField(label="目的", choices=AgendaItem.PURPOSE_CHOICES)
    # A number, not a <select> of every open case (issue 18: 3,623 options); the recent ones are suggested.
    case = forms.IntegerField(label="事例番号", required=False, min_value=1, max_value=2**31 - 1,
                              widget=forms.NumberInput(attrs={"list": "item-cases"}),
                              help_text="「事例 #12」なら 12。空欄なら事例なし（社会資源の検討）",
                              error_messages={"invalid": "事例番号は数字で入力してください。",
                                              "min_value": "事例番号は 1 以上の数字です。",
                                              "max_value": "事例番号が大きすぎます。"})
    legal_basis = forms.ChoiceField(label="法的根拠（議題ごとに根拠を選ぶ会議の場合）", required=False,
                                    choices=[("", "—")] + AgendaItem.BASIS_CHOICES)
    summary = forms.CharField(label="資料（要旨）", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=4000)

    def __init__(self, *args, recent_cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.recent_cases = list(recent_cases)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="決定", choices=AgendaItem.DECISION_CHOICES, widget=forms.RadioSelect,
                                 error_messages={"required": "決定を選んでください。"})
    note = forms.CharField(label="協議の内容・意見", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=4000)
    gap_title = forms.CharField(label="不足している社会資源（地域課題として記録）", required=False, max_length=200)
    minutes = forms.CharField(label="議事録（この議題）", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=20000)


class MinutesForm(forms.Form):
    minutes = forms.CharField(label="議事録", required=False, widget=forms.Textarea(attrs={"rows": 6}),
                              max_length=20000)
    edit_version = EditVersionField()


class HeldForm(forms.Form):
    """開催の記録: the held date, who attended and (a statutory-duty meeting) the pledges received there."""

    held_at = JapaneseDateTimeField(label="開催日時（実績）", error_messages={"required": "開催日時を入力してください。"})
    attended = forms.TypedMultipleChoiceField(label="出席した構成員", coerce=int, widget=forms.CheckboxSelectMultiple,
                                              error_messages={"required": "出席した構成員を選んでください。"})
    pledged = forms.TypedMultipleChoiceField(label="会議で誓約書（守秘義務）を受領した構成員", coerce=int,
                                             widget=forms.CheckboxSelectMultiple, required=False)
    minutes = forms.CharField(label="議事録（会議全体）", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=20000)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(m.pk, m.label) for m in members]
        self.fields["pledged"].choices = [(m.pk, m.label) for m in members if not m.confidentiality_acknowledged_at]


class ItemMinutesForm(forms.Form):
    minutes = forms.CharField(label="議事録（この議題）", widget=forms.Textarea(attrs={"rows": 3}), max_length=20000,
                              error_messages={"required": "議事録を入力してください。"})
