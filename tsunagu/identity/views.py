"""名寄せ pages: the reviewer's queue and decisions, and the intake candidates fragment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tsunagu.core.errors import DomainError
from tsunagu.privacy import access
from tsunagu.privacy.decorators import personal_data

from . import services
from .forms import CandidateQueryForm, DecisionForm, UnmergeForm
from .models import IdentityLink, MatchCandidate, MatchJob, MatchRun
from .review import summaries


def _steward_reads(people):
    basis = [{"kind": "G14", "basis": access.KINDS["G14"].label}]
    return [(pid, "person", pid, basis) for pid in people]


STATUS_TABS = [("open", "確認待ち"), ("merged", "確定済み"), ("rejected", "別人と判断"), ("stale", "候補から外れた")]


@login_required
@personal_data("identity_review")
def review_queue(request):
    user = request.user
    services.require_reviewer(user)
    kind = request.GET.get("kind") if request.GET.get("kind") in ("person", "household") else "person"
    status = request.GET.get("status") if request.GET.get("status") in dict(STATUS_TABS) else "open"
    qs = (MatchCandidate.objects.filter(municipality_id=user.municipality_id, kind=kind, status=status)
          .order_by("-score", "id"))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    people = summaries(user, [pid for c in page for pid in (c.person_a_id, c.person_b_id)])
    rows = [(c, people.get(c.person_a_id), people.get(c.person_b_id)) for c in page]
    access.audit_read("identity.queue_viewed", user=user, request=request, reads=_steward_reads(people),
                      detail={"kind": kind, "status": status, "page": page.number, "candidates": [c.pk for c in page]})
    return render(request, "identity/queue.html", {
        "page": page, "rows": rows, "kind": kind, "status": status, "tabs": STATUS_TABS,
        "last_run": MatchRun.objects.filter(municipality_id=user.municipality_id).order_by("-id").first(),
        "job": _latest_job(user),
    })


def _latest_job(user):
    services.expire_stalled_jobs(user.municipality_id)
    return MatchJob.objects.filter(municipality_id=user.municipality_id).order_by("-id").first()


@login_required
@require_POST
def batch_start(request):
    """The data steward starts a 一括照合 from the screen; the status page shows its progress."""
    try:
        job = services.start_batch_job(request.user, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("identity_review")
    messages.success(request, "一括照合を開始しました。終わるまでこの画面で進み具合を確認できます。")
    return redirect("identity_batch_status", job_id=job.pk)


@login_required
def batch_status(request, job_id: int):
    """Progress of one run (counts only — no personal data); polled by htmx while it runs."""
    job = services.job_for(request.user, job_id)
    if request.htmx:
        return render(request, "identity/_batch_status.html", {"job": job})
    return render(request, "identity/batch_status.html", {"job": job})


def _candidate_context(user, candidate, **extra):
    people = summaries(user, [candidate.person_a_id, candidate.person_b_id])
    link = IdentityLink.objects.filter(candidate=candidate).select_related("linked_by").first()
    return {"c": candidate, "a": people.get(candidate.person_a_id), "b": people.get(candidate.person_b_id),
            "link": link, "decision_form": DecisionForm(), "unmerge_form": UnmergeForm(), **extra}


@login_required
@personal_data("identity_review")
def candidate_detail(request, candidate_id: int):
    candidate = services.access_candidate_by_id(request.user, candidate_id)
    ctx = _candidate_context(request.user, candidate)
    access.audit_read("identity.candidate_viewed", user=request.user, obj=candidate, request=request,
                      reads=_steward_reads({p.id: p for p in (ctx["a"], ctx["b"]) if p}),
                      detail={"persons": [candidate.person_a_id, candidate.person_b_id]})
    return render(request, "identity/candidate.html", ctx)


@login_required
@require_POST
@personal_data("identity_review")
def candidate_decide(request, candidate_id: int):
    candidate = services.access_candidate_by_id(request.user, candidate_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["decision"] == "merge":
                services.merge_candidate(request.user, candidate, note=d["note"], request=request)
                messages.success(request, "同一として確定しました。各機関が見られる記録は変わりません。")
            else:
                services.reject_candidate(request.user, candidate, note=d["note"], request=request)
                messages.success(request, "別人（別世帯）と記録しました。この組み合わせは今後提案されません。")
        except DomainError as exc:
            form.add_error(None, exc.message)
    if form.errors:
        candidate.refresh_from_db()
        return render(request, "identity/candidate.html",
                      _candidate_context(request.user, candidate, decision_form=form), status=400)
    return redirect(reverse("identity_review") + f"?kind={candidate.kind}")


@login_required
@require_POST
@personal_data("identity_review")
def link_unmerge(request, link_id: int):
    link = services.access_link_by_id(request.user, link_id)
    form = UnmergeForm(request.POST)
    if form.is_valid():
        try:
            services.unmerge_link(request.user, link, note=form.cleaned_data["note"], request=request)
        except DomainError as exc:
            form.add_error("note", exc.message)
    if form.errors:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        if link.candidate_id:
            return redirect("identity_candidate", candidate_id=link.candidate_id)
        return redirect("identity_review")
    messages.success(request, "名寄せを取り消しました。2件の記録は確定前の状態に戻りました。")
    return redirect("identity_candidate", candidate_id=link.candidate_id) if link.candidate_id \
        else redirect("identity_review")


@login_required
@personal_data("search")
def intake_candidates(request):
    """HTMX fragment for the intake form: visible persons who may be the one being recorded."""
    if not request.user.is_casework:
        raise PermissionDenied("同一人物の候補は、相談支援の役割の職員だけが確認できます")
    form = CandidateQueryForm(request.GET or None)
    candidates = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        candidates = services.candidates_for(request.user, name=d["name"], kana=d["kana"],
                                             birth_date=d["birth_date"], address=d["address"], phone=d["phone"],
                                             sex=d["sex"])
        if candidates:
            seen = access.sights(request.user, [c.person for c in candidates])
            for c in candidates:
                seen[c.person.pk].person(c.person)
            access.audit_read("identity.intake_candidates", user=request.user, request=request,
                              reads=[(c.person.pk, "person", c.person.pk, seen[c.person.pk].audit())
                                     for c in candidates],
                              detail={"persons": [c.person.pk for c in candidates],
                                      "scores": [c.score for c in candidates]})
    return render(request, "identity/_intake_candidates.html", {"form": form, "candidates": candidates})
