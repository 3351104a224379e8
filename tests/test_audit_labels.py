"""No internal codes on screen (issue 17): every audit action the code writes has a Japanese label, registered when
the apps load (the audit page and the access report show labels, never codes)."""

import re
from pathlib import Path

from tsunagu.privacy.actions import ACTION_LABELS

SOURCE = Path(__file__).resolve().parent.parent / "tsunagu"
CALL = re.compile(r'(?:log_action|audit_read)\(\s*f?"([a-z0-9_.{}]+)"')
FORMATS = {"{fmt}": ("pdf", "xlsx", "csv")}


def codes_in_source():
    found = set()
    for path in SOURCE.rglob("*.py"):
        for code in CALL.findall(path.read_text(encoding="utf-8")):
            for placeholder, values in FORMATS.items():
                if placeholder in code:
                    found |= {code.replace(placeholder, v) for v in values}
                    break
            else:
                found.add(code)
    return found


def test_every_audit_action_has_a_japanese_label():
    codes = codes_in_source()
    assert len(codes) > 80
    missing = sorted(c for c in codes if c not in ACTION_LABELS)
    assert missing == []
    english = sorted(c for c in codes if not any("\u3040" <= ch <= "\u9fff" for ch in ACTION_LABELS[c]))
    assert english == []
