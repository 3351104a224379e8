"""Server-side SVG charts: the same markup goes into the dashboard page and the PDF report."""

from __future__ import annotations

from xml.sax.saxutils import escape

COLORS = ["#0b5cad", "#b54708", "#067647", "#6941c6", "#c11574", "#475467"]
FONT = 'font-family="Noto Sans JP, sans-serif"'


def text_width(text: str, size: float) -> float:
    """Width of a label in the chart's units: a full-width (Japanese) character is about one em, others about
    0.6 em (Noto Sans JP). Generous on purpose: a label is laid out for at least this width."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.62 for ch in text)


def _fit(text: str, size: float, room: float) -> str:
    """`text`, shortened with … until it fits `room`."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def _axis_labels(labels: list[str], centres: list[float], slot: float, y: float, size: float = 10
                 ) -> tuple[list[str], float]:
    """SVG text of the category labels under the axis, never overlapping: horizontal when each fits its slot,
    otherwise turned 45° (their slot is then the diagonal distance) and shortened to 9 em. Returns the markup
    and the height the labels need below `y`."""
    widest = max((text_width(label, size) for label in labels), default=0)
    if widest <= slot - 4:
        return ([f'<text x="{x:.1f}" y="{y + size + 4:.1f}" font-size="{size}" text-anchor="middle">{escape(label)}'
                 '</text>' for label, x in zip(labels, centres, strict=True)], size + 8)
    # Turned labels are stacked diagonally: two neighbours are `slot` apart horizontally, so their baselines are
    # slot·sin45° apart, which must hold one line of text.
    size = min(size, max(slot * 0.7071 - 2, 6))
    room = size * 9
    shown = [_fit(label, size, room) for label in labels]
    longest = max(text_width(t, size) for t in shown)
    out = [f'<text x="{x:.1f}" y="{y + size:.1f}" font-size="{size:.1f}" text-anchor="end" '
           f'transform="rotate(-45 {x:.1f} {y + size:.1f})"><title>{escape(label)}</title>{escape(text)}</text>'
           for label, text, x in zip(labels, shown, centres, strict=True)]
    return out, longest * 0.7071 + size * 2


def _legend(names: list[str], left: float, width: float, y: float, size: float = 11) -> tuple[list[str], float]:
    """Legend entries flowing left to right and onto new lines when the next one would not fit."""
    out, x, line = [], left, 0
    for si, name in enumerate(names):
        w = 16 + text_width(name, size) + 14
        if x > left and x + w > width:
            x, line = left, line + 1
        yy = y + line * (size + 7)
        out.append(f'<rect x="{x:.1f}" y="{yy:.1f}" width="12" height="12" fill="{COLORS[si % len(COLORS)]}"/>')
        out.append(f'<text x="{x + 16:.1f}" y="{yy + 10:.1f}" font-size="{size}">{escape(name)}</text>')
        x += w
    return out, (line + 1) * (size + 7)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000):
        if value <= step * 5:
            return step * 5
    return value * 1.1


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list[float | None]]], *, width: int = 640,
              height: int = 300) -> str:
    """Grouped bars: one group per label, one bar per series (e.g. 目標 and 実績). The chart grows downwards to
    hold turned axis labels and a legend of several lines."""
    left, right, top = 48, 12, 34
    plot_w = width - left - right
    n = max(len(labels), 1)
    group_w = plot_w / n
    centres = [left + gi * group_w + group_w / 2 for gi in range(len(labels))]
    plot_h = height - top - 64
    label_marks, label_h = _axis_labels(labels, centres, group_w, top + plot_h)
    legend_marks, legend_h = _legend([name for name, _ in series], left, width - right, top + plot_h + label_h + 6)
    height = int(top + plot_h + label_h + legend_h + 12)
    peak = _nice_max(max([v or 0 for _, values in series for v in values] + [0]))
    bar_w = max(min(group_w / (len(series) + 1), 28), 3)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" {FONT} role="img" aria-label="{escape(title)}">',
           f'<text x="{left}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>']
    for i in range(6):
        y = top + plot_h - plot_h * i / 5
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7ec"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{peak * i / 5:g}</text>')
    for gi, label in enumerate(labels):
        x0 = left + gi * group_w + (group_w - bar_w * len(series)) / 2
        for si, (_, values) in enumerate(series):
            v = values[gi]
            if v is None:
                continue
            h = plot_h * v / peak
            out.append(f'<rect x="{x0 + si * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                       f'height="{h:.1f}" fill="{COLORS[si % len(COLORS)]}"><title>{escape(label)} {v:g}</title></rect>')
    out += label_marks + legend_marks
    out.append("</svg>")
    return "".join(out)


def line_chart(title: str, labels: list[str], series: list[tuple[str, list[float | None]]], *, width: int = 640,
               height: int = 260) -> str:
    left, right, top = 48, 12, 34
    plot_w = width - left - right
    plot_h = height - top - 54
    n = max(len(labels) - 1, 1)
    centres = [left + plot_w * i / n for i in range(len(labels))]
    label_marks, label_h = _axis_labels(labels, centres, plot_w / n, top + plot_h)
    legend_marks, legend_h = _legend([name for name, _ in series], left, width - right, top + plot_h + label_h + 6)
    height = int(top + plot_h + label_h + legend_h + 12)
    peak = _nice_max(max([v or 0 for _, values in series for v in values] + [0]))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" {FONT} role="img" aria-label="{escape(title)}">',
           f'<text x="{left}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>']
    for i in range(6):
        y = top + plot_h - plot_h * i / 5
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7ec"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{peak * i / 5:g}</text>')
    for si, (_name, values) in enumerate(series):
        points = [(left + plot_w * i / n, top + plot_h - plot_h * v / peak) for i, v in enumerate(values)
                  if v is not None]
        color = COLORS[si % len(COLORS)]
        if points:
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2.5" points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
            out.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in points)
    out += label_marks + legend_marks
    out.append("</svg>")
    return "".join(out)
