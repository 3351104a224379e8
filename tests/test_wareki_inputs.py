"""和暦 everywhere (issue 17 point 2): every date and date-time input of every form accepts 和暦 and 西暦
(令和8年4月1日, R8.4.1, 2026-04-01), shows what it holds in 和暦, and echoes what it read back in 和暦."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

import tsunagu
from tsunagu.core.forms import JapaneseDateField, JapaneseDateTimeField, echo_date

APRIL_FIRST = dt.date(2026, 4, 1)


@pytest.mark.parametrize("written", ["令和8年4月1日", "R8.4.1", "r8/4/1", "2026-04-01", "2026/4/1", "２０２６年４月１日",
                                     "令和八年四月一日", "20260401"])
def test_a_date_box_reads_wareki_and_western(written):
    assert JapaneseDateField().clean(written) == APRIL_FIRST


@pytest.mark.parametrize("written", ["令和8年4月1日 14:30", "R8.4.1 14:30", "2026-04-01T14:30", "2026-04-01 14:30",
                                     "令和8年4月1日 午後2時30分", "R8.4.1 14時30分", "2026/4/1　14：30"])
def test_a_date_time_box_reads_wareki_and_western(written):
    value = JapaneseDateTimeField().clean(written)
    assert timezone.is_aware(value)
    local = timezone.localtime(value)
    assert (local.date(), local.hour, local.minute) == (APRIL_FIRST, 14, 30)


@pytest.mark.parametrize(("written", "words"), [
    ("令和8年4月1日", "時刻"), ("R8.4.1 25:00", "時刻"), ("令和8年2月30日 10:00", "存在しない"),
    ("午後13時 R8.4.1", "読めません"), ("あした 10:00", "読めません")])
def test_a_date_time_box_says_what_is_wrong_in_japanese(written, words):
    with pytest.raises(forms.ValidationError) as raised:
        JapaneseDateTimeField().clean(written)
    assert words in " ".join(raised.value.messages)


def test_boxes_show_their_value_in_wareki():
    assert JapaneseDateField().prepare_value(APRIL_FIRST) == "令和8年4月1日"
    at = timezone.make_aware(dt.datetime(2026, 4, 1, 9, 5))
    assert JapaneseDateTimeField().prepare_value(at) == "令和8年4月1日 09:05"


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
       st.integers(0, 23), st.integers(0, 59))
def test_what_a_box_shows_reads_back_as_the_same_value(date, hour, minute):
    assert JapaneseDateField().clean(JapaneseDateField().prepare_value(date)) == date
    at = timezone.make_aware(dt.datetime.combine(date, dt.time(hour, minute)))
    field = JapaneseDateTimeField()
    assert field.clean(field.prepare_value(at)) == at


def test_the_echo_names_the_date_read_with_its_weekday():
    assert echo_date("R8.4.1") == (True, "令和8年4月1日（水）と読みました")
    assert echo_date("2026-04-01T14:30", "datetime") == (True, "令和8年4月1日（水） 14:30と読みました")
    ok, message = echo_date("令和8年13月1日")
    assert not ok and ("読めません" in message or "存在しない" in message)


@pytest.mark.django_db
def test_the_echo_route_answers_the_box_as_it_is_named(client, intake_a):
    client.force_login(intake_a)
    page = client.get("/dates/echo/", {"kind": "date", "review_date": "R8.4.1"})
    assert page.status_code == 200 and "令和8年4月1日（水）" in page.content.decode()
    bad = client.get("/dates/echo/", {"kind": "datetime", "received_at": "R8.4.1"}).content.decode()
    assert "時刻" in bad


def _forms():
    for info in pkgutil.walk_packages(tsunagu.__path__, "tsunagu."):
        if info.name.rsplit(".", 1)[-1] in ("forms", "governance_forms"):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    yield cls


def test_no_form_declares_a_western_only_date_box():
    """Every date or date-time field declared on a form class is a 和暦 field (fields made in __init__ are checked on
    the pages by the browser tests)."""
    western = [f"{cls.__module__}.{cls.__name__}.{name}" for cls in _forms()
               for name, field in cls.base_fields.items()
               if isinstance(field, (forms.DateField, forms.DateTimeField))
               or getattr(field.widget, "input_type", "") in ("date", "datetime-local")]
    assert not western, western
    assert sum(1 for _ in _forms()) > 30
