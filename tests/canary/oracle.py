"""ACCESS.md transcribed once, declaratively: which persona may see which canary token.

The oracle reads only the world's description (tests/canary/world.py `Facts`) and this table — never the policy
code. Each row is a grant of ACCESS.md §2: who holds it and while when (a predicate over the facts), and which
classes of which record types it opens. Masking (invariant 6) is applied after the table: a token of class ADDRESS
is opened only by G1 or by a grant the recording agency released the address to.

Readings of ACCESS.md made here (also in the closing note of the issue):
- "casework roles" = intake, liaison, coordinator (§2); every agency grant applies only to them.
- a consent "covers" an agency for a purpose when it is active, names the agency (or all), and allows the
  purpose (empty purposes = no restriction; a consent to 多機関協働 allows the 重層的支援会議, where its plans are
  decided). The purposes are: G2 つなぎ (or 多機関協働 for an escalation), G4 多機関協働, G7 会議での協議 (the purpose of a consent-based meeting), G9 参加支援.
- a referral's answer (受理メモ, 差し戻しの理由) is written by the receiving agency (its G1) and addressed to the
  sending one: both ends see it, whatever the state of the grant on the person.
- progress notes, the assessment, plans and evaluations are part of the case record (G4, G5).
- the meeting's general minutes: the organiser; every member of a meeting without a duty of confidentiality;
  for a meeting with one (支援会議), members who recorded it (finding 3).
- the reason of an emergency access is seen by who asked for it, by the recording agency and by the manager
  (who reviews it, G10/G11) — never with the person's name for the manager (that is checked by the name token).
"""

from __future__ import annotations

ID, BASIC, ADDRESS, SENSITIVE, CONTENT = "ID", "BASIC", "ADDRESS", "SENSITIVE", "CONTENT"
CASEWORK = {"intake", "liaison", "coordinator"}
PARTICIPATION_AGENCIES = {"K"}  # profiles/imizu.yaml: 参加支援コーディネーター 配置先 = 地域福祉課
ALL = {ID, BASIC, ADDRESS, SENSITIVE, CONTENT}


def _p(w, persona):
    return w.personas[persona]


def casework(w, p):
    return _p(w, p)["role"] in CASEWORK and _p(w, p)["municipality"] == "imizu"


def agency(w, p):
    return _p(w, p)["agency"] if _p(w, p)["municipality"] == "imizu" else None


def covers(w, subject, purpose, *, agency_=None, staff=None):
    c = w.facts.consents.get(subject)
    if not c or not c["active"]:
        return False
    allowed = purpose in c["purposes"] or (purpose == "会議での協議" and "多機関協働" in c["purposes"])
    if not allowed:
        return False
    return bool((agency_ and (c["all"] or agency_ in c["agencies"])) or (staff and staff in c["staff"]))


def referrals(w, subject):
    return [r for r in w.facts.referrals if r["subject"] == subject]


def recorder(w, subject):
    return w.facts.persons.get(subject, {}).get("recorder")


# ------------------------------------------------------------------------------------------------ the table
# (grant, opens {record: classes}, holds(w, persona, token) -> bool, release kind for a masked address or None)

def g1(w, p, t):
    return casework(w, p) and agency(w, p) is not None and agency(w, p) == recorder(w, t.subject)


def g2(w, p, t):
    for r in referrals(w, t.subject):
        if t.record == "referral" and t.ref != r["key"]:
            continue
        purpose = "多機関協働" if r["purpose"] == "multiagency" else "関係機関へのつなぎ"
        if (casework(w, p) and agency(w, p) == r["to"] and r["status"] in ("sent", "accepted")
                and covers(w, t.subject, purpose, agency_=r["to"])):
            return True
    return False


def g3(w, p, t):
    return any(casework(w, p) and agency(w, p) == r["to"] and r["status"] in ("sent", "accepted")
               and r["basis"] == "statutory" and (t.record != "referral" or t.ref == r["key"])
               for r in referrals(w, t.subject))


def g4(w, p, t):
    case = w.facts.cases.get(t.subject)
    a = agency(w, p)
    return bool(case and casework(w, p) and case["team"].get(a) and covers(w, t.subject, "多機関協働", agency_=a))


def g5(w, p, t):
    if not (_p(w, p)["role"] == "coordinator" and agency(w, p) == "K"):
        return False
    if t.record == "item":
        return True  # the agenda the coordinating agency convenes (every meeting here is convened by coord_K)
    return t.subject in w.facts.cases


