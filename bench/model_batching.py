"""Images per second on the tiny Qwen2.5-VL, batched vs one by one, side by side in one run.

A plumbing check, not a model benchmark: both paths run the same model object,
the same requests and the same number of new tokens (forced with
min_new_tokens), after the same warm-up; the best of several rounds is kept for
each. Usage: uv run python bench/model_batching.py [--requests 32] [--device cpu]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from model_interface import ModelRequest
from model_qwen2_5_vl import Qwen2_5_VL
from PIL import Image


def make_requests(count: int) -> list[ModelRequest]:
    prompts = ["Describe the image.", "What is written on this page?", "Classify the document."]
    return [
        ModelRequest(
            (Image.new("RGB", (96 + 8 * (i % 5), 80), (i * 9 % 256, 120, 200)),),
            prompts[i % len(prompts)],
            key=str(i),
        )
        for i in range(count)
    ]


def best_seconds(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=32)
    parser.add_argument("--new-tokens", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    requests = make_requests(args.requests)
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = Qwen2_5_VL.build_tiny_checkpoint(Path(tmp))
        print(f"{'batch size':>10} {'images/s':>10} {'vs one by one':>14}")
        one_by_one = 0.0
        for batch_size in (1, 4, 8, 16):
            model = Qwen2_5_VL(
                str(checkpoint),
                device=args.device,
                batch_size=batch_size,
                max_new_tokens=args.new_tokens,
                min_new_tokens=args.new_tokens,
            )
            model.generate(requests[:batch_size])  # warm-up, same for every row
            if batch_size == 1:
                # One request per generate() call: the path a caller without batching takes.
                seconds = best_seconds(lambda: [model.generate([r]) for r in requests], args.rounds)  # noqa: B023
                one_by_one = len(requests) / seconds
            else:
                seconds = best_seconds(lambda: model.generate(requests), args.rounds)  # noqa: B023
            rate = len(requests) / seconds
            print(f"{batch_size:>10} {rate:>10.1f} {rate / one_by_one:>13.2f}x")


if __name__ == "__main__":
    main()
