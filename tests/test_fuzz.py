"""Zero server errors on bad input (issue 12): hypothesis sends generated values to every route.

The world is the `make run` demo (every kind of record exists). For every route of the URL configuration, as
a logged-in persona whose role reaches that route, the test sends GET requests with generated values for every
query parameter the code reads, and POST requests with generated values for every field of every form that
posts to that route (the forms are read from the pages themselves), plus generated path ids and file uploads.
Any 500 (or exception) fails the test; the number of requests is printed. The login form is posted by a
client that is not logged in; logout and logout-everywhere are posted too (the persona is logged in again).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.two_factor import TwoFactorClient

pytestmark = pytest.mark.django_db
EXAMPLES_PER_TARGET = 27
# The same inputs on every run (CI is reproducible); TSUNAGU_FUZZ_RANDOM=1 draws new ones each run, for hunting.
RANDOM = bool(os.environ.get("TSUNAGU_FUZZ_RANDOM"))
SOURCE = Path(__file__).resolve().parents[1] / "tsunagu"

# Path parameters: which records the ids come from (every <int:…> of urls.py must be listed here).
ID_MODELS = {
    "consultation_id": "intake.Consultation", "referral_id": "intake.Referral", "person_id": "people.Person",
    "consent_id": "privacy.Consent", "case_id": "casework.Case", "action_id": "casework.PlanAction",
    "follow_up_id": "casework.FollowUp", "meeting_id": "meetings.Meeting", "member_id": "meetings.MeetingMember",
    "item_id": "meetings.AgendaItem", "target_id": "outreach.OutreachTarget",
    "resource_id": "participation.Resource", "placement_id": "participation.Placement",
    "checkin_id": "participation.CheckIn", "place_id": "community.Place", "gap_id": "meetings.ResourceGap",
    "agency_id": "directory.Agency", "staff_id": "directory.Staff", "candidate_id": "identity.MatchCandidate",
    "link_id": "identity.IdentityLink", "release_id": "privacy.AddressRelease", "access_id": "privacy.EmergencyAccess",
    "token_id": "accounts.ApiToken", "job_id": "identity.MatchJob", "run_id": "ledgers.ImportRun",
    "notice_id": "notices.Notice", "attachment_id": "attachments.Attachment", "household_id": "people.Household",
    "plan_id": "casework.SupportPlan", "note_id": "casework.ProgressNote",
}
STR_PARAMS = {"fmt": ["pdf", "xlsx", "csv", "json"], "form": ["assessment", "plan", "notes", "evaluation"],
              "name": ["kpis", "by_field", "by_agency", "flows", "pipeline"],
              "action": ["unlock", "reset_2fa", "logout_everywhere"]}
# Who sends the requests of each route (by URL prefix): a persona whose role gets past the first check.
PERSONAS = [("/ledgers", "imizu.admin"), ("/accounts/staff", "imizu.admin"), ("/accounts/api-tokens", "imizu.admin"), ("/audit", "imizu.admin"), ("/evaluation", "imizu.manager"),
            ("/prefecture", "shiga.pref"), ("/cases", "imizu.coord"), ("/meetings", "imizu.coord"),
            ("/identity/review", "imizu.steward"), ("/identity/runs", "imizu.steward"), ("/identity", "imizu.madoguchi"), ("/emergency", "imizu.madoguchi"), ("/today", "imizu.coord"), ("/outreach", "imizu.outreach"),
            ("/participation", "imizu.sanka"), ("/community", "imizu.chiiki"), ("/governance", "imizu.manager"),
            ("", "imizu.madoguchi")]
# Posted by someone not logged in (a fresh client each time): the login form itself.
ANONYMOUS_POST = {"login"}
# Requests that can end or change the persona's session: it is logged in again before its next request.
RELOGIN_AFTER = {"staff_action", "password_change", "two_factor", "recovery_codes", "logout", "logout_everywhere"}

NASTY = ["", "0", "-1", "1", "2", "abc", "１２", "9" * 30, "-" + "9" * 25, "1e309", "NaN", "inf", "3.5", "令和99年",
         "昭和0年1月1日", "2026-13-45", "2026-02-30T25:61", "S99.99.99", "' OR 1=1 --", "<script>x</script>",
         "../../etc/passwd", "[]", "{}", '{"a": {"b": [1, {"c": null}]}}', "true", "null", "\u3000", "\x00",
         "𠮷野家", "髙橋", "ﾀｶﾊｼ", "=HYPERLINK(\"x\")", "a" * 5000, "\r\n", "%00", "on", "yes"]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers(-10**20, 10**20).map(str),
                   st.dates().map(str))


def query_params() -> list[str]:
    """Every name the code reads from request.GET (a new one is picked up without touching this test)."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        found |= set(re.findall(r"request\.GET(?:\.get|\.getlist)?[\(\[]\s*[\"']([A-Za-z0-9_]+)[\"']", path.read_text()))
    return sorted(found | {"page", "next"})


def form_class_fields() -> set[str]:
    """Every field name of every Django form of the project (some appear on a page only in some states)."""
    from django import forms as django_forms

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return {name for cls in walk(django_forms.BaseForm) if cls.__module__.startswith("tsunagu.")
            for name in getattr(cls, "base_fields", {})}


class Forms(HTMLParser):
    """The POST forms of a page: {action path: set of field names}; file inputs separately."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path, self.forms, self.files, self.query, self._action = page_path, {}, {}, set(), None
        self._get_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._action, self._get_form = None, (a.get("method") or "get").lower() == "get"
            if not self._get_form:
                self._action = (a.get("action") or self.page_path).split("?")[0]
                self.forms.setdefault(self._action, set())
        elif tag in ("input", "select", "textarea") and self._get_form and a.get("name"):
            self.query.add(a["name"])  # a search or filter form: its fields are query parameters
        elif tag in ("input", "select", "textarea") and self._action and a.get("name"):
            if a.get("name") in ("csrfmiddlewaretoken",):
                return
            (self.files if a.get("type") == "file" else self.forms).setdefault(self._action, set())
            target = self.files if a.get("type") == "file" else self.forms
            target[self._action].add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._action, self._get_form = None, False


def routes():
    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace != "api-v1":  # the JSON API is fuzzed from its schema (test_api_schemathesis)
                    yield from walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name:
                yield p
    return list(walk(get_resolver().url_patterns))


def persona_for(path: str) -> str:
    return next(user for prefix, user in PERSONAS if path.startswith(prefix))


@pytest.fixture
def world(django_db_blocker):
    from django.apps import apps

    from tsunagu.core.demo import load_demo
    from tsunagu.core.models import Municipality

    load_demo(households=12)
    imizu = Municipality.objects.get(code="162116")
    ids = {}
    for param, label in ID_MODELS.items():
        model = apps.get_model(label)
        qs = model.objects.all()
        if any(f.name == "municipality" for f in model._meta.fields):
            qs = qs.filter(municipality=imizu)  # the personas' own records, so that most requests get past 404
        found = list(qs.order_by("id").values_list("id", flat=True))
        ids[param] = (found[:3] + found[-3:]) or [1]
    return ids


def upload_values():
    nested = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                      max_size=3), max_leaves=12)
    return st.one_of(nested.map(lambda v: json.dumps(v).encode()), st.binary(max_size=200),
                     st.sampled_from([b"", b"\xff\xfe", b'{"format": "tsunagu-stats", "figures": [[[]]]}',
                                      b'{"format": "tsunagu-stats-v1", "municipality": {"code": {"x": 1}}}']))


def test_no_server_errors_on_generated_input(world, capsys):
    from tsunagu.accounts.models import AccountSecurity
    from tsunagu.directory.models import Staff

    params = query_params()
    clients: dict[str, TwoFactorClient] = {}
    staff = {s.username: s for s in Staff.objects.all()}

    logged_out: set[str] = set(staff)

    def client_for(username):
        client = clients.get(username)
        if client is None:
            client = clients[username] = TwoFactorClient(raise_request_exception=False)
        if username in logged_out:
            client.force_login(staff[username])
            logged_out.discard(username)
        return client

    # 1. Read every page once, with real ids, to learn the forms and where they post.
    forms: dict[str, set[str]] = {}
    files: dict[str, set[str]] = {}
    page_query: set[str] = set()
    for pattern in routes():
        kwargs = {k: (world[k][0] if k in world else STR_PARAMS[k][0]) for k in pattern.pattern.converters}
        url = reverse(pattern.name, kwargs=kwargs)
        response = client_for(persona_for(url)).get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = Forms(url)
            parser.feed(response.content.decode(errors="replace"))
            for action, names in parser.forms.items():
                forms.setdefault(action, set()).update(names)
            for action, names in parser.files.items():
                files.setdefault(action, set()).update(names)
            page_query.update(parser.query)
    all_fields = sorted(set().union(*forms.values()) | form_class_fields())
    params = sorted(set(params) | page_query)

    counts: Counter = Counter()
    errors: list[str] = []
    started = time.monotonic()

    def send(pattern, method, data):
        kwargs = {}
        for k in pattern.pattern.converters:
            if k in world:
                kwargs[k] = data.draw(st.one_of(st.sampled_from(world[k]), st.integers(0, 10**20)), label=k)
            else:
                choices = STR_PARAMS.get(k)
                assert choices is not None, f"経路 {pattern.name} の引数 {k} に値の作り方がありません"
                kwargs[k] = data.draw(st.sampled_from(choices) | st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True),
                                      label=k)
        url = reverse(pattern.name, kwargs=kwargs)
        if method == "POST" and pattern.name in ANONYMOUS_POST:
            client = TwoFactorClient(raise_request_exception=False)
        else:
            client = client_for(persona_for(url))
        if method == "GET":
            keys = data.draw(st.lists(st.sampled_from(params), max_size=4, unique=True), label="query")
            query = {k: data.draw(VALUES, label=k) for k in keys}
            response = client.get(url, query)
        else:
            action = url.split("?")[0]
            known = sorted(forms.get(action, set())) or all_fields
            keys = data.draw(st.lists(st.sampled_from(known), max_size=len(known), unique=True), label="fields")
            # …and fields a page adds only in some states (a chosen person, a second household member …)
            keys += data.draw(st.lists(st.sampled_from(all_fields), max_size=3, unique=True), label="more")
            body = {k: data.draw(st.lists(VALUES, min_size=1, max_size=3) if k in ("issue_tags", "needs")
                                 else VALUES, label=k) for k in keys}
            for name in files.get(action, ()):
                body[name] = SimpleUploadedFile("upload.json", data.draw(upload_values(), label=name))
            response = client.post(url, body)
        counts[method] += 1
        if pattern.name in RELOGIN_AFTER or response.get("Location", "").startswith("/accounts/login/"):
            logged_out.add(persona_for(url))
        if response.status_code >= 500:
            errors.append(f"{method} {url} {response.status_code} {str(body if method == 'POST' else query)[:300]}")
        if pattern.name == "staff_action":  # an admin reset must not lock the other personas out of the run
            AccountSecurity.objects.update(must_change_password=False)

    def fuzz(pattern, method):
        @settings(max_examples=EXAMPLES_PER_TARGET, deadline=None, database=None, derandomize=not RANDOM,
                  suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def run(data):
            send(pattern, method, data)

        run()

    spent: Counter = Counter()
    for pattern in routes():
        for method in ("GET", "POST"):
            began = time.monotonic()
            fuzz(pattern, method)
            spent[f"{method} {pattern.name}"] += time.monotonic() - began
    elapsed = time.monotonic() - started
    total = sum(counts.values())
    with capsys.disabled():
        print(f"\nfuzz: {total} requests ({counts['GET']} GET, {counts['POST']} POST) to {len(routes())} routes "
              f"in {elapsed:.0f} s; server errors: {len(errors)}")
        print("fuzz: slowest: " + ", ".join(f"{k} {v:.1f} s" for k, v in spent.most_common(8)))
    assert errors == [], "\n".join(errors[:30])
    assert total >= 5000