def _items(w, t):
    return [i for i in w.facts.items if i["subject"] == t.subject and (t.record != "item" or t.ref == i["key"])]


def g6(w, p, t):
    for i in _items(w, t):
        members = w.facts.meetings[i["meeting"]]["members"]
        if i["basis"] != "consent" and i["open"] and members.get(p):
            return True
    return False


def g7(w, p, t):
    for i in _items(w, t):
        members = w.facts.meetings[i["meeting"]]["members"]
        if i["basis"] == "consent" and p in members and covers(w, t.subject, "会議での協議", agency_=agency(w, p),
                                                                 staff=p):
            return True
    return False


def g8(w, p, t):
    target = w.facts.targets.get(t.subject)
    return bool(target and _p(w, p)["role"] == "outreach" and p in target["staff"] and not target["handed_over"])


def g9(w, p, t):
    case = w.facts.cases.get(t.subject)
    a = agency(w, p)
    return bool(case and case["participation"] and case["open"] and _p(w, p)["role"] == "participation"
                and a in PARTICIPATION_AGENCIES and covers(w, t.subject, "参加支援", agency_=a))


def g10(w, p, t):
    return any(e["subject"] == t.subject and e["persona"] == p and e["active"] and casework(w, p)
               for e in w.facts.emergency)


def g14(w, p, t):
    return _p(w, p)["role"] == "steward" and any(t.subject in pair for pair in w.facts.steward_pairs)


TABLE = [
    # G1 自機関の記録: every record the persona's agency recorded, all classes.
    ("G1", {"person": ALL, "household": ALL, "consultation": ALL, "referral": ALL, "withdrawal": ALL}, g1, "G1"),
    ("G2", {"person": {ID, BASIC}, "household": {BASIC}, "consultation": {ID, BASIC, CONTENT},
            "referral": {CONTENT}}, g2, "G2"),
    ("G3", {"person": {ID}, "consultation": {ID}, "referral": {CONTENT}}, g3, None),
    ("G4", {"person": {ID, BASIC, SENSITIVE}, "household": {BASIC, SENSITIVE},
            "consultation": {ID, BASIC, SENSITIVE, CONTENT}, "case": {ID, BASIC, SENSITIVE, CONTENT}}, g4, "G4"),
    ("G5", {"person": {ID}, "case": ALL, "item": ALL}, g5, None),
    ("G6", {"person": {ID}, "target": {ID}, "item": {ID, CONTENT}}, g6, None),
    ("G7", {"person": {ID}, "item": {ID, CONTENT}}, g7, None),
    ("G8", {"target": ALL}, g8, None),
    ("G9", {"person": {ID, BASIC}, "participation": ALL}, g9, None),
    ("G10", {"person": {ID, BASIC}}, g10, None),
    ("G14", {"person": {ID}}, g14, None),
]


def _released(w, t, kind, p):
    return (t.subject, kind, agency(w, p)) in w.facts.released


def _special(w, p, t):
    """Records the table's rows do not name: referral answers, meeting minutes, emergency reasons."""
    if t.record == "response":
        return any(casework(w, p) and agency(w, p) in (r["from"], r["to"]) for r in referrals(w, t.subject)
                   if r["key"] == t.ref)
    if t.record == "minutes":
        m = w.facts.meetings[t.subject]
        if _p(w, p)["role"] == "coordinator" and agency(w, p) == "K":
            return True
        if p not in m["members"]:
            return False
        return m["members"][p] if m["duty"] else True
    if t.record == "emergency":
        return (any(e["subject"] == t.subject and e["persona"] == p for e in w.facts.emergency)
                or g1(w, p, t) or _p(w, p)["role"] == "manager" and _p(w, p)["municipality"] == "imizu")
    return False


def allowed(w, persona, token) -> str | None:
    """The grant that lets `persona` see `token`, or None (G15: nothing)."""
    if persona == "anonymous":
        return None
    if token.record in ("response", "minutes", "emergency"):
        return "special" if _special(w, persona, token) else None
    for grant, opens, holds, release in TABLE:
        classes = opens.get(token.record)
        if not classes or not holds(w, persona, token):
            continue
        if token.cls == ADDRESS:
            if grant == "G1" or (release and _released(w, token, release, persona)):
                return grant
            continue
        if token.cls in classes:
            return grant
    return None


def allowed_any(w, persona, tokens_for_value) -> str | None:
    """A value may sit in several records (a hand-over copies the target into a person): any one suffices."""
    for t in tokens_for_value:
        g = allowed(w, persona, t)
        if g:
            return g
    return None
