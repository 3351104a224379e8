"""Server-side SVG charts: the same markup goes into the dashboard page and the PDF report."""

from __future__ import annotations

from xml.sax.saxutils import escape

COLORS = ["#0b5cad", "#b54708", "#067647", "#6941c6", "#c11574", "#475467"]
FONT = 'font-family="Noto Sans JP, sans-serif"'


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000):
        if value <= step * 5:
            return step * 5
    return value * 1.1


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list[float | None]]], *, width: int = 640,
              height: int = 300) -> str:
    """Grouped bars: one group per label, one bar per series (e.g. 目標 and 実績)."""
    left, right, top, bottom = 48, 12, 34, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max([v or 0 for _, values in series for v in values] + [0]))
    n = max(len(labels), 1)
    group_w = plot_w / n
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
        out.append(f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{top + plot_h + 14}" font-size="10" '
                   f'text-anchor="middle">{escape(label[:8])}</text>')
    for si, (name, _) in enumerate(series):
        x = left + si * 110
        out.append(f'<rect x="{x}" y="{height - 20}" width="12" height="12" fill="{COLORS[si % len(COLORS)]}"/>')
        out.append(f'<text x="{x + 16}" y="{height - 10}" font-size="11">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def line_chart(title: str, labels: list[str], series: list[tuple[str, list[float | None]]], *, width: int = 640,
               height: int = 260) -> str:
    height += 16 * max(len(series) - 1, 0)  # one legend line per series
    left, right, top, bottom = 48, 12, 34, 38 + 16 * len(series)
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max([v or 0 for _, values in series for v in values] + [0]))
    n = max(len(labels) - 1, 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" {FONT} role="img" aria-label="{escape(title)}">',
           f'<text x="{left}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>']
    for i in range(6):
        y = top + plot_h - plot_h * i / 5
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7ec"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{peak * i / 5:g}</text>')
    for i, label in enumerate(labels):
        out.append(f'<text x="{left + plot_w * i / n:.1f}" y="{top + plot_h + 14}" font-size="10" '
                   f'text-anchor="middle">{escape(label)}</text>')
    for si, (name, values) in enumerate(series):
        points = [(left + plot_w * i / n, top + plot_h - plot_h * v / peak) for i, v in enumerate(values)
                  if v is not None]
        color = COLORS[si % len(COLORS)]
        if points:
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2.5" points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
            out.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>' for x, y in points)
        legend_y = height - 16 * (len(series) - si) - 2
        out.append(f'<rect x="{left}" y="{legend_y}" width="12" height="12" fill="{color}"/>')
        out.append(f'<text x="{left + 16}" y="{legend_y + 10}" font-size="11">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)
