from django import forms

from tsunagu.core.concurrency import NEW, EditVersionField
from tsunagu.core.forms import JapaneseDateField, OwnIds
from tsunagu.directory.models import PrefectureMember

from .models import KpiDefinition, SupporterConsultation, SurveyQuestion


def _members(prefecture):
    return PrefectureMember.objects.filter(municipality=prefecture, active=True)


class SupporterForm(OwnIds, forms.Form):
    id_prefix = "supporter"
    member = forms.ModelChoiceField(label="相談元の市町村", queryset=PrefectureMember.objects.none(),
                                    error_messages={"required": "市町村を選んでください。"})
    received_on = JapaneseDateField(label="受付日", error_messages={"required": "受付日を入力してください。"})
    consulter_role = forms.CharField(label="相談者の役割", max_length=100, required=False)
    topic = forms.CharField(label="相談内容（個人を特定できる情報は書かない）", widget=forms.Textarea(attrs={"rows": 3}),
                            error_messages={"required": "相談内容を入力してください。"})
    response = forms.CharField(label="助言・対応", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _members(prefecture)


class SupporterDoneForm(OwnIds, forms.Form):
    id_prefix = "supporter_done"
    consultation = forms.ModelChoiceField(label="相談", queryset=SupporterConsultation.objects.none(),
                                          error_messages={"required": "相談を選んでください。"})
    completed_on = JapaneseDateField(label="完了日", error_messages={"required": "完了日を入力してください。"})
    response = forms.CharField(label="助言・対応", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].queryset = SupporterConsultation.objects.filter(
            municipality=prefecture, status=SupporterConsultation.OPEN)


class SurveyForm(OwnIds, forms.Form):
    id_prefix = "survey"
    title = forms.CharField(label="調査名", max_length=200, error_messages={"required": "調査名を入力してください。"})
    fiscal_year = forms.IntegerField(label="年度（西暦）", min_value=2000, max_value=2100,
                                     error_messages={"required": "年度を入力してください。"})
    description = forms.CharField(label="調査の説明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    questions = forms.CharField(label="設問（1行に1問）", widget=forms.Textarea(attrs={"rows": 4}),
                                error_messages={"required": "設問を入力してください。"})

    def clean_questions(self):
        return [line for line in self.cleaned_data["questions"].splitlines() if line.strip()]


class SurveyResultForm(OwnIds, forms.Form):
    id_prefix = "result"
    question = forms.ModelChoiceField(label="設問", queryset=SurveyQuestion.objects.none(),
                                      error_messages={"required": "設問を選んでください。"})
    member = forms.ModelChoiceField(label="市町村", queryset=PrefectureMember.objects.none(),
                                    error_messages={"required": "市町村を選んでください。"})
    value = forms.FloatField(label="数値回答", required=False)
    answer = forms.CharField(label="回答", required=False, max_length=2000)
    # Opened as a new answer: if someone answered the same question for the same member meanwhile, the conflict
    # page shows both answers instead of overwriting theirs.
    edit_version = EditVersionField(initial=NEW)

    def __init__(self, *args, prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _members(prefecture)
        self.fields["question"].queryset = SurveyQuestion.objects.filter(municipality=prefecture).select_related(
            "survey")


class TrainingForm(OwnIds, forms.Form):
    id_prefix = "training"
    title = forms.CharField(label="研修名", max_length=200, error_messages={"required": "研修名を入力してください。"})
    held_on = JapaneseDateField(label="開催日", error_messages={"required": "開催日を入力してください。"})
    place = forms.CharField(label="場所", max_length=200, required=False)
    audience = forms.CharField(label="対象", max_length=200, required=False)
    participants = forms.IntegerField(label="参加者数", min_value=0, required=False)
    members = forms.ModelMultipleChoiceField(label="参加した市町村", queryset=PrefectureMember.objects.none(),
                                             required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _members(prefecture)


def fiscal_year_choices(around: int) -> list[tuple[int, str]]:
    from tsunagu.core.wareki import format_fiscal_year

    return [(y, format_fiscal_year(y)) for y in range(around + 3, around - 6, -1)]


class _KpiYearForm(OwnIds, forms.Form):
    kpi = forms.ModelChoiceField(label="指標", queryset=KpiDefinition.objects.none(),
                                 error_messages={"required": "指標を選んでください。",
                                                 "invalid_choice": "指標が見つかりません。"})
    fiscal_year = forms.TypedChoiceField(label="年度", coerce=int, choices=[],
                                         error_messages={"required": "年度を選んでください。",
                                                         "invalid_choice": "年度を選んでください。"})

    def __init__(self, *args, municipality, current_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = KpiDefinition.objects.filter(municipality=municipality, active=True)
        self.fields["fiscal_year"].choices = fiscal_year_choices(current_year)


class ManualActualForm(_KpiYearForm):
    id_prefix = "actual"
    month = forms.TypedChoiceField(label="期間", coerce=int, initial=0, choices=[(0, "年間")] + [
        (m, f"{m}月") for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)],
        error_messages={"invalid_choice": "期間を選んでください。"})
    value = forms.FloatField(label="実績値", min_value=0, max_value=1e9,
                             widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                             error_messages={"required": "実績値を入力してください。",
                                             "invalid": "実績値は数字で入力してください。",
                                             "min_value": "実績値は0以上で入力してください。",
                                             "max_value": "実績値が大きすぎます。"})
    note = forms.CharField(label="出典・備考", max_length=300, required=False)


class TargetForm(_KpiYearForm):
    id_prefix = "target"
    target = forms.FloatField(label="目標値", min_value=0, max_value=1e9,
                              widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                              error_messages={"required": "目標値を入力してください。",
                                              "invalid": "目標値は数字で入力してください。",
                                              "min_value": "目標値は0以上で入力してください。",
                                              "max_value": "目標値が大きすぎます。"})
