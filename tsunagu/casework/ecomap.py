"""The eco-map (エコマップ) of an assessment, drawn server-side as SVG so it also appears in PDFs."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

STYLE = {
    "strong": 'stroke="#1f2328" stroke-width="4"',
    "weak": 'stroke="#59636e" stroke-width="2" stroke-dasharray="6,5"',
    "stress": 'stroke="#b42318" stroke-width="2.5" stroke-dasharray="2,3"',
}
FILL = {"agency": "#eef6ff", "family": "#fff7e6", "community": "#ecfdf3", "service": "#f4f3ff"}


def ecomap_svg(centre: str, connections: list[dict], *, size: int = 520) -> str:
    c = size / 2
    radius = size * 0.36
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" font-family="Noto Sans JP, sans-serif" '
             f'role="img" aria-label="エコマップ">',
             f'<rect width="{size}" height="{size}" fill="#ffffff"/>']
    n = max(len(connections), 1)
    nodes = []
    for i, conn in enumerate(connections):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        x, y = c + radius * math.cos(angle), c + radius * math.sin(angle)
        nodes.append((x, y, conn))
        parts.append(f'<line x1="{c:.1f}" y1="{c:.1f}" x2="{x:.1f}" y2="{y:.1f}" {STYLE.get(conn["strength"], "")}/>')
    parts.append(f'<circle cx="{c}" cy="{c}" r="52" fill="#fff" stroke="#0b5cad" stroke-width="3"/>')
    parts.append(f'<text x="{c}" y="{c + 6}" text-anchor="middle" font-size="17" font-weight="bold">'
                 f'{escape(centre[:10])}</text>')
    for x, y, conn in nodes:
        parts.append(f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="62" ry="28" fill="{FILL.get(conn["kind"], "#fff")}" '
                     f'stroke="#8c959f"/>')
        parts.append(f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" font-size="13">'
                     f'{escape(conn["name"][:12])}</text>')
    legend_y = size - 14
    parts.append(f'<text x="8" y="{legend_y}" font-size="11">— 強い　- - 弱い　···· ストレスのある関係</text>')
    parts.append("</svg>")
    return "".join(parts)
