"""``report.html``: one self-contained page (inline CSS, plots as data: URIs, no script).

It opens from a mail attachment or a CI artifact as well as from the run
directory: nothing in it refers to another file or to the network.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from html import escape

from bench_utils.report import ReportContent, md_cell

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #1d1d1f;
       padding: 0 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #c8c8c8; padding: 0.25rem 0.6rem; text-align: left; }
th { background: #eef2f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f5f5f5; padding: 0.6rem; overflow-x: auto; white-space: pre-wrap; }
.note { background: #fff4d6; border-left: 4px solid #e0a100; padding: 0.6rem 1rem; }
.plots { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; }
.wide { overflow-x: auto; }
figure img { max-width: 100%; border: 1px solid #ddd; }
"""


def _table(header: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(md_cell(h))}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(md_cell(v))}</td>'
            if isinstance(v, int | float) and not isinstance(v, bool)
            else f"<td>{escape(str(v) if v is not None else '—')}</td>"
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="wide"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _split_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
    return [cell.strip().replace("\\|", "|") for cell in cells]


def markdown_section(text: str) -> str:
    """The Markdown a task writes (headings, pipe tables, paragraphs) as HTML."""
    out: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            out.append(_table(table[0], table[2:]))
            table.clear()

    for line in text.splitlines():
        if line.startswith("|") and line.rstrip().endswith("|"):
            table.append(_split_row(line))
            continue
        flush()
        heading = re.match(r"(#{1,4}) (.*)", line)
        if heading:
            level = min(len(heading.group(1)) + 1, 6)
            out.append(f"<h{level}>{escape(heading.group(2))}</h{level}>")
        elif line.strip():
            out.append(f"<p>{escape(line)}</p>")
    flush()
    return "\n".join(out)


def render_html(content: ReportContent, pngs: Sequence[bytes]) -> str:
    """The page; ``pngs`` are the drawn charts, in the order of ``content.charts``."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(content.title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(content.title)}</h1>",
    ]
    if content.warning:
        parts.append(f'<p class="note"><strong>Note:</strong> {escape(content.warning)}</p>')
    parts += [
        "<h2>Metrics</h2>",
        "<p>Overall is computed over the items of all subsets together.</p>",
        _table(content.metrics_header, content.metrics_rows),
    ]
    if content.notes:
        parts.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in content.notes) + "</ul>")
    if pngs:
        parts.append('<h2>Plots</h2><div class="plots">')
        for chart, png in zip(content.charts, pngs, strict=True):
            data = base64.b64encode(png).decode("ascii")
            parts.append(
                f'<figure id="plot-{escape(chart.name)}">'
                f'<img src="data:image/png;base64,{data}" alt="{escape(chart.title)}">'
                "</figure>"
            )
        parts.append("</div>")
    parts += ["<h2>Parameters</h2>", _table(["parameter", "value"], content.parameters)]
    parts.append("<h2>Prompt</h2>")
    if content.system_prompt is not None:
        parts.append(f"<p>System prompt:</p><pre>{escape(content.system_prompt)}</pre>")
        parts.append("<p>User prompt:</p>")
    parts += [
        f"<pre>{escape(content.prompt)}</pre>",
        f"<p>As sent for <code>{escape(content.prompt_item)}</code>:</p>",
        f"<pre>{escape(content.prompt_sent)}</pre>",
    ]
    if content.details:
        parts += [markdown_section(section) for section in content.details]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
