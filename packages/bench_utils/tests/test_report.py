"""The report files of `vlmhb run`: modes, plots, report.html in a real browser, no extra.

The browser test drives Debian's Chromium headless: it loads a copy of report.html
with a probe script that records every image's decoded size and every error, and
takes a screenshot that must not be blank.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bench_utils.cli import main
from bench_utils.plots import EXTRA_HINT
from bench_utils.runner import QUIET_HF, quiet_hugging_face
from bench_utils.tasks import TASK_CLASSES
from PIL import Image
from prompt_handler import Prompt

PROBE = """<script>
window.__errors = [];
window.addEventListener("error", (e) => {
  window.__errors.push(e.message || ("failed to load " + (e.target.src || "").slice(0, 40)));
}, true);
window.addEventListener("load", () => {
  const images = Array.from(document.images).map((img) => ({
    alt: img.alt, complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,
    shown: img.getBoundingClientRect().width,
  }));
  const external = Array.from(document.querySelectorAll("[src],[href]"))
    .map((el) => el.getAttribute("src") || el.getAttribute("href"))
    .filter((url) => !url.startsWith("data:") && !url.startsWith("#"));
  document.body.setAttribute("data-probe", JSON.stringify(
    {images, external, errors: window.__errors, tables: document.querySelectorAll("table").length}
  ));
});
</script>"""


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def classification_run(
    write_config: Callable[..., Path], only_run_dir: Callable[[Path], Path]
) -> Callable[..., Path]:
    """Run the scripted classification on the clean subset; return the run directory."""

    def run(tmp_path: Path, dataset: Path, **params: object) -> Path:
        config = write_config(
            tmp_path,
            "classification",
            "Which class? {classes}",
            {"task": "classification", **params},
            subsets=["clean"],
            output_dir=str(tmp_path / "runs"),
        )
        assert main(["run", "--config", str(config), "--dataset", str(dataset)]) == 0
        return only_run_dir(tmp_path / "runs")

    return run


def test_outputs_are_readable_by_others_under_umask_022(
    scripted_family: str,
    classification_run: Callable[..., Path],
    demo_dataset: Path,
    tmp_path: Path,
    umask_022: None,
) -> None:
    run_dir = classification_run(
        tmp_path, demo_dataset, wrong=["invoice/images/clean/invoice_clean_000.png"]
    )
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in run_dir.iterdir()}
    assert {"report.md", "report.html", "metrics.json", "predictions.jsonl"} <= set(modes)
    assert {"confusion_matrix.png", "per_class_accuracy.png"} <= set(modes)
    assert modes == dict.fromkeys(modes, 0o644)
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o755
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".")]  # no temp files left


def test_outputs_follow_a_stricter_umask(
    scripted_family: str,
    classification_run: Callable[..., Path],
    demo_dataset: Path,
    tmp_path: Path,
) -> None:
    old = os.umask(0o027)
    try:
        run_dir = classification_run(tmp_path, demo_dataset)
    finally:
        os.umask(old)
    assert {stat.S_IMODE(p.stat().st_mode) for p in run_dir.iterdir()} == {0o640}


def test_plots_are_pngs_of_the_run_data(
    scripted_family: str,
    classification_run: Callable[..., Path],
    demo_dataset: Path,
    tmp_path: Path,
) -> None:
    run_dir = classification_run(
        tmp_path,
        demo_dataset,
        wrong=["invoice/images/clean/invoice_clean_000.png"],
        garbled=["letter/images/clean/letter_clean_001.png"],
    )
    for name in ("confusion_matrix.png", "per_class_accuracy.png"):
        with Image.open(run_dir / name) as image:
            assert image.format == "PNG"
            assert image.width >= 300 and image.height >= 250, name
            # not blank: a plot has many colours (text, bars, the colour map)
            colors = image.convert("RGB").getcolors(maxcolors=1 << 16)
            assert colors is None or len(colors) > 20, name
    # the charts are the task's data: per-class accuracy is each class's recall
    task = TASK_CLASSES["classification"](
        demo_dataset, Prompt("{classes}"), ["invoice", "letter", "receipt"]
    )
    records = [
        json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines()
    ]
    heatmap, bars = task.charts({"overall": records})
    # 6 clean items per class; one invoice answered "letter", one letter unparsable
    assert heatmap.columns == ("invoice", "letter", "receipt", "None")
    assert heatmap.matrix == ((5, 1, 0, 0), (0, 5, 0, 1), (0, 0, 6, 0))
    assert bars.labels == ("invoice", "letter", "receipt")
    assert bars.values == pytest.approx((5 / 6, 5 / 6, 1.0))
    assert bars.counts == (6, 6, 6)


def test_page_ordering_charts_hold_hand_computed_values(demo_dataset: Path) -> None:
    task = TASK_CLASSES["page_ordering"](demo_dataset, Prompt("{num_pages}"), ["invoice"])
    records = [
        {"pages": 3, "truth": [2, 0, 1], "predicted": [2, 0, 1], "kendall_tau": 1.0},
        {"pages": 3, "truth": [2, 0, 1], "predicted": [1, 0, 2], "kendall_tau": -1.0},
        {"pages": 4, "truth": [0, 1, 2, 3], "predicted": [1, 0, 2, 3], "kendall_tau": 2 / 3},
        {"pages": 4, "truth": [3, 2, 1, 0], "predicted": None, "kendall_tau": 0.0},
    ]
    by_position, taus = task.charts({"overall": records})
    assert by_position.labels == ("1", "2", "3", "4")
    # position 1: right in doc 1 only; 2: docs 1, 2; 3: docs 1, 3; 4: doc 3 of the two 4-page docs
    assert by_position.values == pytest.approx((1 / 4, 2 / 4, 2 / 4, 1 / 2))
    assert by_position.counts == (4, 4, 4, 2)
    assert taus.values == pytest.approx((1.0, -1.0, 2 / 3))  # the malformed answer is left out
    assert "1 malformed left out" in taus.title
    assert (taus.low, taus.high) == (-1.0, 1.0)


def test_without_the_report_extra_the_run_writes_report_md_and_says_so(
    scripted_family: str,
    classification_run: Callable[..., Path],
    demo_dataset: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    wide_console: None,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what an install without it sees
    run_dir = classification_run(tmp_path, demo_dataset)
    names = {p.name for p in run_dir.iterdir()}
    assert "report.md" in names
    assert not {n for n in names if n.endswith((".png", ".html"))}
    assert "## Plots" not in (run_dir / "report.md").read_text()
    out = capsys.readouterr().out
    assert out.count("plots and report.html need") == 1
    assert f" WARN {EXTRA_HINT}\n" in out


def test_paths_are_printed_whole_on_a_narrow_console(
    scripted_family: str,
    classification_run: Callable[..., Path],
    demo_dataset: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    deep = tmp_path / "a-rather-long-directory-name" / "[with brackets]"
    deep.mkdir(parents=True)
    run_dir = classification_run(deep, demo_dataset)
    out = capsys.readouterr().out
    assert f"   OK report: {run_dir / 'report.md'}\n" in out
    assert f"run directory {run_dir}\n" in out


def test_quiet_hugging_face_sets_what_the_user_left_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in QUIET_HF:
        monkeypatch.setenv(name, "")  # records the original state, restored afterwards
        monkeypatch.delenv(name)
    monkeypatch.setenv("TRANSFORMERS_VERBOSITY", "info")
    quiet_hugging_face()
    assert os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"
    assert os.environ["TRANSFORMERS_NO_ADVISORY_WARNINGS"] == "1"
    assert os.environ["TRANSFORMERS_VERBOSITY"] == "info"  # the user's choice is kept


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium here (scripts/test installs Debian's chromium)")


def _browser(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",  # tests may run as root (CI containers)
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_report_html_loads_in_chromium_and_shows_the_plots(
    scripted_family: str,
    classification_run: Callable[..., Path],
    demo_dataset: Path,
    tmp_path: Path,
) -> None:
    run_dir = classification_run(
        tmp_path, demo_dataset, wrong=["invoice/images/clean/invoice_clean_000.png"]
    )
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html  # the report itself carries no script
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    profile = tmp_path / "profile"
    dumped = _browser(f"--user-data-dir={profile}", "--dump-dom", probe.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    match = re.search(r'data-probe="([^"]*)"', dumped.stdout)
    assert match, dumped.stdout[-2000:]
    found = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert found["errors"] == []
    assert found["external"] == []  # self-contained: nothing but data: URIs
    assert found["tables"] >= 2  # metrics and parameters
    images = {image["alt"]: image for image in found["images"]}
    assert set(images) == {
        "Confusion matrix (all subsets)",
        "Accuracy per class",
    }
    for alt, image in images.items():
        with Image.open(
            run_dir / f"{'confusion_matrix' if 'matrix' in alt else 'per_class_accuracy'}.png"
        ) as png:
            assert (image["width"], image["height"]) == png.size, alt
        assert image["complete"] and image["shown"] > 100, alt

    shot = tmp_path / "report.png"
    taken = _browser(
        f"--user-data-dir={profile}",
        f"--screenshot={shot}",
        "--window-size=1200,1600",
        (run_dir / "report.html").as_uri(),
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    with Image.open(shot) as image:
        colors = image.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colors is None or len(colors) > 50  # text, tables and plots, not a blank page
    keep = os.environ.get("VLMHB_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
