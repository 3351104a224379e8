"""Importing a ledger: check every row (dry run), then write all of it in one transaction or nothing.

The run is the same code either way: every row is read, checked and written inside one transaction, each in
its own savepoint so that a row the services refuse is reported and the next row still checked; at the end
the transaction commits only when this was no dry run and no row had a problem. A process killed half-way
leaves nothing (the transaction never committed). A row already imported (its source key is in ImportedRow)
is skipped, so importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tsunagu.core.errors import DomainError
from tsunagu.directory.names import role_title
from tsunagu.privacy.audit import log_action

from .kinds import KINDS, CellError, Context, Kind
from .models import ImportedRow, ImportRun
from .reader import Mapping, Table, clean_header

PROGRESS_EVERY = 50


class LedgerImportError(DomainError):
    pass


class _Rollback(Exception):
    pass


def can_import(user) -> bool:
    return bool(user.is_authenticated and user.municipality_id and user.has_role_kind("admin", "manager"))


def require_importer(user) -> None:
    if not can_import(user):
        m = getattr(user, "municipality", None)
        raise PermissionDenied(f"台帳を取り込めるのは{role_title(m, 'admin')}か{role_title(m, 'manager')}だけです")


def resolve_columns(kind: Kind, table: Table, mapping: Mapping) -> tuple[dict[str, int], list[dict]]:
    """field → column index, and the problems of the header (a required column missing, a mapped header
    that is not in the file)."""
    headers = table.headers
    last = [h.rsplit("・", 1)[-1] for h in headers]
    where, errors = {}, []

    def find(name: str) -> int | None:
        name = clean_header(name)
        if name in headers:
            return headers.index(name)
        if last.count(name) == 1:
            return last.index(name)
        return None

    for f in kind.fields:
        wanted = mapping.columns.get(f.name)
        if wanted:
            k = find(wanted)
            if k is None:
                errors.append({"row": None, "column": wanted,
                               "message": f"対応表の列「{wanted}」（{f.label}）がファイルの見出しにありません"})
                continue
            where[f.name] = k
            continue
        for alias in f.headers:
            k = find(alias)
            if k is not None:
                where[f.name] = k
                break
        if f.name not in where and f.required and f.name not in mapping.defaults:
            errors.append({"row": None, "column": f.label, "message": f"必須の列「{f.label}」がありません"})
    return where, errors


def _progress_key(run_id: int) -> str:
    return f"ledgers:progress:{run_id}"


def progress_of(run: ImportRun) -> tuple[int, int]:
    """(done, total) of a running import, as the run reports it while its transaction is open."""
    live = cache.get(_progress_key(run.pk))
    return tuple(live) if live and run.status == ImportRun.RUNNING else (run.done, run.total)


def start_run(actor, *, kind: str, filename: str, dry_run: bool) -> ImportRun:
    require_importer(actor)
    if kind not in KINDS:
        raise LedgerImportError("取り込む台帳の種類を選んでください", field="kind")
    return ImportRun.objects.create(municipality_id=actor.municipality_id, kind=kind, filename=filename[:200],
                                    dry_run=dry_run, status=ImportRun.RUNNING, started_by=actor)


def run_import(actor, run: ImportRun, table: Table, mapping: Mapping, *,
               progress: Callable[[int, int], None] | None = None, request=None) -> ImportRun:
    """Check (and unless run.dry_run, write) every row of `table`; the run row records the outcome."""
    require_importer(actor)
    kind = KINDS[run.kind]
    ctx = Context(actor, actor.municipality)
    where, errors = resolve_columns(kind, table, mapping)
    missing = {f.name for f in kind.fields if f.required and f.name not in where and f.name not in mapping.defaults}
    labels = {f.name: f.label for f in kind.fields}
    rows = [(line, cells) for line, cells in table.rows if any(c not in ("", None) for c in cells)]
    run.total = len(rows)
    run.save(update_fields=["total"])
    created = skipped = candidates = processed = 0

    def column(field: str) -> str:
        k = where.get(field)
        return table.headers[k] if k is not None else labels.get(field, field)

    def say(done: int) -> None:
        cache.set(_progress_key(run.pk), (done, len(rows)), 3600)
        if progress:
            progress(done, len(rows))

    try:
        with transaction.atomic():
            if not errors or missing:  # a missing column: the rows are still checked, to report everything
                seen: dict[str, int] = {}
                for n, (line, cells) in enumerate(rows, start=1):
                    raw = {}
                    for f in kind.fields:
                        value = cells[where[f.name]] if f.name in where and where[f.name] < len(cells) else ""
                        value = value if value not in ("", None) else mapping.defaults.get(f.name, "")
                        if isinstance(value, str):
                            value = value.strip()
                            value = mapping.values.get(f.name, {}).get(value, value)
                        raw[f.name] = value
                    problems: list[CellError] = []
                    values = kind.read(ctx, raw, problems)
                    problems = [p for p in problems if p.field not in missing]  # said once, for the header
                    if not problems:
                        key = kind.key(values)
                        if key in seen:
                            problems.append(CellError("", f"{seen[key]}行目と同じ行です（重複）"))
                        seen.setdefault(key, line)
                    if not problems and ImportedRow.objects.filter(municipality=ctx.municipality, kind=kind.name,
                                                                   source_key=key).exists():
                        skipped += 1
                    elif not problems and not missing:
                        try:
                            with transaction.atomic():
                                obj = kind.write(ctx, values)
                                ctx.new_rows.append((kind.name, key, obj))
                                for k, skey, o in ctx.new_rows:
                                    ImportedRow.objects.create(municipality=ctx.municipality, kind=k, source_key=skey,
                                                               run=run, object_type=o._meta.label_lower,
                                                               object_id=o.pk)
                                ctx.new_rows = []
                            created += 1
                        except (DomainError, PermissionDenied) as exc:
                            ctx.new_rows = []
                            problems.append(CellError(getattr(exc, "field", "") or "", str(exc)))
                    for p in problems:
                        errors.append({"row": line, "column": column(p.field) if p.field else "",
                                       "message": str(p)})
                    processed = n
                    if n % PROGRESS_EVERY == 0 or n == len(rows):
                        say(n)
                if kind.makes_persons and created and not errors:
                    from tsunagu.identity.services import run_batch

                    candidates = run_batch(ctx.municipality, actor=actor).created
            if errors or run.dry_run:
                raise _Rollback
    except _Rollback:
        pass
    run.done, run.created, run.skipped, run.candidates = processed, created, skipped, candidates
    run.errors = errors
    run.status = (ImportRun.FAILED if errors else ImportRun.CHECKED if run.dry_run else ImportRun.DONE)
    run.finished_at = timezone.now()
    run.save(update_fields=["done", "created", "skipped", "candidates", "errors", "status", "finished_at"])
    cache.delete(_progress_key(run.pk))
    action = "ledger.failed" if errors else "ledger.dry_run" if run.dry_run else "ledger.imported"
    log_action(action, actor=actor, obj=run, request=request,
               detail={"kind": run.kind, "rows": run.total, "created": created, "skipped": skipped,
                       "errors": len(errors), "candidates": candidates})
    return run


def report_lines(run: ImportRun) -> list[str]:
    """The error report, one line per problem: 「12行目 受付日: …」."""
    out = []
    for e in run.errors:
        where = f"{e['row']}行目" if e.get("row") else "見出し"
        out.append(f"{where} {e['column']}: {e['message']}" if e.get("column") else f"{where}: {e['message']}")
    return out
