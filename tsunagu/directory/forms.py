from django import forms


class AddressLookupForm(forms.Form):
    address = forms.CharField(
        label="住所", max_length=200, strip=True,
        widget=forms.TextInput(attrs={"placeholder": "例: ○○町1番1号", "autocomplete": "off"}),
        error_messages={"required": "住所を入力してください。", "max_length": "住所は200文字以内で入力してください。"},
    )
