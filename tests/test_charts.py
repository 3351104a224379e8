"""Chart labels never overlap (issue 17): whatever the number and length of the labels, the category labels under
the axis and the legend entries of the server-side SVG charts (dashboard and PDF report) keep clear of each other.

Two parts: (1) the width the charts lay a label out for is at least the width the bundled font really draws —
measured by rendering the labels with WeasyPrint and reading the glyph boxes back from the PDF; (2) for generated
label sets, no two label boxes of a chart intersect, computed from the SVG itself.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pypdfium2 as pdfium
from hypothesis import given, settings
from hypothesis import strategies as st

from tsunagu.evaluation import charts

FONT = Path(__file__).resolve().parent.parent / "tsunagu" / "static" / "fonts" / "NotoSansJP_400Regular.ttf"
SAMPLES = ["相談件数", "多機関協働につながったケース", "重層的支援会議 開催回数", "R7", "2025年度", "ABCdefghij",
           "ひきこもり支援（居場所）", "4月", "ｶﾀｶﾅ", "参加支援プラン作成件数（年間）"]


def rendered_width(text: str, size: float) -> float:
    """The width the bundled font draws `text` at `size` px, read back from a PDF rendered by WeasyPrint."""
    from weasyprint import HTML

    html = (f'<html><head><style>@font-face {{ font-family: N; src: url("{FONT.as_uri()}"); }} '
            f'body {{ font-family: N; font-size: {size}px; white-space: nowrap; }}</style></head>'
            f"<body>{text}</body></html>")
    tp = pdfium.PdfDocument(HTML(string=html).write_pdf())[0].get_textpage()
    boxes = [tp.get_charbox(i) for i in range(tp.count_chars())]
    lefts = [b[0] for b in boxes if b[2] > b[0]]
    rights = [b[2] for b in boxes if b[2] > b[0]]
    return (max(rights) - min(lefts)) / 0.75  # PDF points → CSS px


def test_labels_are_laid_out_for_at_least_their_drawn_width():
    for text in SAMPLES:
        drawn = rendered_width(text, 10)
        assert charts.text_width(text, 10) >= drawn * 0.98, (text, drawn)


TEXT = re.compile(r'<text x="([\d.]+)" y="([\d.]+)" font-size="([\d.]+)"(?: text-anchor="(\w+)")?'
                  r'(?: transform="rotate\((-?[\d.]+) [\d.]+ [\d.]+\)")?>(?:<title>[^<]*</title>)?([^<]*)</text>')


def label_boxes(svg: str, below: float):
    """(angle, along-axis interval, across-axis interval) of each text drawn below `below` (axis labels, legend)."""
    boxes = []
    for x, y, size, anchor, angle, content in TEXT.findall(svg):
        x, y, size = float(x), float(y), float(size)
        if y < below:
            continue
        a = math.radians(float(angle or 0))
        w = charts.text_width(content.replace("&amp;", "&"), size)
        # In the frame turned by the label's angle, a label is the box [start, start + w] × [base − size, base].
        u = x * math.cos(a) + y * math.sin(a)
        v = -x * math.sin(a) + y * math.cos(a)
        start = {"end": u - w, "middle": u - w / 2}.get(anchor, u)
        boxes.append((round(float(angle or 0), 3), (start, start + w), (v - size, v)))
    return boxes


def overlapping(boxes):
    found = []
    for i, (a1, (s1, e1), (t1, b1)) in enumerate(boxes):
        for a2, (s2, e2), (t2, b2) in boxes[i + 1:]:
            if a1 == a2 and s1 < e2 - 0.01 and s2 < e1 - 0.01 and t1 < b2 - 0.01 and t2 < b1 - 0.01:
                found.append(((s1, e1, t1, b1), (s2, e2, t2, b2)))
    return found


LABEL = st.text(alphabet=st.sampled_from(list("相談支援会議件数多機関協働ケース年度月計画ABCDXYZ0123456789（）・ー ")),
                min_size=1, max_size=24).map(str.strip).filter(bool)


@settings(max_examples=120, deadline=None)
@given(labels=st.lists(LABEL, min_size=1, max_size=16, unique=True),
       series=st.lists(LABEL, min_size=1, max_size=5, unique=True))
def test_axis_labels_and_legend_never_overlap(labels, series):
    values = [(name, [float(i + 1) for i in range(len(labels))]) for name in series]
    for svg in (charts.bar_chart("目標と実績", labels, values), charts.line_chart("月別の推移", labels, values)):
        plot_bottom = float(re.findall(r'<line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)"', svg)[0])
        assert overlapping(label_boxes(svg, plot_bottom)) == []
        height = float(re.search(r'height="(\d+)"', svg).group(1))
        assert all(float(y) <= height for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)"', svg))
