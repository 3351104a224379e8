"""Filter, sort and paginate a list page — one helper for every list (相談, つなぎ, 事例, 会議).

A list declares a `ListSpec`: which filters its records have (and the field each one reads), the sort keys it
offers (a whitelist: the user's `?sort=` is looked up in it and never reaches `order_by` otherwise) and the
default order. `run_list(request, queryset, spec)` reads the query string through a form (dates in 和暦 via
`JapaneseDateField`), applies what is valid, names what is not in Japanese, and returns a `Listing` with the page,
the true total and what the filter bar and the pager need. Bad input never fails the page: an invalid filter is
left out and named, an unknown sort falls back to the default, a garbage or out-of-range page shows page 1.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from tsunagu.core.forms import JapaneseDateField

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
EXPORT_LIMIT = 10_000  # rows of one export; the page says so when the filter finds more


@dataclass
class ListSpec:
    date: str = ""  # the datetime field the date range reads
    date_label: str = "日付"
    status: list = field(default_factory=list)  # choices; the field is `status`
    tag: str = ""  # a JSON list field of 課題タグ
    urgency: str = ""  # the urgency field
    agency: str = ""  # the agency foreign key (…_id)
    agency_label: str = "機関"
    district: str = ""  # the address field matched against the 地区's 住所キー
    worker: str = ""  # the staff foreign key (…_id)
    worker_label: str = "担当者"
    kind: str = ""  # another foreign key to filter on (the meeting's type)
    kind_label: str = "種類"
    guard: object = None  # Q that rows must also meet when filtered by 課題 or 緊急度 (the user sees them)
    sorts: dict = field(default_factory=dict)  # key -> (label, order fields)
    default_sort: str = ""


def _tag_q(path: str, tag: str) -> Q:
    """Rows whose JSON list at `path` holds `tag`, on SQLite and PostgreSQL alike (no JSON `contains` on SQLite):
    the list's text holds the tag as a quoted JSON string — escaped as Django writes it, or as jsonb prints it."""
    if connection.vendor == "postgresql":
        return Q(**{f"{path}__contains": [tag]})
    key = f"_tags_{path.replace('__', '_')}"
    return Q(**{f"{key}__contains": json.dumps(tag)}) | Q(**{f"{key}__contains": json.dumps(tag, ensure_ascii=False)})


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(label="状態", required=False)
    tag = forms.ChoiceField(label="課題", required=False)
    urgency = forms.ChoiceField(label="緊急度", required=False)
    agency = forms.TypedChoiceField(label="機関", required=False, coerce=int, empty_value=None)
    district = forms.TypedChoiceField(label="地区", required=False, coerce=int, empty_value=None)
    worker = forms.TypedChoiceField(label="担当者", required=False, coerce=int, empty_value=None)
    kind = forms.TypedChoiceField(label="種類", required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, spec: ListSpec, choices: dict):
        super().__init__(data)
        # `from` and `to` (the query string's names) are Python keywords: added here, not as attributes.
        self.fields = {"from": JapaneseDateField(label="期間（から）", required=False),
                       "to": JapaneseDateField(label="期間（まで）", required=False), **self.fields}
        keep = {"from": spec.date, "to": spec.date, "status": spec.status, "tag": spec.tag,
                "urgency": spec.urgency, "agency": spec.agency, "district": spec.district, "worker": spec.worker,
                "kind": spec.kind}
        for name, present in keep.items():
            if not present:
                del self.fields[name]
        if spec.date:
            self.fields["from"].label = f"{spec.date_label}（から）"
            self.fields["to"].label = f"{spec.date_label}（まで）"
        if spec.status:
            self.fields["status"].choices = [("", "すべて"), *spec.status]
        if spec.agency:
            self.fields["agency"].label = spec.agency_label
        if spec.worker:
            self.fields["worker"].label = spec.worker_label
        if spec.kind:
            self.fields["kind"].label = spec.kind_label
        for name in ("tag", "urgency", "agency", "district", "worker", "kind"):
            if name in self.fields:
                self.fields[name].choices = [("", "すべて"), *choices.get(name, [])]

    def clean(self):
        d = super().clean()
        start, end = d.get("from"), d.get("to")
        if start and end and start > end:
            self.add_error("to", "期間の終わりが始まりより前です")
        return d


@dataclass
class Column:
    label: str
    key: str
    current: str  # "asc" | "desc" | ""
    query: str  # the query string of the header link (the other direction when it is the current sort)

    @property
    def arrow(self) -> str:
        return {"asc": "▲", "desc": "▼"}.get(self.current, "")

    @property
    def aria(self) -> str:
        return {"asc": "ascending", "desc": "descending"}.get(self.current, "none")


@dataclass
class Listing:
    page: object
    form: ListFilterForm
    sort: str
    columns: dict  # sort key -> Column
    query: str  # the filters and sort, without the page: for the pager and the export links
    messages: list
    filters: dict  # what was applied, for the audit entry

    @property
    def total(self) -> int:
        return self.page.paginator.count

    page_sizes = PAGE_SIZES
    export_limit = EXPORT_LIMIT


