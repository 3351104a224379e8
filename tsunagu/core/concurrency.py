"""No lost updates: optimistic locking for records that people edit in place.

A form carries the *edit version* of the record it was opened on: a fingerprint of the fields the form edits.
The service locks the row, recomputes the fingerprint and, if someone else saved in between, raises
`EditConflict` instead of overwriting. The conflict page shows both versions side by side and lets the person
save theirs on top of the other (after reading it), so neither edit is lost silently.

A fingerprint rather than a version column: no schema change per model, and an edit that was undone in
between (A→B→A) is correctly not a conflict — nothing the person had not seen would be overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django import forms
from django.db import models
from django.shortcuts import render

from .errors import DomainError

NEW = "new"


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def edit_version(obj, fields) -> str:
    """The fingerprint of `fields` of `obj` as stored (NEW when there is no record yet)."""
    if obj is None:
        return NEW
    values = {f: _plain(getattr(obj, f)) for f in fields}
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class EditConflict(DomainError):
    """Someone else saved the record after this form was opened."""

    def __init__(self, *, stored: dict, incoming: dict, labels: dict, version: str):
        super().__init__("ほかの人が先にこの記録を保存しました。両方の内容を確認してから保存し直してください。",
                         field=None)
        self.stored, self.incoming, self.labels, self.version = stored, incoming, labels, version


def guard(obj, fields, expected: str | None, incoming: dict) -> None:
    """Raise EditConflict when `expected` (from the form) is not the stored version of `obj` (locked by the
    caller with select_for_update). `expected=None` means a caller that edits without a form (commands, demo)."""
    if expected is None:
        return
    current = edit_version(obj, fields)
    if expected != current:
        model = type(obj) if obj is not None else None
        labels = {f: _label(model, f) for f in fields}
        stored = {f: getattr(obj, f) for f in fields} if obj is not None else {}
        raise EditConflict(stored=stored, incoming={f: incoming.get(f) for f in fields}, labels=labels,
                           version=current)


def _label(model, name: str) -> str:
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 — a computed name: show it as it is
        return name


class EditVersionField(forms.CharField):
    """The hidden field that carries the edit version in a form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)

    def clean(self, value):
        return super().clean(value) or None


# ------------------------------------------------------------------------------------------------ the page

def display(value) -> str:
    """A stored or submitted value as a person reads it on the conflict page."""
    if value is None or value == "" or value == [] or value == {}:
        return "（なし）"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, dict):
        return "\n".join(f"{k}: {display(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, dict) for v in value):
            return "\n".join(" / ".join(display(x) for x in v.values()) for v in value)
        return "、".join(display(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        from .wareki import format_wareki

        return format_wareki(value)
    return str(value)


def conflict_response(request, conflict: EditConflict, *, title: str = "", back_url: str = ""):
    """The conflict page (409): both versions, and the person's own input ready to be saved again."""
    rows = [{"label": conflict.labels[f], "stored": display(conflict.stored.get(f)),
             "mine": display(conflict.incoming.get(f)), "same": conflict.stored.get(f) == conflict.incoming.get(f)}
            for f in conflict.labels]
    resubmit = [(k, v) for k in request.POST if k not in ("csrfmiddlewaretoken", "edit_version", "form_token")
                for v in request.POST.getlist(k)]
    return render(request, "core/conflict.html", {
        "rows": rows, "resubmit": resubmit, "version": conflict.version, "action": request.path,
        "title": title, "back_url": back_url or request.path}, status=409)
