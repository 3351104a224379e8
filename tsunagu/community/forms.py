from django import forms

from tsunagu.core.concurrency import EditVersionField
from tsunagu.core.forms import JapaneseDateField
from tsunagu.directory.models import District
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


class PlaceForm(forms.Form):
    """拠点の登録・編集 (画面)."""

    edit_version = EditVersionField()
    name = forms.CharField(label="名称", max_length=200, error_messages={"required": "名称を入力してください。"})
    kind = forms.CharField(label="種類（例: 通いの場、サロン、居場所）", max_length=100,
                           error_messages={"required": "種類を入力してください。"})
    district = forms.ModelChoiceField(label="地区", queryset=District.objects.none(), required=False,
                                      empty_label="（地区なし）",
                                      error_messages={"invalid_choice": "地区が見つかりません。"})
    operator = forms.CharField(label="運営主体", max_length=200, required=False)
    address = forms.CharField(label="所在地", max_length=300, required=False)
    phone = forms.CharField(label="電話", max_length=40, required=False)
    audience = forms.CharField(label="対象", max_length=200, required=False)
    schedule = forms.CharField(label="開催日時", max_length=200, required=False,
                               help_text="例: 毎週水曜 10:00〜11:30")
    opened_on = JapaneseDateField(label="開設日", error_messages={"required": "開設日を入力してください。"})
    note = forms.CharField(label="備考", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(municipality_id=user.municipality_id,
                                                                   active=True)


class RetireForm(forms.Form):
    closed_on = JapaneseDateField(label="廃止日", error_messages={"required": "廃止日を入力してください。"})
