from django import forms

from tsunagu.core.concurrency import EditVersionField, edit_version
from tsunagu.core.forms import JapaneseDateField, JapaneseDateTimeField
from tsunagu.directory.models import Agency

from .models import (
    ASSESSMENT_DOMAINS,
    CONNECTION_KINDS,
    CONNECTION_STRENGTHS,
    RISK_KINDS,
    SEVERITY_CHOICES,
    Evaluation,
    ProgressNote,
)

ISSUE_ROWS, CONNECTION_ROWS, ACTION_ROWS = 6, 8, 6


def label_table_widgets(form, prefixes: tuple[str, ...]) -> None:
    """Inputs laid out in a table have no <label>; give them an accessible name."""
    for name, field in form.fields.items():
        if name.startswith(prefixes):
            field.widget.attrs.setdefault("aria-label", field.label)
RISK_LEVELS = [("なし", "なし"), ("低", "低"), ("中", "中"), ("高", "高")]


def _agencies(user):
    return Agency.objects.for_municipality(user.municipality).filter(active=True)


class TeamForm(forms.Form):
    agency = forms.ModelChoiceField(label="機関", queryset=Agency.objects.none(),
                                    error_messages={"required": "機関を選んでください。"})
    role = forms.CharField(label="役割", max_length=300, error_messages={"required": "役割を入力してください。"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(user)


class NoteForm(forms.Form):
    occurred_at = JapaneseDateTimeField(label="日時", error_messages={"required": "日時を入力してください。"})
    kind = forms.ChoiceField(label="種類", choices=ProgressNote.KIND_CHOICES)
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=8000,
                           error_messages={"required": "内容を入力してください。"})


class AssessmentForm(forms.Form):
    edit_version = EditVersionField()
    household_notes = forms.CharField(label="世帯の状況・家族関係", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    life_history = forms.CharField(label="生活歴", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    strengths = forms.CharField(label="強み・できていること", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    wishes = forms.CharField(label="本人の意向", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "本人の意向を入力してください（聞き取れない場合はその旨を）。"})
    reason = forms.CharField(label="変更の理由", required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="保存済みのアセスメントを書き換えるときは必ず入力してください（例: 再アセスメント、聞き取りの誤りの訂正）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(ISSUE_ROWS):
            self.fields[f"issue{i}_domain"] = forms.ChoiceField(label=f"課題{i + 1} 領域", required=False,
                                                                choices=[("", "—")] + [(d, d) for d in ASSESSMENT_DOMAINS])
            self.fields[f"issue{i}_severity"] = forms.ChoiceField(label=f"課題{i + 1} 重さ", required=False,
                                                                  choices=[("", "—")] + SEVERITY_CHOICES)
            self.fields[f"issue{i}_note"] = forms.CharField(label=f"課題{i + 1} 内容", required=False, max_length=500)
        for kind in RISK_KINDS:
            self.fields[f"risk_{kind}_level"] = forms.ChoiceField(label=f"{kind}のリスク", choices=RISK_LEVELS,
                                                                  required=False)
            self.fields[f"risk_{kind}_note"] = forms.CharField(label=f"{kind} 補足", required=False, max_length=500)
        for i in range(CONNECTION_ROWS):
            self.fields[f"conn{i}_name"] = forms.CharField(label=f"つながり{i + 1}", required=False, max_length=60)
            self.fields[f"conn{i}_kind"] = forms.ChoiceField(label=f"つながり{i + 1} 種類", required=False,
                                                             choices=[("", "—")] + CONNECTION_KINDS)
            self.fields[f"conn{i}_strength"] = forms.ChoiceField(label=f"つながり{i + 1} 関係", required=False,
                                                                 choices=[("", "—")] + CONNECTION_STRENGTHS)
        label_table_widgets(self, ("issue", "risk_", "conn"))

    @staticmethod
    def initial_from(assessment) -> dict:
        from .services import ASSESSMENT_FIELDS

        if assessment is None:
            return {"edit_version": edit_version(None, ASSESSMENT_FIELDS)}
        data = {k: getattr(assessment, k) for k in ("household_notes", "life_history", "strengths", "wishes")}
        data["edit_version"] = edit_version(assessment, ASSESSMENT_FIELDS)
        for i, issue in enumerate(assessment.issues[:ISSUE_ROWS]):
            data |= {f"issue{i}_domain": issue["domain"], f"issue{i}_severity": issue["severity"],
                     f"issue{i}_note": issue["note"]}
        for kind, risk in assessment.risks.items():
            data |= {f"risk_{kind}_level": risk["level"], f"risk_{kind}_note": risk["note"]}
        for i, c in enumerate(assessment.connections[:CONNECTION_ROWS]):
            data |= {f"conn{i}_name": c["name"], f"conn{i}_kind": c["kind"], f"conn{i}_strength": c["strength"]}
        return data

    def issue_rows(self):
        return [[self[f"issue{i}_{f}"] for f in ("domain", "severity", "note")] for i in range(ISSUE_ROWS)]

    def risk_rows(self):
        return [(kind, self[f"risk_{kind}_level"], self[f"risk_{kind}_note"]) for kind in RISK_KINDS]

    def connection_rows(self):
        return [[self[f"conn{i}_{f}"] for f in ("name", "kind", "strength")] for i in range(CONNECTION_ROWS)]

    def to_data(self) -> dict:
        d = self.cleaned_data
        issues = [{"domain": d[f"issue{i}_domain"], "severity": d[f"issue{i}_severity"], "note": d[f"issue{i}_note"]}
                  for i in range(ISSUE_ROWS) if d.get(f"issue{i}_domain") or d.get(f"issue{i}_note")]
        risks = {k: {"level": d.get(f"risk_{k}_level") or "なし", "note": d.get(f"risk_{k}_note") or ""}
                 for k in RISK_KINDS}
        connections = [{"name": d[f"conn{i}_name"], "kind": d[f"conn{i}_kind"], "strength": d[f"conn{i}_strength"]}
                       for i in range(CONNECTION_ROWS) if d.get(f"conn{i}_name")]
        return {k: d[k] for k in ("household_notes", "life_history", "strengths", "wishes")} | {
            "issues": issues, "risks": risks, "connections": connections}


class PlanForm(forms.Form):
    long_term_goal = forms.CharField(label="長期目標", widget=forms.Textarea(attrs={"rows": 2}),
                                     error_messages={"required": "長期目標を入力してください。"})
    short_term_goals = forms.CharField(label="短期目標", widget=forms.Textarea(attrs={"rows": 3}),
                                       error_messages={"required": "短期目標を入力してください。"})
    lead_agency = forms.ModelChoiceField(label="主担当機関", queryset=Agency.objects.none(),
                                         error_messages={"required": "主担当機関を選んでください。"})
    review_date = JapaneseDateField(label="見直し日", error_messages={"required": "見直し日を入力してください。"})
    refer_outreach = forms.BooleanField(label="アウトリーチへつなぐ", required=False)
    refer_participation = forms.BooleanField(label="参加支援へつなぐ", required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        team = [m.agency_id for m in case.team.filter(active=True)] + [case.coordinating_agency_id]
        agencies = Agency.objects.filter(pk__in=team)
        self.fields["lead_agency"].queryset = agencies
        for i in range(ACTION_ROWS):
            self.fields[f"action{i}_description"] = forms.CharField(label=f"取組{i + 1}", required=False, max_length=500)
            self.fields[f"action{i}_agency"] = forms.ModelChoiceField(label=f"取組{i + 1} 担当機関", required=False,
                                                                      queryset=agencies)
            self.fields[f"action{i}_person"] = forms.CharField(label=f"取組{i + 1} 担当者", required=False,
                                                              max_length=100)
            self.fields[f"action{i}_due"] = JapaneseDateField(label=f"取組{i + 1} 期限", required=False)
        label_table_widgets(self, ("action",))

    def action_rows(self):
        return [[self[f"action{i}_{f}"] for f in ("description", "agency", "person", "due")] for i in range(ACTION_ROWS)]

    def actions(self) -> list[dict]:
        d = self.cleaned_data
        return [{"description": d[f"action{i}_description"], "agency": d[f"action{i}_agency"],
                 "person_in_charge": d[f"action{i}_person"], "due_date": d[f"action{i}_due"]}
                for i in range(ACTION_ROWS) if d.get(f"action{i}_description")]


class EvaluationForm(forms.Form):
    goal_review = forms.CharField(label="目標の達成状況", widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages={"required": "目標の達成状況を入力してください。"})
    changes = forms.CharField(label="本人・世帯の変化", widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "本人・世帯の変化を入力してください。"})
    remaining_issues = forms.CharField(label="残された課題", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    recommendation = forms.ChoiceField(label="評価の結論", choices=Evaluation.RECOMMEND_CHOICES,
                                       widget=forms.RadioSelect,
                                       error_messages={"required": "評価の結論を選んでください。"})
    follow_up = forms.BooleanField(label="終結後もつながり続ける（3か月後・6か月後に見守り）", required=False, initial=True)


class FollowUpForm(forms.Form):
    note = forms.CharField(label="見守りの記録", max_length=2000, error_messages={"required": "内容を入力してください。"})
