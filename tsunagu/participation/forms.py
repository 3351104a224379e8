from django import forms

from tsunagu.community.models import Place
from tsunagu.core.concurrency import EditVersionField
from tsunagu.core.forms import JapaneseDateField
from tsunagu.directory.models import District

from .models import ACCESS, NEEDS, RESOURCE_KINDS, WEEKDAYS, HostSupport, Placement, Resource


def _choices(values):
    return [(v, v) for v in values]


class ResourceSearchForm(forms.Form):
    need = forms.ChoiceField(label="ニーズ", required=False, choices=[("", "すべて")] + _choices(NEEDS))
    kind = forms.ChoiceField(label="種類", required=False, choices=[("", "すべて")] + _choices(RESOURCE_KINDS))
    district = forms.ModelChoiceField(label="地区", required=False, queryset=District.objects.none(),
                                      empty_label="すべて")
    free = forms.BooleanField(label="無料のみ", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.for_municipality(user.municipality).filter(active=True)


class ResourceForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200, error_messages={"required": "名称を入力してください。"})
    kind = forms.ChoiceField(label="種類", choices=_choices(RESOURCE_KINDS))
    host = forms.CharField(label="受け入れ先（運営団体）", max_length=200,
                           error_messages={"required": "受け入れ先を入力してください。"})
    contact = forms.CharField(label="連絡先", max_length=200, required=False)
    place = forms.ModelChoiceField(label="拠点", queryset=Place.objects.none(), required=False)
    district = forms.ModelChoiceField(label="地区", queryset=District.objects.none(), required=False)
    address = forms.CharField(label="場所", max_length=300, required=False)
    schedule = forms.CharField(label="日時", max_length=200, required=False)
    days = forms.MultipleChoiceField(label="曜日", choices=_choices(WEEKDAYS), required=False,
                                     widget=forms.CheckboxSelectMultiple)
    capacity = forms.IntegerField(label="定員", min_value=1, required=False,
                                  error_messages={"invalid": "定員は数字で入力してください。",
                                                  "min_value": "定員は1以上で入力してください。"})
    cost = forms.IntegerField(label="費用（円／回）", min_value=0, initial=0,
                              error_messages={"required": "費用を入力してください（無料なら0）。",
                                              "invalid": "費用は数字で入力してください。",
                                              "min_value": "費用は0円以上で入力してください。"})
    needs = forms.MultipleChoiceField(label="対応するニーズ", choices=_choices(NEEDS),
                                      widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": "対応するニーズを一つ以上選んでください。"})
    accessibility = forms.MultipleChoiceField(label="配慮・アクセス", choices=_choices(ACCESS), required=False,
                                              widget=forms.CheckboxSelectMultiple)
    conditions = forms.CharField(label="参加の条件", max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label="内容", max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = Place.objects.for_municipality(user.municipality).filter(active=True)
        self.fields["district"].queryset = District.objects.for_municipality(user.municipality).filter(active=True)
        if editing:
            self.fields["edit_version"] = EditVersionField()


class NeedsForm(forms.Form):
    needs = forms.MultipleChoiceField(label="ニーズ", choices=_choices(NEEDS), widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": "ニーズを一つ以上選んでください。"})
    wishes = forms.CharField(label="本人の希望", max_length=4000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    strengths = forms.CharField(label="得意なこと・関心", max_length=4000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    district = forms.ModelChoiceField(label="活動したい地区", queryset=District.objects.none(), required=False)
    available_days = forms.MultipleChoiceField(label="参加できる曜日", choices=_choices(WEEKDAYS), required=False,
                                               widget=forms.CheckboxSelectMultiple)
    max_cost = forms.IntegerField(label="費用の上限（円／回）", min_value=0, required=False,
                                  error_messages={"invalid": "費用の上限は数字で入力してください。",
                                                  "min_value": "費用の上限は0円以上で入力してください。"})
    access_needs = forms.MultipleChoiceField(label="必要な配慮", choices=_choices(ACCESS), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label="備考", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    edit_version = EditVersionField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.for_municipality(user.municipality).filter(active=True)


class ProposeForm(forms.Form):
    resource = forms.ModelChoiceField(label="社会資源", queryset=Resource.objects.none(),
                                      error_messages={"required": "社会資源を選んでください。",
                                                      "invalid_choice": "社会資源が見つかりません。"})
    reasons = forms.CharField(label="提案の理由", max_length=4000, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.for_municipality(user.municipality)


class GapForm(forms.Form):
    title = forms.CharField(label="不足している資源（地域課題）", max_length=200,
                            error_messages={"required": "不足している資源を入力してください。"},
                            help_text="例: ○○地区に平日夜に通える若者の居場所がない")
    note = forms.CharField(label="補足（個人が特定される内容は書かないでください）", max_length=2000, required=False)


class AdvanceForm(forms.Form):
    status = forms.ChoiceField(label="次の状態", choices=[c for c in Placement.STATUS_CHOICES if c[0] != "proposed"],
                               error_messages={"required": "状態を選んでください。"})
    on = JapaneseDateField(label="日付", required=False)
    note = forms.CharField(label="理由・状況", max_length=2000, required=False)


class CheckInForm(forms.Form):
    done_on = JapaneseDateField(label="実施日", required=False)
    note = forms.CharField(label="本人の様子", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": "本人の様子を入力してください。"})


class HostSupportForm(forms.Form):
    kind = forms.ChoiceField(label="種類", choices=HostSupport.KIND_CHOICES)
    occurred_on = JapaneseDateField(label="実施日", required=False)
    concern = forms.CharField(label="受け入れ先の懸念・相談", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": "受け入れ先の懸念・相談を入力してください。"})
    response = forms.CharField(label="対応", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    placement = forms.ModelChoiceField(label="関係する参加支援", queryset=Placement.objects.none(), required=False)

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placement"].queryset = resource.placements.all()
        self.fields["placement"].label_from_instance = lambda p: f"#{p.pk}（{p.get_status_display()}・{p.proposed_on}提案）"
