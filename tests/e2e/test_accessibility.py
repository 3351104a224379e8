"""Accessibility and navigation by role (issue 17), in Debian's chromium with axe-core (from the npm registry).

As each demo role: every link of the menu answers 200 (no link leads to a 403/404 for that role), and every page
type the role reaches — the menu's pages and one detail page of each kind linked from them — has no serious or
critical axe-core violation of WCAG 2 A/AA.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tsunagu.core.demo import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
ROLES = ["imizu.madoguchi", "imizu.suishin", "imizu.coord", "imizu.steward", "imizu.outreach", "imizu.sanka",
         "imizu.chiiki", "imizu.member", "imizu.manager", "imizu.admin", "shiga.pref"]
DETAIL = re.compile(r"^/(people/\d+|intake/\d+|referrals/\d+|cases/\d+|meetings/\d+|outreach/\d+|"
                    r"participation/people/\d+|participation/resources/\d+|community/places/\d+|identity/review/\d+|"
                    r"governance/meetings/\d+|directory/agencies/\d+)/$")


@pytest.fixture
def demo(transactional_db):
    call_command("demo", households=12, stdout=StringIO())


def _links(page, selector):
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    # A label must name its own field: with two forms on a page, an id used twice makes a label point at the other
    # form's box (axe reports duplicate ids as minor; for a label it is not).
    result += page.evaluate("""() => {
        const seen = {}, out = [];
        document.querySelectorAll('[id]').forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
        document.querySelectorAll('label[for]').forEach(l => {
            if (seen[l.htmlFor] > 1) out.push('label-duplicate-id: ' + l.htmlFor);
            else if (!document.getElementById(l.htmlFor)) out.push('label-for-missing: ' + l.htmlFor);
        });
        return [...new Set(out)];
    }""")
    return result


def test_every_menu_link_answers_and_no_page_has_a_serious_accessibility_problem(browser, live_server, demo):
    assert AXE.exists(), "axe-core がありません（make browser が tests/e2e/js に入れます）"
    checked, problems, dead = 0, [], []
    for username in ROLES:
        context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", base_url=live_server.url,
                                      bypass_csp=True)  # axe-core is injected as a script; the app's CSP forbids that
        context.set_default_timeout(15_000)
        page = context.new_page()
        login(page, username, DEMO_PASSWORD)
        page.wait_for_url("**/")
        menu = [h for h in _links(page, "header nav a") if h and h.startswith("/")]
        pages, kinds = ["/"], set()
        for href in menu:
            response = page.goto(href)
            if response.status != 200:
                dead.append(f"{username}: メニュー {href} → {response.status}")
                continue
            pages.append(href)
            for link in _links(page, "main a"):
                m = DETAIL.match((link or "").split("?")[0])
                if m:
                    kind = re.sub(r"\d+", "N", m.group(1))
                    if kind not in kinds:
                        kinds.add(kind)
                        pages.append(link)
        for href in dict.fromkeys(pages):
            response = page.goto(href)
            if response.status != 200:
                continue
            checked += 1
            problems.extend(f"{username} {href}: {v}" for v in _axe(page))
        context.close()
    print(f"\naccessibility: {checked} pages checked across {len(ROLES)} roles, {len(problems)} serious or critical "
          f"violations, {len(dead)} dead menu links")
    assert dead == [], "\n".join(dead)
    assert problems == [], "\n".join(problems[:60])
