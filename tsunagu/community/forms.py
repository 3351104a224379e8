from django import forms

from tsunagu.core.forms import JapaneseDateField
from tsunagu.meetings.models import ResourceGap


def _count(label):
    return forms.IntegerField(label=label, min_value=0, initial=0, error_messages={
        "required": f"{label}を入力してください（なければ0）。", "invalid": f"{label}は数字で入力してください。",
        "min_value": f"{label}は0以上で入力してください。"})


class UsageForm(forms.Form):
    period_start = JapaneseDateField(label="期間（開始）", error_messages={"required": "期間の開始日を入力してください。"})
    period_end = JapaneseDateField(label="期間（終了）", error_messages={"required": "期間の終了日を入力してください。"})
    groups = _count("団体・グループ数")
    participants = _count("参加者数（実人数）")
    total_visits = _count("延べ利用者数")
    note = forms.CharField(label="備考", max_length=2000, required=False)


class GapStatusForm(forms.Form):
    status = forms.ChoiceField(label="状態", choices=ResourceGap.STATUS_CHOICES)
