"""Every route of the URL configuration, and how the crawl fills its parameters from the canary world.

A route missing here fails the crawl (routes added later are picked up by the URL walk); a name here that is no
longer a route fails too. GET routes are fetched; POST routes are posted with an empty body inside a
transaction that is rolled back (what a refused or invalid post shows is checked like any page); "both" does
both (forms: the blank form, then the form with its errors).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    method: str  # "GET" | "POST" | "both"
    params: object = None  # fn(world) -> list of kwargs dicts; None = no parameters
    query: object = None  # fn(world) -> list of query dicts (GET)
    htmx: bool = False
    api: bool = False  # /api/v1/: called with the persona's API token (JSON body for POST)


def each(key, name):
    return lambda w: [{name: i} for i in w.ids[key]]


def pairs(key, first, second):
    return lambda w: [{first: a, second: b} for a, b in w.ids[key]]


def with_fmt(key, name, fmts):
    return lambda w: [{name: i, "fmt": f} for i in w.ids[key] for f in fmts]


def names(w):
    # A prefix of the name or reading: the page echoes the query, and an echo of what the user typed is no leak —
    # a result shows the whole token.
    return [{"q": t.value[:-1]} for t in w.tokens if t.record == "person" and t.value.endswith(("NAME", "KANA"))]


def candidate_queries(w):
    return [{"name": t.value, "kana": "", "birth_date": ""} for t in w.tokens
            if t.value.endswith("NAME") and t.record == "person"]


ROUTES = {
    "home": Route("GET"), "healthz": Route("GET"),
    "date_echo": Route("GET", query=lambda w: [{"kind": "date", "d": "R8.4.1"}, {"kind": "datetime", "d": "x"}]), "login": Route("GET"), "logout": Route("GET"),
    # Accounts (issue 12). Posting logout-everywhere would end the crawl's own session: it is fetched, not posted.
    "two_factor": Route("GET"), "recovery_codes": Route("GET"), "password_change": Route("both"),
    "account": Route("GET"), "logout_everywhere": Route("GET"), "staff_list": Route("GET"),
    "staff_action": Route("POST", lambda w: [{"staff_id": w.ids["staff"][0], "action": a}
                                             for a in ("unlock", "reset_password", "reset_2fa", "logout_everywhere",
                                                       "deactivate", "reactivate")]),
    # 職員管理 (issue 13): create, the staff page (人事異動・引継ぎ), pseudonymous counts only.
    "staff_new": Route("both"), "staff_detail": Route("GET", each("staff", "staff_id")),
    "staff_transfer": Route("POST", each("staff", "staff_id")),
    "staff_hand_over": Route("POST", each("staff", "staff_id")),
    "api_tokens": Route("both"), "api_token_revoke": Route("POST", each("api_token", "token_id")),
    # Ledger import and the HSDS export (issue 14).
    "ledger_import": Route("both"), "ledger_run": Route("GET", each("import_run", "run_id")),
    "ledger_run_start": Route("POST", each("import_run", "run_id")),
    "ledger_run_execute": Route("POST", each("import_run", "run_id")),
    "ledger_run_progress": Route("GET", each("import_run", "run_id"), htmx=True), "hsds_export": Route("GET"),
    "agency_list": Route("GET"), "agency_detail": Route("GET", each("agency", "agency_id")),
    "address_lookup": Route("GET", query=lambda w: [{}, {"address": "射水市放生津町1番地"}]),
    "organisation": Route("GET"), "audit_log": Route("GET", query=lambda w: [{}, {"action": "person."}]),
    "evaluation_dashboard": Route("GET"),
    "evaluation_manage": Route("both", query=lambda w: [{}, {"fy": "2025"}]),
    "evaluation_report": Route("GET", lambda w: [{"fmt": f} for f in ("xlsx", "pdf", "csv", "json")]),
    "evaluation_table_csv": Route("GET", lambda w: [{"name": n} for n in ("kpis", "by_field", "by_agency", "flows",
                                                                          "pipeline")]),
    "prefecture_stats_export": Route("GET"), "prefecture_dashboard": Route("GET"),
    "prefecture_activities": Route("GET"),
    "consultation_list": Route("GET", query=lambda w: [{}, {"sort": "person", "per": "100"}]),
    "consultation_list_export": Route("GET", lambda w: [{"fmt": f} for f in ("csv", "xlsx")]),
    "consultation_new": Route("both"),
    "consultation_detail": Route("GET", each("consultation", "consultation_id")),
    "consultation_refer": Route("POST", each("consultation", "consultation_id")),
    "consultation_escalate": Route("POST", each("consultation", "consultation_id")),
    "consultation_handle": Route("POST", each("consultation", "consultation_id")),
    "consultation_close": Route("POST", each("consultation", "consultation_id")),
    "consultation_note_add": Route("POST", each("consultation", "consultation_id")),
    "consultation_export": Route("GET", with_fmt("consultation", "consultation_id", ("pdf", "xlsx"))),
    "referral_inbox": Route("GET", query=lambda w: [{}, {"status": "returned"}]),
    "referral_outbox": Route("GET", query=lambda w: [{}, {"sort": "agency", "per": "100"}]),
    "referral_detail": Route("GET", each("referral", "referral_id")),
    "referral_accept": Route("POST", each("referral", "referral_id")),
    "referral_return": Route("POST", each("referral", "referral_id")),
    "referral_resend": Route("POST", each("referral", "referral_id")),
    "person_search": Route("GET", query=names),
    "person_detail": Route("GET", each("person", "person_id")),
    "consent_new": Route("both", each("person", "person_id")),
    "person_access_report": Route("GET", each("person", "person_id")),
    # 訂正と履歴 (issue 13)
    "person_correct": Route("both", each("person", "person_id")),
    "person_history": Route("GET", each("person", "person_id")),
    "household_correct": Route("both", pairs("household_of", "person_id", "household_id")),
    "household_history": Route("GET", pairs("household_of", "person_id", "household_id")),
    "consultation_correct": Route("both", each("consultation", "consultation_id")),
    "consultation_history": Route("GET", each("consultation", "consultation_id")),
    "assessment_history": Route("GET", each("case", "case_id")),
    "plan_correct": Route("both", pairs("plan", "case_id", "plan_id")),
    "plan_history": Route("GET", pairs("plan", "case_id", "plan_id")),
    "note_correct": Route("both", pairs("note", "case_id", "note_id")),
    "note_history": Route("GET", pairs("note", "case_id", "note_id")),
    "correction_notices": Route("GET"), "correction_notices_read": Route("POST"),
    "address_release": Route("POST", each("person", "person_id")),
    "address_release_revoke": Route("POST", pairs("release", "person_id", "release_id")),
    "consent_withdraw": Route("POST", each("consent", "consent_id")),
    "emergency_list": Route("GET"), "emergency_new": Route("both"),
    "emergency_review": Route("POST", each("emergency", "access_id")),
    "identity_review": Route("GET", query=lambda w: [{}, {"kind": "household"}]),
    "identity_candidate": Route("GET", each("candidate", "candidate_id")),
    "identity_candidate_decide": Route("POST", each("candidate", "candidate_id")),
    "identity_link_unmerge": Route("POST", each("link", "link_id")),
    "consultation_attach": Route("POST", each("consultation", "consultation_id")),
    "case_attach": Route("POST", each("case", "case_id")),
    "attachment_download": Route("GET", each("attachment", "attachment_id")),
    "notice_list": Route("GET", query=lambda w: [{}, {"unread": "1"}]),
    "notice_open": Route("GET", each("notice", "notice_id")), "notice_read_all": Route("POST"),
    "identity_batch_start": Route("POST"), "identity_batch_status": Route("GET", each("match_job", "job_id")),
    "identity_intake_candidates": Route("GET", query=candidate_queries, htmx=True),
    "today": Route("GET"), "case_list": Route("GET"),
    "case_list_export": Route("GET", lambda w: [{"fmt": f} for f in ("xlsx", "pdf")]),
    "case_open": Route("POST", each("referral", "referral_id")),
    "case_detail": Route("GET", each("case", "case_id")),
    "case_team_add": Route("POST", each("case", "case_id")),
    "case_note_add": Route("POST", each("case", "case_id")),
    "case_monitor": Route("POST", each("case", "case_id")),
    "case_assessment": Route("both", each("case", "case_id")),
    "case_plan_new": Route("both", each("case", "case_id")),
    "case_evaluation_new": Route("both", each("case", "case_id")),
    "case_action_done": Route("POST", pairs("action", "case_id", "action_id")),
    "case_follow_up_done": Route("POST", pairs("follow_up", "case_id", "follow_up_id")),
    "case_export": Route("GET", lambda w: [{"case_id": c, "form": f, "fmt": x} for c in w.ids["case"]
                                           for f in ("assessment", "plan", "notes", "evaluation")
                                           for x in ("pdf", "xlsx")]),
    "meeting_list": Route("GET"), "meeting_new": Route("both"),
    "meeting_detail": Route("GET", each("meeting", "meeting_id")),
    "meeting_member_add": Route("POST", each("meeting", "meeting_id")),
    "meeting_member_acknowledge": Route("POST", pairs("member", "meeting_id", "member_id")),
    "meeting_item_add": Route("POST", each("meeting", "meeting_id")),
    "meeting_item_decide": Route("POST", pairs("item", "meeting_id", "item_id")),
    "meeting_item_close": Route("POST", pairs("item", "meeting_id", "item_id")),
    "meeting_minutes": Route("POST", each("meeting", "meeting_id")),
    "meeting_held": Route("POST", each("meeting", "meeting_id")),
    "meeting_agenda": Route("GET", each("meeting", "meeting_id")),
    "meeting_item_minutes": Route("POST", pairs("item", "meeting_id", "item_id")),
    "outreach_target_list": Route("GET"), "outreach_target_new": Route("both"), "outreach_agreements": Route("both"),
    "outreach_target_detail": Route("GET", each("target", "target_id")),
    "outreach_target_contact": Route("POST", each("target", "target_id")),
    "outreach_target_stage": Route("POST", each("target", "target_id")),
    "outreach_target_agenda": Route("POST", each("target", "target_id")),
    "outreach_target_consent": Route("both", each("target", "target_id")),
    "participation_home": Route("GET"), "resource_list": Route("GET"), "resource_new": Route("both"),
    "resource_detail": Route("GET", each("resource", "resource_id")),
    "resource_edit": Route("both", each("resource", "resource_id")),
    "resource_accepting": Route("POST", each("resource", "resource_id")),
    "host_support_add": Route("POST", each("resource", "resource_id")),
    "participant": Route("GET", each("person", "person_id")),
    "participation_needs": Route("POST", each("person", "person_id")),
    "participation_propose": Route("POST", each("person", "person_id")),
    "participation_gap": Route("POST", each("person", "person_id")),
    "participation_advance": Route("POST", each("placement", "placement_id")),
    "participation_checkin": Route("POST", pairs("checkin", "placement_id", "checkin_id")),
    "district_view": Route("GET"), "place_detail": Route("GET", each("place", "place_id")),
    "place_new": Route("both"), "place_edit": Route("both", each("place", "place_id")),
    "place_retire": Route("POST", each("place", "place_id")),
    "gap_list": Route("GET"), "gap_status": Route("POST", each("gap", "gap_id")),
    "governance_home": Route("GET"), "governance_meeting": Route("both", each("meeting", "meeting_id")),
    "difficult_case_list": Route("both"), "roster": Route("both"), "roster_export": Route("GET"),
    "training_list": Route("both"),
    # The JSON API (issue 14), called with a token of every persona holding every scope.
    "api-v1:api-root": Route("GET", api=True), "api-v1:openapi-json": Route("GET", api=True),
    "api-v1:openapi-view": Route("GET", api=True),
    "api-v1:person_search": Route("GET", query=names, api=True),
    "api-v1:person_read": Route("GET", each("person", "person_id"), api=True),
    "api-v1:consent_list": Route("GET", each("person", "person_id"), api=True),
    "api-v1:consent_record": Route("POST", each("person", "person_id"), api=True),
    "api-v1:consultation_list": Route("GET", query=lambda w: [{}, {"status": "referred"}], api=True),
    "api-v1:consultation_record": Route("POST", api=True),
    "api-v1:consultation_read": Route("GET", each("consultation", "consultation_id"), api=True),
    "api-v1:referral_send": Route("POST", each("consultation", "consultation_id"), api=True),
    "api-v1:referral_list": Route("GET", query=lambda w: [{"box": "inbox"}, {"box": "outbox"},
                                                          {"box": "inbox", "status": "returned"}], api=True),
    "api-v1:referral_read": Route("GET", each("referral", "referral_id"), api=True),
    "api-v1:referral_accept": Route("POST", each("referral", "referral_id"), api=True),
    "api-v1:referral_return": Route("POST", each("referral", "referral_id"), api=True),
    "api-v1:referral_resend": Route("POST", each("referral", "referral_id"), api=True),
    "api-v1:consent_withdraw": Route("POST", each("consent", "consent_id"), api=True),
    "api-v1:case_list": Route("GET", api=True),
    "api-v1:case_read": Route("GET", each("case", "case_id"), api=True),
    "api-v1:meeting_list": Route("GET", api=True),
    "api-v1:meeting_read": Route("GET", each("meeting", "meeting_id"), api=True),
    "api-v1:kpi_list": Route("GET", api=True), "api-v1:prefecture_stats": Route("GET", api=True),
}


@dataclass(frozen=True)
class Named:
    name: str  # with its namespace ("api-v1:person_read")
    pattern: object  # the route's pattern (its .converters name the parameters)
    urlpattern: object


def url_patterns():
    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern):
                yield Named(f"{ns}{p.name}" if p.name else None, p.pattern, p)

    return list(walk(get_resolver().url_patterns))
