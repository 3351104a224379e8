"""Form fields shared across apps: Japanese dates (和暦 accepted) and a datetime-local input."""

from __future__ import annotations

import datetime as dt

from django import forms

from tsunagu.core import text
from tsunagu.core.wareki import format_wareki


class WarekiInput(forms.TextInput):
    """A text box for a date (or date and time) in 和暦 or 西暦: what it read is echoed back in 和暦 beside it as
    the worker leaves the box (htmx GET to `date_echo`), so 令和8年4月1日, R8.4.1 and 2026-04-01 all show
    「令和8年4月1日（水）」 before the form is sent."""

    def __init__(self, kind: str = "date", attrs=None):
        self.kind = kind
        example = "例: 令和8年4月1日 14:30 / R8.4.1 14:30" if kind == "datetime" else "例: 令和8年4月1日 / R8.4.1 / 2026-04-01"
        super().__init__(attrs={"placeholder": example, "autocomplete": "off", "class": f"wareki-{kind}",
                                **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        from django.urls import reverse
        from django.utils.html import format_html

        attrs = dict(attrs or {})
        box = attrs.get("id") or f"id_{name}"
        attrs.update({"hx-get": f"{reverse('date_echo')}?kind={self.kind}", "hx-trigger": "change",
                      "hx-target": f"#{box}_echo", "hx-swap": "innerHTML", "hx-sync": "this:replace"})
        described = " ".join(filter(None, [attrs.get("aria-describedby", ""), f"{box}_echo"]))
        attrs["aria-describedby"] = described
        html = super().render(name, value, attrs, renderer)
        return format_html('{}<output id="{}_echo" class="date-echo" for="{}" aria-live="polite"></output>',
                           html, box, box)


class JapaneseDateField(forms.Field):
    """Accepts 1980-03-01, 昭和55年3月1日, S55.3.1, R8.4.1 … and returns a date; shows a date in 和暦.

    A date written in an era that had already ended (平成31年5月1日) is accepted; `note` then says how it was
    read, and `submit` shows it to the user after the save.
    """

    note = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", WarekiInput("date"))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        value = str(value or "").strip()
        if not value:
            return None
        if len(value) > 30:
            raise forms.ValidationError("日付は30文字以内で入力してください（例: 令和8年4月1日）")
        try:
            parsed = text.parse_date_noted(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        self.note = parsed.note
        return parsed.date

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return format_wareki(value)
        return value


class JapaneseDateTimeField(forms.Field):
    """A date and time of day in 和暦 or 西暦 (令和8年4月1日 14:30, R8.4.1 14:30, 2026-04-01T14:30) → an aware
    datetime in the city's time zone; shown as 令和8年4月1日 14:30."""

    note = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", WarekiInput("datetime"))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        from django.utils import timezone

        if isinstance(value, dt.datetime):
            return value if timezone.is_aware(value) else timezone.make_aware(value)
        value = str(value or "").strip()
        if not value:
            return None
        if len(value) > 40:
            raise forms.ValidationError("日時は40文字以内で入力してください（例: 令和8年4月1日 14:30）")
        try:
            parsed = text.parse_datetime_noted(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        self.note = parsed.note
        return timezone.make_aware(dt.datetime.combine(parsed.date, parsed.time))

    def prepare_value(self, value):
        from django.utils import timezone

        if isinstance(value, dt.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return f"{format_wareki(local.date())} {local:%H:%M}"
        return value


def echo_date(value: str, kind: str = "date") -> tuple[bool, str]:
    """What a WarekiInput shows beside the box: (read, text) — the date in 和暦 with its weekday, or why not."""
    value = (value or "").strip()
    if not value:
        return False, ""
    try:
        if kind == "datetime":
            parsed = text.parse_datetime_noted(value[:40])
            shown = f"{format_wareki(parsed.date, with_weekday=True)} {parsed.time:%H:%M}"
        else:
            parsed = text.parse_date_noted(value[:30])
            shown = format_wareki(parsed.date, with_weekday=True)
    except ValueError as exc:
        return False, str(exc)
    return True, f"{shown}と読みました" + (f"（{parsed.note}）" if parsed.note else "")


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
