"""R9: names differ by city and come from the profile, never from code.

The grep test reads every user-visible string of the code (Python string literals other than docstrings, and
template text outside template comments) and looks for the words of every shipped profile that belong to one
city: its name, the names of its member municipalities, its role titles and district names. Demo data, tests,
migrations and profiles are where such words belong and are not scanned.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import get_args

from tsunagu.directory.profile_schema import ROLE_KINDS, AgencyKind, KpiArea

from .conftest import PROFILES, parsed_profile

ROOT = Path(__file__).resolve().parent.parent / "tsunagu"
SKIP_PARTS = {"migrations"}
SKIP_NAMES = {"demo.py", "governance_demo.py"}
# A national table, not a city's word: the 47 prefectures that address normalisation strips (core/text.py).
ALLOWED = {("core/text.py", "滋賀県"), ("core/text.py", "滋賀")}


def city_words() -> dict[str, str]:
    """word → which profile it comes from."""
    words: dict[str, str] = {}
    # National vocabulary a role name may contain (「参加支援（社会福祉協議会）」): not a city's word.
    neutral = set(ROLE_KINDS.values()) | set(get_args(AgencyKind)) | set(get_args(KpiArea))
    for path in sorted(PROFILES.glob("*.yaml")):
        p = parsed_profile(path.stem)
        names = [p.name, *(m.name for m in p.municipalities)]
        words[p.names.program] = path.name
        for name in names:
            words[name] = path.name
            stem = re.sub(r"(市|町|村|県|都|府)$", "", name)
            if len(stem) >= 2:
                words[stem] = path.name
        for role in p.roles:
            for part in re.split(r"[（）()]", role.name):
                part = part.strip()
                if len(part) >= 4 and part not in neutral:
                    words[part] = path.name
        for d in p.districts:
            if len(d.name) >= 3:
                words[d.name] = path.name
    return words


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def visible_strings(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        tree = ast.parse(text)
        docs = _docstring_nodes(tree)
        return [(n.lineno, n.value) for n in ast.walk(tree)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)
    return [(i + 1, line) for i, line in enumerate(text.splitlines())]


def scanned_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".html") or SKIP_PARTS & set(path.parts) or path.name in SKIP_NAMES:
            continue
        files.append(path)
    return files


def test_the_scan_sees_the_code_and_the_words():
    files = scanned_files()
    assert len([f for f in files if f.suffix == ".html"]) > 50 and len([f for f in files if f.suffix == ".py"]) > 80
    words = city_words()
    # The words the issue found in the UI are among those looked for.
    assert {"射水市", "射水", "アウトリーチ支援専門員", "参加支援コーディネーター", "放生津町", "福生市"} <= set(words)


def test_no_city_name_or_role_title_in_code_or_templates():
    words = city_words()
    pattern = re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))
    found = []
    for path in scanned_files():
        rel = path.relative_to(ROOT).as_posix()
        for line, text in visible_strings(path):
            for match in pattern.finditer(text):
                if (rel, match.group()) not in ALLOWED:
                    found.append(f"{rel}:{line}: {match.group()}（{words[match.group()]}）")
    assert found == []
