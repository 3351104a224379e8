"""The canary world: every state of ACCESS.md §2, built once through the services, with a unique token in every
free-text field of every record type.

Each subject is one resident in one state (consent given / scope-limited / withdrawn; referral sent / accepted /
returned; team active / ended; duty recorded / not; item open / closed; emergency access active / expired; a
masked address; an outreach target before and after hand-over). Beside the database rows the builder writes a
plain description of what it did (`World.facts`): the oracle (tests/canary/oracle.py) reads only that
description and ACCESS.md, never the policy code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from tsunagu.casework import services as casework
from tsunagu.directory.models import Agency, MeetingType
from tsunagu.identity.models import MatchCandidate
from tsunagu.intake import services as intake
from tsunagu.meetings import services as meetings
from tsunagu.outreach import services as outreach
from tsunagu.participation import services as participation
from tsunagu.privacy import services as privacy
from tsunagu.privacy.models import EmergencyAccess

# ------------------------------------------------------------------------------------------------ tokens


def tok(subject: str, name: str) -> str:
    return f"CANARY{subject}{name}"


@dataclass
class Token:
    value: str
    subject: str  # "S01" … or "T1" (outreach target) or "M1" (meeting)
    record: str  # person / household / consultation / referral / response / case / item / minutes / target /
    #              participation / emergency / withdrawal
    cls: str  # ID / BASIC / ADDRESS / SENSITIVE / CONTENT
    ref: object = None  # which record of that type (e.g. the referral's key), when a subject has several


@dataclass
class Facts:
    """What was built, in the oracle's own terms (agencies and personas by short names)."""

    persons: dict = field(default_factory=dict)  # subject -> {"recorder": agency, "masked": bool}
    consents: dict = field(default_factory=dict)  # subject -> {"active": bool, "all": bool, "agencies": set,
    #                                                "staff": set, "purposes": set}
    referrals: list = field(default_factory=list)  # {"subject", "key", "from", "to", "status", "basis", "purpose"}
    cases: dict = field(default_factory=dict)  # subject -> {"coordinating": agency, "team": {agency: active},
    #                                             "open": bool, "participation": bool, "released": set}
    items: list = field(default_factory=list)  # {"subject", "key", "meeting", "basis", "open"}
    meetings: dict = field(default_factory=dict)  # meeting -> {"organiser": persona, "duty": bool,
    #                                                 "members": {persona: acknowledged}}
    targets: dict = field(default_factory=dict)  # target -> {"staff": {personas}, "handed_over": bool}
    emergency: list = field(default_factory=list)  # {"subject", "persona", "active": bool}
    steward_pairs: list = field(default_factory=list)  # [(subject, subject)]
    released: set = field(default_factory=set)  # (subject, "G2"/"G4", agency)


@dataclass
class World:
    users: dict  # persona -> Staff or None (anonymous)
    personas: dict  # persona -> {"agency": short name or None, "role": kind, "municipality": "imizu"/…}
    agencies: dict  # short name -> Agency
    facts: Facts
    tokens: list
    ids: dict = field(default_factory=lambda: {"person": [], "consultation": [], "referral": [], "case": [],
                                               "meeting": [], "target": [], "placement": [], "resource": [],
                                               "consent": [], "candidate": [], "link": [], "release": [],
                                               "emergency": [], "household": []})
    objects: dict = field(default_factory=dict)


AGENCIES = {"A": "新湊西地域包括", "B": "あいネット", "C": "大門地域包括", "K": "地域福祉課", "S": "すてっぷ"}
PERSONAS = {  # persona -> (role kind, agency short name or None)
    "intake_A": ("intake", "A"), "liaison_A": ("liaison", "A"), "intake_B": ("intake", "B"),
    "intake_C": ("intake", "C"), "coord_K": ("coordinator", "K"), "intake_K": ("intake", "K"),
    "coord_C": ("coordinator", "C"), "outreach_K": ("outreach", "K"), "outreach_K2": ("outreach", "K"),
    "particip_K": ("participation", "K"), "particip_C": ("participation", "C"), "community_K": ("community", "K"),
    "manager_K": ("manager", "K"), "steward_K": ("steward", "K"), "admin": ("admin", None),
    "member_ack": ("meeting_member", None), "member_noack": ("meeting_member", None),
    # The same role kinds in an agency that holds none of the data.
    "liaison_C": ("liaison", "C"), "outreach_C": ("outreach", "C"), "community_C": ("community", "C"),
    "manager_C": ("manager", "C"), "steward_C": ("steward", "C"), "intake_S": ("intake", "S"),
    "admin_K": ("admin", "K"),
}
ALL_PURPOSES = ("関係機関へのつなぎ", "多機関協働", "会議での協議", "参加支援")


