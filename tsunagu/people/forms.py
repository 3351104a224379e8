"""Forms of the person page: consent after intake, masked-address release, emergency access and its review."""

from __future__ import annotations

from django import forms

from tsunagu.core.forms import JapaneseDateField
from tsunagu.directory.models import Agency, Staff
from tsunagu.privacy.models import Consent


class ConsentForm(forms.Form):
    """本人同意の記録・変更（範囲の拡大・縮小）: each save is a new consent record (the old one stays on file)."""

    scope_all = forms.BooleanField(label="市内の関係機関すべてに共有してよい", required=False)
    agencies = forms.ModelMultipleChoiceField(label="共有してよい機関", queryset=Agency.objects.none(),
                                              required=False, widget=forms.CheckboxSelectMultiple)
    staff = forms.ModelMultipleChoiceField(label="共有してよい人（機関に属さない会議の構成員）",
                                           queryset=Staff.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    purposes = forms.MultipleChoiceField(label="目的（選ばなければ目的を限定しない）", required=False,
                                         choices=[(p, p) for p in Consent.PURPOSES],
                                         widget=forms.CheckboxSelectMultiple)
    method = forms.ChoiceField(label="同意の方法", choices=[("", "—")] + Consent.METHOD_CHOICES,
                               error_messages={"required": "同意の方法（書面・口頭）を選んでください。"})
    obtained_on = JapaneseDateField(label="同意日", error_messages={"required": "同意日を入力してください。"})
    note = forms.CharField(label="備考（同意を得た経緯など）", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, consent: Consent | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = Agency.objects.for_municipality(user.municipality).filter(active=True)
        self.fields["agencies"].label_from_instance = lambda a: a.name
        self.fields["staff"].queryset = Staff.objects.filter(municipality=user.municipality, is_active=True,
                                                             agency__isnull=True).order_by("id")
        if consent is not None and not self.is_bound:
            self.initial.update({"scope_all": consent.scope_all_agencies,
                                 "agencies": [a.pk for a in consent.scope_agencies.all()],
                                 "staff": [s.pk for s in consent.scope_staff.all()],
                                 "purposes": consent.purposes, "method": consent.method})

    def clean(self):
        data = super().clean()
        if not data.get("scope_all") and not data.get("agencies") and not data.get("staff"):
            self.add_error("agencies", "共有してよい機関（または人）を選ぶか「市内の関係機関すべて」を選んでください。")
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"scope_all_agencies": bool(d["scope_all"]), "scope_agencies": list(d["agencies"] or []),
                "scope_staff": list(d["staff"] or []), "purposes": d["purposes"] or [], "method": d["method"],
                "obtained_on": d["obtained_on"], "note": (d["note"] or "").strip()}


class AddressReleaseForm(forms.Form):
    grant = forms.ChoiceField(label="開示する相手（根拠）", error_messages={"required": "開示する相手を選んでください。"})
    reason = forms.CharField(label="開示の理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "開示の理由を入力してください。"})

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grant"].choices = [("", "—")] + list(choices)


class EmergencyForm(forms.Form):
    """緊急時の閲覧: the person is found by name and birth date together (no browsing), after a reason."""

    name = forms.CharField(label="氏名", max_length=100, error_messages={"required": "氏名を入力してください。"})
    birth_date = JapaneseDateField(label="生年月日", error_messages={"required": "生年月日を入力してください。"})
    basis = forms.ChoiceField(label="根拠", error_messages={"required": "根拠を選んでください。"})
    reason = forms.CharField(label="理由（誰の生命・身体を守るために、何を確かめるのか）", max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "理由を入力してください。"})

    def __init__(self, *args, bases: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basis"].choices = [("", "—")] + list(bases.items())


class ReviewForm(forms.Form):
    note = forms.CharField(label="確認の結果（必要性・本人への説明など）", max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": "確認の結果を入力してください。"})
