"""Page ordering: put the pages of a multi-page document in reading order.

The model sees a document's page images in file-name order, numbered from 0, and
answers their reading order (``{"ordered_pages": [2, 0, 1]}``). A malformed answer
(no list of page numbers, or not a permutation of them) is a failure: it scores 0
on Kendall tau, Spearman rho and position accuracy, and is counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from statistics import fmean

from prompt_handler import Prompt

from bench_utils.answers import parse_page_order
from bench_utils.charts import Bars, Chart, Histogram
from bench_utils.dataset import Item, read_page_order
from bench_utils.metrics import score_ordering
from bench_utils.tasks.base import Metrics, Record, Task, base_record

SCORES = ("kendall_tau", "spearman_rho", "position_accuracy")
FAILURE_NOTE = (
    "A malformed answer (no list of page numbers, or not a permutation of the document's "
    "pages) is a failure: it scores 0 on every metric in the main columns; the `parsed_` "
    "columns average the well-formed answers only."
)


class PageOrdering(Task):
    name = "page_ordering"
    fields = frozenset({"num_pages", "last_page"})

    def __init__(self, dataset: Path, prompt: Prompt, classes: Sequence[str]) -> None:
        super().__init__(dataset, prompt, classes)
        self._truth: dict[str, list[int]] = {}

    def accepts(self, item: Item) -> bool:
        return item.document  # single images have no order to find

    def prepare(self, items: Sequence[Item]) -> None:
        self._truth = {item.path: read_page_order(self.dataset, item) for item in items}

    def prompt_for(self, item: Item) -> str:
        return self.render({"num_pages": len(item.pages), "last_page": len(item.pages) - 1})

    def make_record(self, item: Item, answer: str) -> Record:
        truth = self._truth[item.path]
        order = parse_page_order(answer, len(item.pages))
        scores = score_ordering(order, truth) if order is not None else None
        return {
            **base_record(self, item, answer),
            "pages": len(item.pages),
            "truth": truth,
            "predicted": order,
            **{name: getattr(scores, name) if scores else 0.0 for name in SCORES},
        }

    def score(self, records: Sequence[Record]) -> Metrics:
        per_doc = [
            score_ordering(r["predicted"], r["truth"]) if r["predicted"] is not None else None
            for r in records
        ]
        parsed = [s for s in per_doc if s is not None]
        metrics: Metrics = {"documents": len(records), "malformed": len(records) - len(parsed)}
        for name in SCORES:
            # a failure scores 0; averaging over every document keeps failures visible
            metrics[name] = (
                fmean(getattr(s, name) if s else 0.0 for s in per_doc) if records else 0.0
            )
        for name in SCORES:
            metrics[f"parsed_{name}"] = fmean(getattr(s, name) for s in parsed) if parsed else None
        return metrics

    def charts(self, scopes: Mapping[str, Sequence[Record]]) -> list[Chart]:
        records = scopes["overall"]
        longest = max((r["pages"] for r in records), default=0)
        right = [0] * longest
        seen = [0] * longest
        for r in records:
            predicted = r["predicted"] or []
            for position, page in enumerate(r["truth"]):
                seen[position] += 1
                right[position] += len(predicted) > position and predicted[position] == page
        parsed = [r["kendall_tau"] for r in records if r["predicted"] is not None]
        return [
            Bars(
                name="accuracy_by_position",
                title="Accuracy by reading position",
                labels=tuple(str(position + 1) for position in range(longest)),
                values=tuple(r / n for r, n in zip(right, seen, strict=True)),
                counts=tuple(seen),
                xlabel="reading position",
                ylabel="accuracy",
            ),
            Histogram(
                name="kendall_tau",
                title=f"Kendall tau ({len(records) - len(parsed)} malformed left out)",
                values=tuple(parsed),
                low=-1.0,
                high=1.0,
                bins=10,
                xlabel="Kendall tau",
                ylabel="documents",
            ),
        ]

    def notes(self, overall: Metrics) -> list[str]:
        return [
            f"{overall['malformed']} of {overall['documents']} answers were malformed.",
            FAILURE_NOTE,
        ]