class Builder:
    def __init__(self, imizu, fussa, shiga, make_staff, agency_named):
        self.agencies = {k: agency_named(imizu, v) for k, v in AGENCIES.items()}
        users = {}
        personas = {}
        for persona, (kind, agency) in PERSONAS.items():
            users[persona] = make_staff(imizu, f"cn_{persona}", kind, self.agencies.get(agency), persona)
            personas[persona] = {"role": kind, "agency": agency, "municipality": "imizu"}
        fussa_agency = next(a for a in Agency.objects.for_municipality(fussa) if "包括的相談支援" in a.kinds)
        users["fussa_intake"] = make_staff(fussa, "cn_fussa", "intake", fussa_agency, "福生")
        personas["fussa_intake"] = {"role": "intake", "agency": "F", "municipality": "fussa"}
        users["prefecture"] = make_staff(shiga, "cn_pref", "prefecture", None, "県")
        personas["prefecture"] = {"role": "prefecture", "agency": None, "municipality": "shiga"}
        users["anonymous"] = None
        personas["anonymous"] = {"role": None, "agency": None, "municipality": None}
        self.imizu = imizu
        self.u = users
        self.w = World(users=users, personas=personas, agencies=self.agencies, facts=Facts(), tokens=[])
        self.short = {a.pk: k for k, a in self.agencies.items()}
        self.pending_decisions = []

    # ---------------------------------------------------------------------------------------------- helpers

    def token(self, subject, name, record, cls, ref=None) -> str:
        value = tok(subject, name)
        self.w.tokens.append(Token(value, subject, record, cls, ref))
        return value

    def _consent(self, s, *, all_agencies=False, agencies=(), staff=(), purposes=ALL_PURPOSES):
        self.w.facts.consents[s] = {"active": True, "all": all_agencies, "agencies": set(agencies),
                                    "staff": set(staff), "purposes": set(purposes)}
        return {"scope_all_agencies": all_agencies, "scope_agencies": [self.agencies[a] for a in agencies],
                "scope_staff": [self.u[p] for p in staff], "purposes": list(purposes), "method": "書面",
                "obtained_on": timezone.localdate()}

    def person(self, s, *, by="intake_A", consent=None, masked=False, household=False, sensitive=True):
        """A consultation (and its person) recorded by `by`'s agency, tokens in every field."""
        user = self.u[by]
        recorder = self.w.personas[by]["agency"]
        self.w.facts.persons[s] = {"recorder": recorder, "masked": masked}
        addr_cls = "ADDRESS" if masked else "BASIC"
        members = []
        if household:
            members = [{"name": self.token(s, "MEMBER", "household", "BASIC"), "kana": "", "relation": "母",
                        "care_roles": ["要介護"]}]
        c = intake.record_consultation(
            user, new_person={
                "name": self.token(s, "NAME", "person", "ID"), "kana": self.token(s, "KANA", "person", "ID"),
                "birth_date": dt.date(1960, 1, 1 + int(s[1:]) % 28),
                "address": f"射水市放生津町{int(s[1:])}番地" + self.token(s, "ADDR", "person", addr_cls),
                "phone": self.token(s, "TEL", "person", addr_cls),
                "nationality": self.token(s, "NAT", "person", "BASIC"),
                "language": self.token(s, "LANG", "person", "BASIC"), "address_masked": masked},
            received_at=timezone.now() - dt.timedelta(days=1), channel="来所", consulter_type="家族",
            consulter_name=self.token(s, "CONSULTER", "consultation", "CONTENT"),
            chief_complaint=self.token(s, "MAIN", "consultation", "ID"),
            detail=self.token(s, "DETAIL", "consultation", "CONTENT"), issue_tags=["8050"], urgency="normal",
            sensitive_categories=["病歴・健康"] if sensitive else [],
            sensitive_notes=self.token(s, "SENS", "consultation", "SENSITIVE") if sensitive else "",
            household_members=members, consent=consent)
        self.w.ids["person"].append(c.person_id)
        self.w.ids["consultation"].append(c.pk)
        if c.household_id:
            self.w.ids["household"].append(c.household_id)
        self.w.objects[s] = {"consultation": c, "person": c.person}
        return c

    def refer(self, s, c, *, by="intake_A", to="B", key="r", statutory="", status="sent", receiver=None,
              purpose="referral"):
        user = self.u[by]
        message = self.token(s, f"MSG{key}", "referral", "CONTENT", ref=key)
        if purpose == "multiagency":
            r = intake.escalate_to_multiagency(user, c, message=message, statutory_basis=statutory)
        else:
            r = intake.refer_consultation(user, c, to_agency=self.agencies[to], message=message,
                                          statutory_basis=statutory)
        fact = {"subject": s, "key": key, "from": self.w.personas[by]["agency"], "to": self.short[r.to_agency_id],
                "status": "sent", "basis": r.basis, "purpose": purpose}
        self.w.facts.referrals.append(fact)
        self.w.ids["referral"].append(r.pk)
        receiver = receiver or f"intake_{fact['to']}"
        if status == "accepted":
            intake.accept_referral(self.u[receiver], r, note=self.token(s, f"ACCEPT{key}", "response", "CONTENT",
                                                                        ref=key))
            fact["status"] = "accepted"
            # The receiver's own record of the referral (take_on_referral): crawled like every consultation; it
            # names the same person, whose tokens must show only as the referral's grant allows.
            taken_on = intake.Consultation.objects.filter(source_referral=r).first()
            if taken_on is not None:
                self.w.ids["consultation"].append(taken_on.pk)
        elif status == "returned":
            intake.return_referral(self.u[receiver], r, reason=self.token(s, f"RETURN{key}", "response", "CONTENT",
                                                                          ref=key),
                                   suggested_agency=self.agencies["C"])
            fact["status"] = "returned"
        self.w.objects[s][f"referral_{key}"] = r
        return r

    def case(self, s, r, *, team=(), participation_plan=False):
        case = casework.open_case(self.u["coord_K"], referral=r)
        for f in self.w.facts.referrals:
            if f["subject"] == s and f["key"] == "k":
                f["status"] = "accepted"
        self.w.facts.cases[s] = {"coordinating": "K", "team": {}, "open": True, "participation": participation_plan}
        for agency in team:
            casework.add_team_member(self.u["coord_K"], case, agency=self.agencies[agency], role="支援")
            self.w.facts.cases[s]["team"][agency] = True
        casework.save_assessment(self.u["coord_K"], case, {"wishes": self.token(s, "ASSESS", "case", "CONTENT")})
        casework.draft_plan(self.u["coord_K"], case, long_term_goal=self.token(s, "PLAN", "case", "CONTENT"),
                            short_term_goals="短期", lead_agency=self.agencies["K"],
                            review_date=timezone.localdate() + dt.timedelta(days=60), refer_participation=participation_plan,
                            actions=[{"description": "取組", "agency": self.agencies["K"],
                                      "due_date": timezone.localdate() + dt.timedelta(days=30)}])
        casework.add_progress_note(self.u["coord_K"], case, kind="visit", occurred_at=timezone.now(),
                                   text=self.token(s, "NOTEK", "case", "CONTENT"))
        for agency in team:
            casework.add_progress_note(self.u[f"intake_{agency}"], case, kind="phone", occurred_at=timezone.now(),
                                       text=self.token(s, f"NOTE{agency}", "case", "CONTENT"))
        # Case titles are written as the coordinator chose them (here: a token, CONTENT of the case record).
        case.title = self.token(s, "CASE", "case", "CONTENT")
        case.save(update_fields=["title"])
        self.w.ids["case"].append(case.pk)
        self.w.objects[s]["case"] = case
        return case

    def meeting(self, key, kind, *, members=()):
        mtype = MeetingType.objects.for_municipality(self.imizu).filter(kind=kind).order_by("sort_order").first()
        m = meetings.schedule_meeting(self.u["coord_K"], meeting_type=mtype, title=f"会議 {key}",
                                      scheduled_at=timezone.now() + dt.timedelta(days=1))
        facts = {"organiser": "coord_K", "duty": mtype.confidentiality_duty, "members": {}}
        for persona, ack in members:
            member = meetings.add_member(self.u["coord_K"], m, staff=self.u[persona])
            if ack:
                meetings.acknowledge_confidentiality(self.u[persona], member)
            facts["members"][persona] = ack
        meetings.save_minutes(self.u["coord_K"], m, minutes=self.token(key, "MINUTES", "minutes", "CONTENT", ref=key))
        self.w.facts.meetings[key] = facts
        self.w.ids["meeting"].append(m.pk)
        self.w.objects[key] = {"meeting": m}
        return m

    def item(self, s, meeting_key, *, case=None, basis="", close=False, key="i", decide=False):
        m = self.w.objects[meeting_key]["meeting"]
        item = meetings.add_agenda_item(self.u["coord_K"], m, purpose="sharing", case=case, legal_basis=basis,
                                        summary=self.token(s, f"ITEM{key}", "item", "CONTENT", ref=key))
        if decide:  # decided once the meeting is held (`hold_meetings`, after every item is on the agenda)
            self.pending_decisions.append((item, self.token(s, f"MINUTE{key}", "item", "CONTENT", ref=key)))
        if close:
            meetings.close_item_sharing(self.u["coord_K"], item)
        self.w.facts.items.append({"subject": s, "key": key, "meeting": meeting_key, "basis": item.legal_basis,
                                   "open": not close})
        return item

    def hold_meetings(self):
        """Hold the meetings that decide items (record_held: attendance as the facts say — at a statutory-duty
        meeting only the members whose duty is recorded attend, so no grant changes) and decide them."""
        held = set()
        for item, note in self.pending_decisions:
            m = item.meeting
            if m.pk not in held:
                duty = m.meeting_type.confidentiality_duty
                attended = [x.pk for x in m.members.all() if x.confidentiality_acknowledged_at or not duty]
                meetings.record_held(self.u["coord_K"], m, held_at=timezone.now(), attended=attended)
                held.add(m.pk)
            meetings.decide_item(self.u["coord_K"], item, decision="noted", note=note)


