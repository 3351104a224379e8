"""Form fields shared across apps: Japanese dates (和暦 accepted) and a datetime-local input."""

from __future__ import annotations

from django import forms

from tsunagu.core import text


class JapaneseDateField(forms.Field):
    """Accepts 1980-03-01, 昭和55年3月1日, S55.3.1 … and returns a date.

    A date written in an era that had already ended (平成31年5月1日) is accepted; `note` then says how it was
    read, and `submit` shows it to the user after the save.
    """

    note = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "例: 昭和55年3月1日 / S55.3.1 / 1980-03-01",
                                                             "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = str(value or "").strip()
        if not value:
            return None
        if len(value) > 30:
            raise forms.ValidationError("日付は30文字以内で入力してください（例: 昭和55年3月1日）")
        try:
            parsed = text.parse_date_noted(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        self.note = parsed.note
        return parsed.date

    def prepare_value(self, value):
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def apply_domain_error(form: forms.Form, error) -> None:
    """Show a service's DomainError on the form field it names (or at the top of the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def submit(request, form, action, *, success: str, on_success, on_error):
    """The one way a page runs a service from a form.

    Validates `form`, calls `action(cleaned_data)`; a DomainError becomes an error on the field it names and the
    page is shown again with everything the user typed (`on_error(form)`); success adds a message and returns
    `on_success(result)` (usually a redirect).
    """
    from django.contrib import messages

    from tsunagu.core.concurrency import EditConflict, conflict_response
    from tsunagu.core.errors import DomainError

    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except EditConflict as exc:
            return conflict_response(request, exc)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, success)
            for field in form.fields.values():
                if getattr(field, "note", ""):  # a date read with an interpretation to check (JapaneseDateField)
                    messages.warning(request, field.note)
            return on_success(result)
    return on_error(form)


class OwnIds:
    """Gives a form's fields ids of their own (id_<id_prefix>_<name>): a page with two forms that share a field name
    (つなぐ / 多機関協働へ引き継ぐ both have 依頼内容) must not let one form's label name the other's box."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        if self.id_prefix:
            kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
