"""Forms of the staff administration pages (職員管理)."""

from django import forms

from tsunagu.core.forms import JapaneseDateField, OwnIds
from tsunagu.directory.models import Agency, Role, Staff


def _agencies(user):
    return Agency.objects.filter(municipality_id=user.municipality_id, active=True).order_by("sort_order", "id")


def _roles(user):
    return Role.objects.filter(municipality_id=user.municipality_id, active=True).order_by("sort_order", "id")


class StaffCreateForm(OwnIds, forms.Form):
    id_prefix = "staff"
    username = forms.CharField(label="ユーザー名（ログインID）", max_length=150,
                               error_messages={"required": "ユーザー名を入力してください。"})
    display_name = forms.CharField(label="氏名", max_length=100, error_messages={"required": "氏名を入力してください。"})
    agency = forms.ModelChoiceField(label="所属機関", queryset=Agency.objects.none(), required=False,
                                    empty_label="（所属なし）",
                                    error_messages={"invalid_choice": "所属機関が見つかりません。"})
    role = forms.ModelChoiceField(label="役割", queryset=Role.objects.none(),
                                  error_messages={"required": "役割を選んでください。",
                                                  "invalid_choice": "役割が見つかりません。"})
    password = forms.CharField(label="初期パスワード（初回ログイン時に本人が変更します）", max_length=128,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                               error_messages={"required": "初期パスワードを入力してください。"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(user)
        self.fields["role"].queryset = _roles(user)


class TransferForm(OwnIds, forms.Form):
    id_prefix = "transfer"
    effective_on = JapaneseDateField(label="発令日", error_messages={"required": "発令日を入力してください。"})
    agency = forms.ModelChoiceField(label="異動後の所属機関", queryset=Agency.objects.none(), required=False,
                                    empty_label="（所属なし）",
                                    error_messages={"invalid_choice": "所属機関が見つかりません。"})
    role = forms.ModelChoiceField(label="異動後の役割", queryset=Role.objects.none(),
                                  error_messages={"required": "異動後の役割を選んでください。",
                                                  "invalid_choice": "役割が見つかりません。"})
    note = forms.CharField(label="備考", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(user)
        self.fields["role"].queryset = _roles(user)


class HandOverForm(OwnIds, forms.Form):
    id_prefix = "handover"
    successor = forms.ModelChoiceField(label="後任", queryset=Staff.objects.none(),
                                       error_messages={"required": "後任を選んでください。",
                                                       "invalid_choice": "後任が見つかりません。"})

    def __init__(self, *args, user, staff, agency_ids, **kwargs):
        """`agency_ids`: the agencies whose records the leaving worker holds (the successor must be in one)."""
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (Staff.objects.filter(
            municipality_id=user.municipality_id, is_active=True, agency_id__in=agency_ids)
            .exclude(pk=staff.pk).select_related("agency").order_by("username"))
        self.fields["successor"].label_from_instance = lambda s: f"{s}（{s.agency.name if s.agency else '所属なし'}）"