def _bounded_int(raw, default: int) -> int | None:
    raw = str(raw or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    return int(raw)


def filter_queryset(request, qs, spec: ListSpec, *, choices: dict, districts=None):
    """(queryset filtered and sorted, form, sort key, filters applied, messages) from the query string."""
    form = ListFilterForm(request.GET, spec=spec, choices=choices)
    form.is_valid()
    d = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") and k not in form.errors}
    msgs = [f"{form.fields[name].label}: {' '.join(errs)}（この条件は使わずに表示しています）"
            for name, errs in form.errors.items() if name in form.fields]
    if form.non_field_errors():
        msgs.extend(form.non_field_errors())
    tz = timezone.get_current_timezone()
    if d.get("from"):
        qs = qs.filter(**{f"{spec.date}__gte": dt.datetime.combine(d["from"], dt.time.min, tz)})
    if d.get("to"):  # up to the end of that day; the last representable day has no "next day"
        after = min(d["to"], dt.date(9998, 12, 31)) + dt.timedelta(days=1)
        qs = qs.filter(**{f"{spec.date}__lt": dt.datetime.combine(after, dt.time.min, tz)})
    if d.get("status"):
        qs = qs.filter(status=d["status"])
    if d.get("tag"):
        if connection.vendor != "postgresql":
            qs = qs.annotate(**{f"_tags_{spec.tag.replace('__', '_')}": Cast(spec.tag, TextField())})
        qs = qs.filter(_tag_q(spec.tag, d["tag"]))
    if d.get("urgency"):
        qs = qs.filter(**{spec.urgency: d["urgency"]})
    if d.get("agency"):
        qs = qs.filter(**{spec.agency: d["agency"]})
    if d.get("worker"):
        qs = qs.filter(**{spec.worker: d["worker"]})
    if d.get("kind"):
        qs = qs.filter(**{spec.kind: d["kind"]})
    if spec.guard is not None and (d.get("tag") or d.get("urgency")):
        qs = qs.filter(spec.guard)
    if d.get("district"):
        # The 町名 right after the city's name (「射水市本町」, not 「射水市庄川本町」), or at the start of the address.
        city = getattr(getattr(request.user, "municipality", None), "name", "")
        q = Q(pk__in=[])
        for k in (k for k in (districts or {}).get(d["district"], []) if k):
            q |= Q(**{f"{spec.district}__startswith": k})
            if city:
                q |= Q(**{f"{spec.district}__contains": city + k})
        qs = qs.filter(q)
    sort = str(request.GET.get("sort", "") or "")
    if sort.lstrip("-") not in spec.sorts:
        if sort:
            msgs.append("指定された並べ替えは使えないため、既定の順に並べています。")
        sort = spec.default_sort
    key, desc = sort.lstrip("-"), sort.startswith("-")
    order = [("-" + f if desc else f) for f in spec.sorts[key][1]]
    qs = qs.order_by(*order, "-pk" if desc else "pk")
    applied = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in d.items()}
    return qs, form, sort, applied, msgs


def run_list(request, qs, spec: ListSpec, *, choices: dict | None = None, districts=None) -> Listing:
    qs, form, sort, applied, msgs = filter_queryset(request, qs, spec, choices=choices or {}, districts=districts)
    size = _bounded_int(request.GET.get("per"), DEFAULT_PAGE_SIZE)
    if size not in PAGE_SIZES:
        msgs.append(f"1ページの件数は {'・'.join(map(str, PAGE_SIZES))} 件から選べます（{DEFAULT_PAGE_SIZE} 件で表示しています）。")
        size = DEFAULT_PAGE_SIZE
    paginator = Paginator(qs, size)
    number = _bounded_int(request.GET.get("page"), 1)
    if number is None or number < 1 or number > paginator.num_pages:
        msgs.append("ページ番号が正しくないため、1ページ目を表示しています。")
        number = 1
    page = paginator.page(number)
    base = {k: v for k, v in request.GET.items() if k in form.fields and v}
    if size != DEFAULT_PAGE_SIZE:
        base["per"] = str(size)
    columns = {}
    for key, (label, _) in spec.sorts.items():
        current = "desc" if sort == "-" + key else "asc" if sort == key else ""
        target = key if current == "desc" else "-" + key if current == "asc" else key
        columns[key] = Column(label, key, current, urlencode({**base, "sort": target}))
    query = urlencode({**base, "sort": sort})
    applied.update({"sort": sort, "page": page.number})
    return Listing(page=page, form=form, sort=sort, columns=columns, query=query, messages=msgs, filters=applied)


def export_rows(request, qs, spec: ListSpec, *, choices: dict | None = None, districts=None,
                limit: int = EXPORT_LIMIT):
    """(rows, filters applied, more) for an export: the same filters and order as the page, at most `limit` rows;
    `more` is true when the filter found more than that."""
    qs, _, _, applied, _ = filter_queryset(request, qs, spec, choices=choices or {}, districts=districts)
    rows = list(qs[:limit + 1])
    return rows[:limit], applied, len(rows) > limit
