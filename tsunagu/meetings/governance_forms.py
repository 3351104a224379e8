from django import forms

from tsunagu.core.forms import JapaneseDateField
from tsunagu.directory.models import Agency
from tsunagu.intake.vocab import issue_tags_for

REQUIRED = "{}を入力してください。"


class FiscalYearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "年度（西暦）")
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        kwargs.setdefault("error_messages", {"required": "年度を入力してください。",
                                             "invalid": "年度は西暦の数字で入力してください（例: 2026）。",
                                             "min_value": "年度は2000以降で入力してください。",
                                             "max_value": "年度は2100以前で入力してください。"})
        super().__init__(**kwargs)


class TopicForm(forms.Form):
    section = forms.CharField(label="部会", max_length=100, required=False)
    title = forms.CharField(label="議題", max_length=200, error_messages={"required": REQUIRED.format("議題")})
    note = forms.CharField(label="内容・結論", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DifficultCaseForm(forms.Form):
    fiscal_year = FiscalYearField()
    title = forms.CharField(label="事例の概要（匿名）", max_length=200,
                            error_messages={"required": REQUIRED.format("事例の概要")})
    issues = forms.MultipleChoiceField(label="課題", required=False, widget=forms.CheckboxSelectMultiple)
    response = forms.CharField(label="対応方法", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                               error_messages={"required": REQUIRED.format("対応方法")})
    lessons = forms.CharField(label="今後に生かすこと", max_length=4000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issues"].choices = [(t, t) for t in issue_tags_for(user.municipality)]


class RosterForm(forms.Form):
    fiscal_year = FiscalYearField()
    agency = forms.ModelChoiceField(label="機関・課", queryset=Agency.objects.none(),
                                    error_messages={"required": "機関・課を選んでください。"})
    duty = forms.CharField(label="担当業務", max_length=200, error_messages={"required": REQUIRED.format("担当業務")})
    staff_name = forms.CharField(label="担当者", max_length=100, error_messages={"required": REQUIRED.format("担当者")})
    phone = forms.CharField(label="電話", max_length=40, required=False)
    note = forms.CharField(label="備考", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.for_municipality(user.municipality).filter(active=True)


class TrainingForm(forms.Form):
    held_on = JapaneseDateField(label="実施日", error_messages={"required": REQUIRED.format("実施日")})
    title = forms.CharField(label="研修名", max_length=200, error_messages={"required": REQUIRED.format("研修名")})
    organiser = forms.CharField(label="主催", max_length=200, error_messages={"required": REQUIRED.format("主催")})
    audience = forms.CharField(label="対象", max_length=200, required=False)
    participants = forms.IntegerField(label="参加者数", min_value=0, initial=0, error_messages={
        "required": "参加者数を入力してください（なければ0）。", "invalid": "参加者数は数字で入力してください。",
        "min_value": "参加者数は0以上で入力してください。"})
    note = forms.CharField(label="内容", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
