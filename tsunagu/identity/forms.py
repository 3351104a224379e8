from django import forms

from tsunagu.core.forms import JapaneseDateField


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="判断", choices=[("merge", "同一として確定する"), ("reject", "別人・別世帯")],
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "判断を選んでください", "invalid_choice": "判断を選んでください"})
    note = forms.CharField(label="メモ（判断の根拠）", max_length=300, required=False,
                           error_messages={"max_length": "メモは300文字以内で入力してください"})


class UnmergeForm(forms.Form):
    note = forms.CharField(label="取り消しの理由", max_length=300,
                           error_messages={"required": "取り消しの理由を入力してください",
                                           "max_length": "理由は300文字以内で入力してください"})


class CandidateQueryForm(forms.Form):
    """The person fields of the intake form (same names: hx-include the form's person block)."""

    name = forms.CharField(max_length=100, required=False)
    kana = forms.CharField(max_length=100, required=False)
    birth_date = JapaneseDateField(required=False)
    sex = forms.CharField(max_length=8, required=False)
    address = forms.CharField(max_length=300, required=False)
    phone = forms.CharField(max_length=40, required=False)
