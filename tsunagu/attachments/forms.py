from django import forms

from tsunagu.core.forms import OwnIds

from .models import Attachment


class AttachmentForm(OwnIds, forms.Form):
    id_prefix = "attach"
    file = forms.FileField(label="ファイル（PDF・JPEG・PNG）", required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    kind = forms.ChoiceField(label="種類", choices=Attachment.KIND_CHOICES, initial="other")
    sensitive = forms.BooleanField(label="要配慮個人情報（病歴・障がい・DV など）を含む", required=False)

    def __init__(self, *args, id_prefix: str = "", **kwargs):
        if id_prefix:
            self.id_prefix = id_prefix
        super().__init__(*args, **kwargs)
