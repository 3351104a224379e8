"""The import screen of the municipality's admin (and manager): upload a ledger, map its columns, check it
(dry run), import it with a progress bar; and the HSDS export of the catalog for managers."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from tsunagu.core.errors import DomainError
from tsunagu.directory.names import role_title
from tsunagu.identity.files import LedgerError
from tsunagu.privacy.audit import log_action

from . import hsds, reader, services
from .kinds import KINDS
from .models import KIND_CHOICES, ImportRun

MAX_UPLOAD = 10 * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="台帳の種類", choices=KIND_CHOICES,
                             error_messages={"required": "台帳の種類を選んでください。",
                                             "invalid_choice": "台帳の種類を選んでください。"})
    file = forms.FileField(label="台帳のファイル（xlsx・CSV）",
                           error_messages={"required": "ファイルを選んでください。", "empty": "ファイルが空です。"})
    mapping = forms.FileField(label="列の対応表（YAML、任意）", required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError("ファイルが大きすぎます（10MB まで）。コマンド tsunagu import を使ってください。")
        if not f.name.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
            raise forms.ValidationError("xlsx か CSV のファイルを選んでください。")
        return f


def _run_for(user, run_id: int) -> ImportRun:
    services.require_importer(user)
    run = ImportRun.objects.filter(pk=run_id, municipality_id=user.municipality_id).first()
    if run is None:
        raise Http404
    return run


def _table(run: ImportRun):
    return reader.read_table(bytes(run.upload), run.filename, reader.mapping_from_dict(run.mapping))


@login_required
def import_home(request):
    services.require_importer(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        raw = d["file"].read()
        try:
            mapping = reader.load_mapping(d["mapping"].read()) if d["mapping"] else reader.Mapping()
            if mapping.kind and mapping.kind != d["kind"]:
                raise LedgerError(f"対応表は「{dict(KIND_CHOICES).get(mapping.kind, mapping.kind)}」の台帳用です")
            reader.read_table(raw, d["file"].name, mapping)
            run = services.start_run(request.user, kind=d["kind"], filename=d["file"].name, dry_run=True)
        except LedgerError as exc:
            form.add_error("file", str(exc))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            run.status, run.upload, run.mapping = ImportRun.PENDING, raw, reader.mapping_as_dict(mapping)
            run.save(update_fields=["status", "upload", "mapping"])
            # A file left unimported is not kept beyond a day.
            ImportRun.objects.filter(municipality_id=request.user.municipality_id,
                                     started_at__lt=timezone.now() - dt.timedelta(days=1)).exclude(upload=b"").update(
                upload=b"")
            return redirect("ledger_run", run_id=run.pk)
    runs = Paginator(ImportRun.objects.filter(municipality_id=request.user.municipality_id)
                     .select_related("started_by").defer("upload"), 20).get_page(request.GET.get("page"))
    return render(request, "ledgers/import.html", {"form": form, "runs": runs, "kinds": KINDS},
                  status=400 if form.errors else 200)


@login_required
def run_detail(request, run_id: int):
    run = _run_for(request.user, run_id)
    kind = KINDS[run.kind]
    columns, header_errors, headers = [], [], []
    if run.upload:
        try:
            table = _table(run)
        except LedgerError as exc:
            header_errors = [str(exc)]
        else:
            headers = table.headers
            where, problems = services.resolve_columns(kind, table, reader.mapping_from_dict(run.mapping))
            header_errors = [p["message"] for p in problems]
            defaults = run.mapping.get("defaults") or {}
            columns = [(f, where.get(f.name), defaults.get(f.name, "")) for f in kind.fields]
    errors = Paginator(run.errors, 200).get_page(request.GET.get("page"))
    log_action("ledger.run_viewed", actor=request.user, obj=run, request=request)
    return render(request, "ledgers/run.html", {
        "run": run, "kind": kind, "columns": columns, "headers": list(enumerate(headers)),
        "header_errors": header_errors, "errors": errors,
        "progress": services.progress_of(run)})


@login_required
@require_POST
def run_start(request, run_id: int):
    """Save the columns chosen on screen and mark the run to go (dry run or import); the run page executes it."""
    run = _run_for(request.user, run_id)
    if not run.upload or run.status in (ImportRun.RUNNING, ImportRun.DONE):
        messages.error(request, "この取り込みはもう実行できません。ファイルをもう一度選んでください。")
        return redirect("ledger_run", run_id=run.pk)
    kind = KINDS[run.kind]
    try:
        headers = _table(run).headers
    except LedgerError as exc:
        messages.error(request, str(exc))
        return redirect("ledger_run", run_id=run.pk)
    columns = dict(run.mapping.get("columns") or {})
    for f in kind.fields:
        choice = request.POST.get(f"col_{f.name}")
        if choice is None:
            continue
        if choice == "":
            columns.pop(f.name, None)
        elif choice.isdigit() and int(choice) < len(headers) and headers[int(choice)]:
            columns[f.name] = headers[int(choice)]
    run.mapping = {**run.mapping, "columns": columns}
    run.dry_run = request.POST.get("action") != "import"
    run.status, run.done, run.errors, run.claimed_at = ImportRun.RUNNING, 0, [], None
    run.save(update_fields=["mapping", "dry_run", "status", "done", "errors", "claimed_at"])
    return redirect("ledger_run", run_id=run.pk)


@login_required
@require_POST
def run_execute(request, run_id: int):
    """Run a started import in this request (small files); the page polls the progress meanwhile."""
    run = _run_for(request.user, run_id)
    target = reverse("ledger_run", args=[run.pk])
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportRun.RUNNING, claimed_at__isnull=True).update(
        claimed_at=timezone.now())  # a reload of the page while it runs does not start it twice
    if claimed and run.upload:
        try:
            table = _table(run)
        except LedgerError as exc:
            run.status, run.errors = ImportRun.FAILED, [{"row": None, "column": "", "message": str(exc)}]
            run.save(update_fields=["status", "errors"])
        else:
            run = services.run_import(request.user, run, table, reader.mapping_from_dict(run.mapping),
                                      request=request)
            if run.status == ImportRun.DONE:
                run.upload = b""  # imported: the file is no longer kept
                run.save(update_fields=["upload"])
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


@login_required
def run_progress(request, run_id: int):
    run = _run_for(request.user, run_id)
    done, total = services.progress_of(run)
    response = render(request, "ledgers/_progress.html", {"run": run, "done": done, "total": total})
    if run.status != ImportRun.RUNNING:
        response["HX-Refresh"] = "true"
    return response


@login_required
def hsds_export(request):
    """Open Referral HSDS data package of the catalog (no personal data): for managers and the admin."""
    user = request.user
    if not (user.is_authenticated and user.municipality_id and user.has_role_kind("manager", "admin")):
        m = getattr(user, "municipality", None)
        raise PermissionDenied(f"社会資源・拠点の書き出しは{role_title(m, 'manager')}か{role_title(m, 'admin')}だけが"
                               "行えます")
    data, counts = hsds.export_zip(user.municipality)
    log_action("hsds.exported", actor=user, request=request, detail=counts)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="hsds-{user.municipality.code}.zip"'
    return response