def build(imizu, fussa, shiga, make_staff, agency_named) -> World:  # noqa: C901 — one recipe, read top to bottom
    b = Builder(imizu, fussa, shiga, make_staff, agency_named)
    f = b.w.facts
    u = b.u

    # S01–S03: consent to every agency; a referral to B sent / accepted / returned (and resent to C).
    c = b.person("S01", consent=b._consent("S01", all_agencies=True), household=True)
    b.refer("S01", c)
    from django.core.files.uploadedfile import SimpleUploadedFile
    from weasyprint import HTML

    from tsunagu.attachments.services import add_attachment

    # A real PDF (the crawl reads a PDF's text as a person would): the scanned form carries a CONTENT token.
    scan = HTML(string=f"<p>{b.token('S01', 'SCAN', 'consultation', 'CONTENT')}</p>").write_pdf()
    b.w.ids["attachment"] = [add_attachment(u["intake_A"], target_type="consultation", target=c, person=c.person,
                                            upload=SimpleUploadedFile("scan.pdf", scan), kind="consent").pk]
    c = b.person("S02", consent=b._consent("S02", all_agencies=True))
    b.refer("S02", c, status="accepted")
    c = b.person("S03", consent=b._consent("S03", all_agencies=True))
    r = b.refer("S03", c, status="returned")
    again = intake.resend_referral(u["intake_A"], r, to_agency=b.agencies["C"],
                                   message=b.token("S03", "MSGc", "referral", "CONTENT", ref="c"))
    f.referrals.append({"subject": "S03", "key": "c", "from": "A", "to": "C", "status": "sent", "basis": again.basis,
                        "purpose": "referral"})
    b.w.ids["referral"].append(again.pk)

    # S04: consent withdrawn after an accepted referral.
    c = b.person("S04", consent=b._consent("S04", all_agencies=True))
    b.refer("S04", c, status="accepted")
    privacy.withdraw_consent(u["intake_A"], c.person.consents.get(),
                             note=b.token("S04", "WITHDRAW", "withdrawal", "CONTENT"))
    f.consents["S04"]["active"] = False

    # S05: consent scope-limited to C; a statutory referral to B (G3 only), nothing to C (no referral).
    c = b.person("S05", consent=b._consent("S05", agencies=("C",)))
    b.refer("S05", c, statutory="vital")

    # S06: no consent, a statutory referral to B. B records its own consultation about the person (finding 1):
    # a record of B's own, linked as the same person; then B returns the referral.
    c = b.person("S06")
    r = b.refer("S06", c, statutory="vital", status="sent")
    bc = intake.record_consultation(
        u["intake_B"], person=c.person,
        new_person={"name": b.token("S6B", "NAME", "person", "ID"), "kana": "",
                    "address": b.token("S6B", "ADDR", "person", "BASIC")},
        received_at=timezone.now(), channel="電話", consulter_type="本人",
        chief_complaint=b.token("S6B", "MAIN", "consultation", "ID"),
        detail=b.token("S6B", "DETAIL", "consultation", "CONTENT"), issue_tags=[], urgency="normal")
    f.persons["S6B"] = {"recorder": "B", "masked": False}
    b.w.ids["person"].append(bc.person_id)
    b.w.ids["consultation"].append(bc.pk)
    intake.return_referral(u["intake_B"], r, reason=b.token("S06", "RETURNr", "response", "CONTENT", ref="r"),
                           suggested_agency=b.agencies["C"])
    next(x for x in f.referrals if x["subject"] == "S06")["status"] = "returned"

    # S07: a masked (DV) address; consent to every agency; a referral to B sent.
    c = b.person("S07", consent=b._consent("S07", all_agencies=True), masked=True)
    b.refer("S07", c)

    # Meetings: a 重層的支援会議 (M1) and a 支援会議 (M2), each with minutes.
    b.meeting("M1", "重層的支援会議", members=[("intake_B", False), ("member_ack", False), ("member_noack", False)])
    b.meeting("M2", "支援会議", members=[("member_ack", True), ("member_noack", False), ("intake_C", True)])

    # S08: consent to every agency and by name to member_ack; escalated; a case with B on the team; a plan that
    # refers to 参加支援; on the 重層的支援会議 (members: B, member_ack named, member_noack not named).
    c = b.person("S08", consent=b._consent("S08", all_agencies=True, staff=("member_ack",)))
    r = b.refer("S08", c, purpose="multiagency", key="k")
    case = b.case("S08", r, team=("B",), participation_plan=True)
    b.item("S08", "M1", case=case, decide=True)
    sanka = u["particip_K"]
    resource = participation.create_resource(sanka, name="居場所", kind="居場所", host="社協", needs=["居場所"])
    b.w.ids["resource"].append(resource.pk)
    person = c.person
    participation.save_needs_sheet(sanka, person, needs=["居場所"],
                                   wishes=b.token("S08", "NEEDS", "participation", "CONTENT"))
    placement = participation.propose(sanka, person, resource,
                                      reasons=b.token("S08", "MATCH", "participation", "CONTENT"))
    participation.advance(sanka, placement, status="started")
    participation.record_host_support(sanka, resource, kind="advice", placement=placement,
                                      concern=b.token("S08", "HOST", "participation", "CONTENT"))
    b.w.ids["placement"].append(placement.pk)

    # S09: a case whose team member B was removed (team ended).
    c = b.person("S09", consent=b._consent("S09", all_agencies=True))
    case = b.case("S09", b.refer("S09", c, purpose="multiagency", key="k"), team=("B",))
    casework.remove_team_member(u["coord_K"], case.team.get(agency=b.agencies["B"]))
    f.cases["S09"]["team"]["B"] = False

    # S10 / S11: no consent, a statutory escalation; a 支援会議 item open / closed.
    c = b.person("S10")
    case = b.case("S10", b.refer("S10", c, purpose="multiagency", key="k", statutory="vital"))
    b.item("S10", "M2", case=case, decide=True)
    c = b.person("S11")
    case = b.case("S11", b.refer("S11", c, purpose="multiagency", key="k", statutory="vital"))
    b.item("S11", "M2", case=case, close=True)

    # S12: masked; consent to every agency; a case with B on the team and the address released for the team.
    c = b.person("S12", consent=b._consent("S12", all_agencies=True), masked=True)
    case = b.case("S12", b.refer("S12", c, purpose="multiagency", key="k"), team=("B",))
    release = privacy.release_address(u["intake_A"], person=c.person, kind="G4", agency=b.agencies["B"],
                                      case_id=case.pk, reason="同行訪問のため")
    f.released.add(("S12", "G4", "B"))
    b.w.ids["release"].append((c.person_id, release.pk))

    # S13 / S14: emergency access by intake_C, active / expired.
    for s, active in (("S13", True), ("S14", False)):
        c = b.person(s)
        ea = privacy.break_glass(u["intake_C"], persons=[c.person], basis="vital_private",
                                 reason=b.token(s, "EAREASON", "emergency", "CONTENT"))[0]
        if not active:
            EmergencyAccess.objects.filter(pk=ea.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
            from tsunagu.privacy import access

            access.sync_persons(imizu.pk, [c.person_id])
        f.emergency.append({"subject": s, "persona": "intake_C", "active": active})
        b.w.ids["emergency"].append(ea.pk)

    # S15: consent scoped to K and C only; on the 重層的支援会議 where B is a member (finding 4).
    c = b.person("S15", consent=b._consent("S15", agencies=("K", "C")))
    case = b.case("S15", b.refer("S15", c, purpose="multiagency", key="k"))
    b.item("S15", "M1", case=case, decide=True)

    # S16: a consent whose purposes leave out つなぎ: the referral to B rests on a statute (G3 only).
    c = b.person("S16", consent=b._consent("S16", all_agencies=True, purposes=("多機関協働",)))
    b.refer("S16", c, statutory="benefit", status="accepted")
    # S17: masked; consent to every agency; a referral to B whose address the recording agency released (G2).
    c = b.person("S17", consent=b._consent("S17", all_agencies=True), masked=True)
    r = b.refer("S17", c)
    privacy.release_address(u["intake_A"], person=c.person, kind="G2", agency=b.agencies["B"], referral_id=r.pk,
                            reason="訪問のため")
    f.released.add(("S17", "G2", "B"))
    # S18: consent to C only, a statutory referral to B; then the consent is widened to B (G2 from then on).
    c = b.person("S18", consent=b._consent("S18", agencies=("C",)))
    b.refer("S18", c, statutory="vital")
    privacy.record_consent(u["intake_A"], person=c.person, supersedes=c.person.consents.get(),
                           **b._consent("S18", agencies=("C", "B")))
    # S19: consent to every agency and a referral to B; then narrowed to C (B's grant ends at once).
    c = b.person("S19", consent=b._consent("S19", all_agencies=True))
    b.refer("S19", c, status="accepted")
    privacy.record_consent(u["intake_A"], person=c.person, supersedes=c.person.consents.get(),
                           **b._consent("S19", agencies=("C",)))
    # S20: no consent, a statutory referral accepted by B.
    c = b.person("S20")
    b.refer("S20", c, statutory="law", status="accepted")

    # S21: no consent; discussed at a sector meeting under its own statute (地域ケア会議, 介護保険法第115条の48),
    # whose members carry that law's duty of confidentiality (G6 for a member who recorded it).
    MeetingType.objects.create(
        municipality=imizu, code="canary-care", name="地域ケア会議（個別）", kind="分野別会議",
        statute="介護保険法第115条の48", consent_rule="not_required", confidentiality_duty=True, takes_case_items=True,
        sort_order=99)
    b.meeting("M3", "分野別会議", members=[("member_ack", True), ("member_noack", False)])
    c = b.person("S21")
    case = b.case("S21", b.refer("S21", c, purpose="multiagency", key="k", statutory="vital"))
    b.item("S21", "M3", case=case, decide=True)

    # T1 / T2: outreach targets registered by outreach_K — T1 on the 支援会議, T2 handed over with consent.
    for t in ("T1", "T2"):
        target = outreach.register_target(
            u["outreach_K"], address="射水市戸破1番地" + b.token(t, "ADDR", "target", "CONTENT"), source="民生委員",
            provider="民生委員", noticed=b.token(t, "NOTICED", "target", "CONTENT"), legal_basis="vital",
            found_on=timezone.localdate(), name=b.token(t, "NAME", "target", "ID"),
            kana=b.token(t, "KANA", "target", "ID"), phone=b.token(t, "TEL", "target", "CONTENT"),
            household_note=b.token(t, "HOUSE", "target", "CONTENT"))
        outreach.record_contact(u["outreach_K"], target, kind="visit", attempted_on=timezone.localdate(),
                                outcome="talked", note=b.token(t, "CONTACT", "target", "CONTENT"))
        f.targets[t] = {"staff": {"outreach_K"}, "handed_over": False}
        b.w.ids["target"].append(target.pk)
        b.w.objects[t] = {"target": target}
    item = outreach.put_on_agenda(u["outreach_K"], b.w.objects["T1"]["target"], b.w.objects["M2"]["meeting"],
                                  summary=b.token("T1", "ITEMi", "item", "CONTENT", ref="i"))
    f.items.append({"subject": "T1", "key": "i", "meeting": "M2", "basis": item.legal_basis, "open": True})
    handed = outreach.obtain_consent(u["outreach_K"], b.w.objects["T2"]["target"], consent={
        "scope_all_agencies": True, "scope_agencies": [], "purposes": list(ALL_PURPOSES), "method": "書面",
        "obtained_on": timezone.localdate()})
    f.targets["T2"]["handed_over"] = True
    # The hand-over carries the target's name into a person record of K (and its consultation).
    f.persons["T2P"] = {"recorder": "K", "masked": False}
    for token in list(b.w.tokens):
        if token.subject == "T2":
            if token.value.endswith(("NAME", "KANA")):
                b.w.tokens.append(Token(token.value, "T2P", "person", "ID"))
            elif token.value.endswith("ADDR") or token.value.endswith("TEL"):
                b.w.tokens.append(Token(token.value, "T2P", "person", "BASIC"))
            elif token.value.endswith(("NOTICED", "HOUSE", "CONTACT")):
                b.w.tokens.append(Token(token.value, "T2P", "consultation", "ID"))  # the hand-over text is its 主訴
    f.consents["T2P"] = {"active": True, "all": True, "agencies": set(), "staff": set(), "purposes": set(ALL_PURPOSES)}
    b.w.ids["person"].append(handed.person_id)
    b.w.ids["consultation"].append(handed.pk)

    # The 名寄せ queue holds one pair for the steward.
    p1, p2 = b.w.objects["S01"]["person"], b.w.objects["S02"]["person"]
    a, z = sorted([p1.pk, p2.pk])
    candidate = MatchCandidate.objects.create(municipality=imizu, kind="person", person_a_id=a, person_b_id=z,
                                              score=30.0, band="suggest", reasons=["生年月日一致"],
                                              found_at=timezone.now(), updated_at=timezone.now())
    f.steward_pairs.append(("S01", "S02"))
    b.w.ids["candidate"].append(candidate.pk)
    from tsunagu.identity.models import IdentityLink

    b.w.ids["link"] = list(IdentityLink.objects.values_list("pk", flat=True))
    from tsunagu.identity.models import MatchJob
    from tsunagu.notices.models import Notice

    b.w.ids["notice"] = list(Notice.objects.filter(municipality=imizu).order_by("id").values_list("pk", flat=True)[:3])

    steward = u["steward_C"]
    b.w.ids["match_job"] = [MatchJob.objects.create(municipality=imizu, requested_by=steward,
                                                    requested_at=timezone.now(), status="done",
                                                    message="完了しました").pk]
    corrections(b)
    from tsunagu.casework.models import FollowUp, PlanAction
    from tsunagu.community.models import Place
    from tsunagu.meetings.models import AgendaItem, MeetingMember, ResourceGap
    from tsunagu.participation.models import CheckIn
    from tsunagu.privacy.models import Consent

    ids = b.w.ids
    ids["consent"] = list(Consent.objects.filter(municipality=imizu).values_list("pk", flat=True))
    ids["agency"] = [b.agencies["A"].pk, b.agencies["K"].pk]
    ids["staff"] = [u["intake_A"].pk]
    ids["action"] = list(PlanAction.objects.filter(municipality=imizu).values_list("plan__case_id", "pk"))
    ids["follow_up"] = list(FollowUp.objects.filter(municipality=imizu).values_list("case_id", "pk"))
    ids["member"] = list(MeetingMember.objects.filter(municipality=imizu).values_list("meeting_id", "pk"))
    ids["item"] = list(AgendaItem.objects.filter(municipality=imizu).values_list("meeting_id", "pk"))
    ids["checkin"] = list(CheckIn.objects.filter(municipality=imizu).values_list("placement_id", "pk"))
    ids["place"] = list(Place.objects.filter(municipality=imizu).values_list("pk", flat=True)[:2])
    ids["gap"] = list(ResourceGap.objects.filter(municipality=imizu).values_list("pk", flat=True))
    from tsunagu.casework.models import ProgressNote, SupportPlan
    from tsunagu.people.models import HouseholdMember

    ids["plan"] = list(SupportPlan.objects.filter(municipality=imizu).values_list("case_id", "pk"))
    ids["note"] = list(ProgressNote.objects.filter(municipality=imizu).values_list("case_id", "pk"))
    ids["household_of"] = list(HouseholdMember.objects.filter(municipality=imizu).values_list("person_id",
                                                                                           "household_id"))
    b.hold_meetings()
    from tsunagu.ledgers.models import ImportRun

    # An uploaded ledger waiting for its dry run (a catalog of places: no personal data in the file).
    run = ImportRun.objects.create(municipality=imizu, kind="places", filename="places.csv", started_by=u["admin"],
                                   upload="コード,名称,種類\ncanary-place,見本の居場所,サロン\n".encode())
    ids["import_run"] = [run.pk]
    return b.w


def corrections(b) -> None:
    """訂正と履歴 (issue 13): records corrected by their recording agency. The earlier values (tokens planted above)
    now live only in the histories, which must show them exactly where the record's grant opens their class; the
    new values are tokens of the same record and class."""
    from tsunagu.people.services import PERSON_FIELDS, correct_person

    def person(s, by="intake_A", **changes):
        p = b.w.objects[s]["person"]
        p.refresh_from_db()
        correct_person(b.u[by], p, {**{f: getattr(p, f) for f in PERSON_FIELDS}, **changes}, reason="訂正の確認")

    # S01 (G2 to B): a BASIC field. S06 (G3 to B: ID only): a BASIC field B must not see in the history.
    person("S01", phone=b.token("S01", "TELNEW", "person", "BASIC"))
    person("S06", nationality=b.token("S06", "NATNEW", "person", "BASIC"))
    # S07 (masked, not released) and S17 (masked, released to B): the address, ADDRESS class.
    for s in ("S07", "S17"):
        person(s, address="射水市放生津町99番地" + b.token(s, "ADDRNEW", "person", "ADDRESS"))
    # S01's consultation: its CONTENT (G2 opens it for B); S08's: SENSITIVE (only the team's G4 opens it).
    c = b.w.objects["S01"]["consultation"]
    fields = {f: getattr(c, f) for f in intake.CONSULTATION_CORRECTION_FIELDS}
    intake.correct_consultation(b.u["intake_A"], c, {**fields, "detail": b.token("S01", "DETAILNEW", "consultation",
                                                                                 "CONTENT")}, reason="訂正の確認")
    c = b.w.objects["S08"]["consultation"]
    fields = {f: getattr(c, f) for f in intake.CONSULTATION_CORRECTION_FIELDS}
    intake.correct_consultation(b.u["intake_A"], c, {**fields, "sensitive_notes": b.token(
        "S08", "SENSNEW", "consultation", "SENSITIVE")}, reason="訂正の確認")
    # S08's assessment: a second version (CONTENT of the case).
    case = b.w.objects["S08"]["case"]
    casework.save_assessment(b.u["coord_K"], case, {"wishes": b.token("S08", "ASSESSNEW", "case", "CONTENT")},
                             reason="再アセスメント")
    # S08: B corrects its own progress note (G1 of the note); S09: the coordinator corrects a plan still a draft.
    from tsunagu.casework.models import SupportPlan

    note = case.notes.get(agency=b.agencies["B"])
    casework.correct_progress_note(b.u["intake_B"], note, {"occurred_at": note.occurred_at, "kind": note.kind,
                                                          "text": b.token("S08", "NOTEBNEW", "case", "CONTENT")},
                                   reason="訂正の確認")
    draft = SupportPlan.objects.filter(case=b.w.objects["S09"]["case"], status=SupportPlan.DRAFT).first()
    if draft is not None:
        casework.correct_plan_draft(b.u["coord_K"], draft, {
            "long_term_goal": b.token("S09", "PLANNEW", "case", "CONTENT"), "short_term_goals": draft.short_term_goals,
            "review_date": draft.review_date}, reason="訂正の確認")
