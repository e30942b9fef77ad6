"""The words of a promotion: commit message, PR title and body, the hidden pins block.

The body ends with ``<!-- release-tool:pins {...} -->``: the pins as JSON, invisible
on GitHub, read back by :func:`read_pins_block` (the last block wins, so text quoted
from a commit message earlier in the body cannot stand in for it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from release_tool.core.hidden_block import read_block, render_block, text_fields
from release_tool.core.lockfile import NO_EXTRA, ExportedPackage, LockDiff, SetDiff
from release_tool.core.plan import PlannedPin, PromotionPlan

PINS_KIND = "pins"
MAX_LOG_LINES = 50
MAX_BODY_CHARS = 60_000  # GitHub refuses bodies over 65,536 characters


@dataclass(frozen=True)
class BlockPin:
    package: str
    tag: str
    commit: str
    repository: str  # OWNER/NAME


@dataclass(frozen=True)
class PinsBlock:
    env: str
    pins: tuple[BlockPin, ...]
    rollback: bool


def safe_markdown(text: str) -> str:
    """A line from a package repository, harmless in Markdown (no HTML, no comments)."""
    text = "".join(ch for ch in text if ch.isprintable())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _from(pin: PlannedPin) -> str:
    return pin.previous_tag if pin.previous_tag else "(new)"


def labels(plan: PromotionPlan) -> tuple[str, ...]:
    return ("release", f"env:{plan.env}", *(f"package:{p.package}" for p in plan.pins))


def render_title(plan: PromotionPlan) -> str:
    verb = "roll back" if plan.rollback else "promote"
    if len(plan.pins) == 1:
        pin = plan.pins[0]
        if pin.previous_tag is None:
            return f"{plan.env}: add {pin.package} {pin.tag}"
        return f"{plan.env}: {verb} {pin.package} {pin.previous_tag} → {pin.tag}"
    listed = ", ".join(f"{p.package} {p.tag}" for p in plan.pins)
    title = f"{plan.env}: {verb} {len(plan.pins)} packages ({listed})"
    return title if len(title) <= 200 else title[:199] + "…"


def render_commit_message(plan: PromotionPlan) -> str:
    lines = [render_title(plan), ""]
    for pin in plan.pins:
        lines.append(f"{pin.package}: {_from(pin)} -> {pin.tag} at {pin.commit}")
    if plan.rollback:
        lines += ["", "Rollback: a downgrade or re-pin allowed with --allow-downgrade."]
    if plan.reason:
        lines += ["", f"Reason: {plan.reason}"]
    return "\n".join(lines) + "\n"


def _commit_link(pin: PlannedPin, commit: str) -> str:
    base = pin.url.removesuffix(".git")
    if base.startswith("https://"):
        return f"[`{commit[:10]}`]({base}/commit/{commit})"
    return f"`{commit[:10]}`"


def _entry(p: ExportedPackage) -> str:
    return p.describe()


def render_set_diff(diff: SetDiff, initial: bool) -> list[str]:
    title = diff.label if diff.label == NO_EXTRA else f"extra `{diff.label}`"
    if diff.empty:
        return [f"- {title}: no change"]
    rows = [f"- {title}:" + (" (initial lock)" if initial else "")]
    rows += [f"  - added {p.name} {_entry(p)}" for p in diff.added]
    rows += [f"  - removed {p.name} {_entry(p)}" for p in diff.removed]
    rows += [f"  - {c.name} {_entry(c.before)} → {_entry(c.after)}" for c in diff.changed]
    return rows


def render_notes(warnings: Sequence[str]) -> list[str]:
    """One GitHub note block per warning."""
    out: list[str] = []
    for warning in warnings:
        out += ["> [!NOTE]", f"> {safe_markdown(warning)}", ""]
    return out


def render_next_steps(
    backends: Sequence[str], profile_dir: str, base_branch: str, *more: str
) -> list[str]:
    """The closing section of a release PR body: GPU jobs, then merge (then ``more``)."""
    gpu = ", ".join(f"`{b}`" for b in backends)
    return [
        "",
        "### What happens next",
        "",
        f"1. The GPU jobs ({gpu}) test this branch's `{profile_dir}/uv.lock`.",
        f"2. When they pass, merge into `{base_branch}`.",
        *more,
        "",
    ]


def render_pins_block(plan: PromotionPlan) -> str:
    data = {
        "env": plan.env,
        "rollback": plan.rollback,
        "pins": [
            {"package": p.package, "tag": p.tag, "commit": p.commit, "repository": p.slug}
            for p in plan.pins
        ],
    }
    return render_block(PINS_KIND, data)


def read_pins_block(body: str) -> PinsBlock | None:
    """The pins a rendered body carries (None when it carries none, or not as release-tool
    writes them: see :mod:`release_tool.core.hidden_block`)."""
    data = read_block(body, PINS_KIND)
    if data is None or not isinstance(data.get("env"), str):
        return None
    listed = data.get("pins")
    if not isinstance(listed, list):
        return None
    pins = []
    for item in listed:
        fields = text_fields(item, "package", "tag", "commit", "repository")
        if fields is None:
            return None
        pins.append(BlockPin(*fields))
    return PinsBlock(data["env"], tuple(pins), data.get("rollback") is True)


def _log_section(pin: PlannedPin, log: Sequence[str] | str) -> list[str]:
    if isinstance(log, str):
        return [f"- {pin.package}: {safe_markdown(log)}"]
    shown = list(log)[:MAX_LOG_LINES]
    more = len(log) - len(shown)
    summary = f"{pin.package} {_from(pin)} → {pin.tag}: {len(log)} commit(s)"
    out = ["<details>", f"<summary>{summary}</summary>", ""]
    out += [f"- {safe_markdown(line)}" for line in shown]
    if more:
        out.append(f"- … and {more} more")
    return [*out, "", "</details>"]


def render_body(
    plan: PromotionPlan,
    *,
    lock_diff: LockDiff | None,
    commit_logs: Mapping[str, Sequence[str] | str],
    backends: Sequence[str],
) -> str:
    """The PR body. ``commit_logs``: package -> log lines, or a sentence why there is none."""
    out = [f"## Release into `{plan.env}`", ""]
    out += ["| package | from | to | commit |", "|---|---|---|---|"]
    for pin in plan.pins:
        old = _from(pin)
        if pin.previous_commit:
            old += f" ({_commit_link(pin, pin.previous_commit)})"
        out.append(f"| {pin.package} | {old} | **{pin.tag}** | {_commit_link(pin, pin.commit)} |")
    out.append("")
    if plan.rollback:
        out += ["> [!WARNING]", "> This is a **rollback** (allowed with `--allow-downgrade`)."]
        if plan.reason:
            out.append(f"> Reason: {safe_markdown(plan.reason)}")
        out.append("")
    elif plan.reason:
        out += [f"Reason: {safe_markdown(plan.reason)}", ""]
    out += render_notes(plan.warnings)
    out += ["### Commits", ""]
    for pin in plan.pins:
        out += _log_section(pin, commit_logs.get(pin.package, "no log"))
    out += ["", "### Lock diff", ""]
    if lock_diff is None:
        out.append("(not computed)")
    else:
        for diff in lock_diff.sets:
            out += render_set_diff(diff, lock_diff.initial)
        collateral = lock_diff.collateral(plan.packages)
        out += ["", "### Collateral changes", ""]
        out.append(
            "Packages not promoted that moved: " + ", ".join(collateral)
            if collateral
            else "None: only the promoted packages moved."
        )
    images = f"3. The merge builds and publishes the `{plan.env}` images, one per backend."
    out += render_next_steps(backends, plan.profile_dir, plan.base_branch, images)
    body = "\n".join(out)
    block = render_pins_block(plan)
    if len(body) + len(block) > MAX_BODY_CHARS:
        body = body[: MAX_BODY_CHARS - len(block) - 40] + "\n\n… (truncated)\n"
    return body + "\n" + block + "\n"
