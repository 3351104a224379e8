"""The canary crawl (ACCESS.md §4): every route × every persona × every state, asserting on what responses contain.

The world (tests/canary/world.py) puts a unique token in every free-text field of every record type and builds
each state of ACCESS.md §2 once, side by side, through the services. The crawl fetches every route of the URL
configuration (pages, HTMX fragments, PDF text, xlsx cells, CSV, JSON) as every persona — each role kind in the
agency that holds the data and in another, another municipality, the prefecture, anonymous — and checks each
token that appears against the oracle (tests/canary/oracle.py, ACCESS.md transcribed): a token seen where the
table grants nothing is a leak. In the other direction, a field that the application shows to someone must be
shown somewhere to everyone the table grants it to (otherwise a grant is being refused).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict

import pytest
from django.db import connection, transaction
from django.urls import reverse

from tsunagu.privacy import access

from .canary.extract import content_text
from .canary.oracle import allowed_any
from .canary.routes import ROUTES, url_patterns
from .canary.world import build
from .conftest import agency_named

pytestmark = pytest.mark.django_db


def test_every_route_is_classified_for_the_crawl():
    names = {p.name for p in url_patterns()}
    assert sorted(names - set(ROUTES)) == [], "クロールの対象に分類されていない URL があります"
    assert sorted(set(ROUTES) - names) == [], "URL 設定にない名前がクロールの表にあります"


def _instances(world):
    for name, route in ROUTES.items():
        params = route.params(world) if route.params else [{}]
        queries = route.query(world) if route.query else [{}]
        for kwargs in params:
            url = reverse(name, kwargs=kwargs)
            if route.method in ("GET", "both"):
                for q in queries:
                    yield name, "GET", url, q, route.htmx, route.api
            if route.method in ("POST", "both"):
                yield name, "POST", url, {}, route.htmx, route.api


def _fetch(client, method, url, query, htmx, api_token=None):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    if api_token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {api_token}"
    if method == "GET":
        return client.get(url, query, **headers)
    # A post must not change the world the other personas are crawled in: roll it back.
    with transaction.atomic():
        if api_token is not None:
            response = client.post(url, "{}", content_type="application/json", **headers)
        else:
            response = client.post(url, {}, **headers)
        transaction.set_rollback(True)
    return response


def api_tokens_for(users) -> dict:
    """A token with every scope for each persona ("" for anonymous: the call carries no token)."""
    import datetime as dt

    from django.utils import timezone

    from tsunagu.accounts import tokens
    from tsunagu.accounts.models import ApiToken

    out = {}
    for persona, user in users.items():
        if user is None:
            out[persona] = ""
            continue
        raw = f"{tokens.PREFIX}canary-{persona}-{user.pk:08d}"
        ApiToken.objects.create(municipality_id=user.municipality_id, staff=user, name="canary", prefix=raw[:10],
                                digest=tokens.digest(raw), scopes=list(tokens.SCOPES),
                                expires_at=timezone.now() + dt.timedelta(days=1))
        out[persona] = raw
    return out


def test_canary_crawl(imizu, fussa, shiga, make_staff, client, settings):
    started = time.monotonic()
    settings.TSUNAGU_API_RATE_PER_MINUTE = 10**6
    world = build(imizu, fussa, shiga, make_staff, agency_named)
    tokens_of = api_tokens_for(world.users)
    from tsunagu.accounts.models import ApiToken

    world.ids["api_token"] = list(ApiToken.objects.values_list("pk", flat=True)[:2])
    # The stored grants the services kept in step equal a rebuild from the records, in every state built.
    assert access.rebuild(imizu.pk, write=False) == {"person": (0, 0), "target": (0, 0)}
    by_value = defaultdict(list)
    for t in world.tokens:
        by_value[t.value].append(t)
    finder = re.compile("|".join(re.escape(v) for v in sorted(by_value, key=len, reverse=True)))
    instances = list(_instances(world))
    combinations = checked = 0
    leaks, errors = [], []
    seen = defaultdict(set)  # persona -> token values seen anywhere
    timing = defaultdict(float)
    shown_to_someone = set()
    for persona, user in world.users.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, method, url, query, htmx, api in instances:
            t0 = time.monotonic()
            response = _fetch(client, method, url, query, htmx, tokens_of[persona] if api else None)
            timing[name] += time.monotonic() - t0
            combinations += 1
            if response.status_code >= 500:
                errors.append(f"{persona} {method} {url} → {response.status_code}")
                continue
            kind, text = content_text(response)
            if "Traceback" in text:
                errors.append(f"{persona} {method} {url}: stack trace")
            found = set(finder.findall(text))
            checked += len(by_value)
            for value in found:
                shown_to_someone.add(value)
                seen[persona].add(value)
                if not allowed_any(world, persona, by_value[value]):
                    leaks.append(f"{persona} {method} {url} {query or ''} [{kind}]: {value}")
    refused = sorted(f"{persona}: {value} ({allowed_any(world, persona, by_value[value])})"
                     for persona in world.users for value in shown_to_someone
                     if allowed_any(world, persona, by_value[value]) and value not in seen[persona])
    from pathlib import Path

    report = Path(__file__).resolve().parent.parent / "test-artifacts" / f"canary-crawl-{connection.vendor}.txt"
    report.parent.mkdir(exist_ok=True)
    slowest = [f"{n}: {t:.1f} s" for n, t in sorted(timing.items(), key=lambda x: -x[1])[:15]]
    summary = (f"canary crawl ({connection.vendor}): {combinations} combinations ({len(instances)} route instances × "
               f"{len(world.users)} personas), {len(by_value)} tokens, {checked} token checks, {len(leaks)} leaks, "
               f"{len(refused)} grants not shown, {len(errors)} errors, {time.monotonic() - started:.0f} s")
    report.write_text("\n".join([summary, "# leaks", *leaks, "# grants not shown", *refused, "# errors", *errors,
                                 "# slowest routes (total)", *slowest]))
    print("\n" + summary)
    assert errors == []
    assert leaks == [], "\n".join(leaks[:80])
    assert refused == [], "\n".join(refused[:80])
    assert combinations >= 20_000
