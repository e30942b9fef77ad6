"""Qwen2.5-VL for VLMHyperBench: transformers + qwen-vl-utils, batched, with a tiny CPU checkpoint.

Importing this package does not import torch; the model does when it is built.
"""

from __future__ import annotations

from model_qwen2_5_vl.model import Generation, Qwen2_5_VL
from model_qwen2_5_vl.settings import QwenSettings
from model_qwen2_5_vl.tiny import build_tiny_checkpoint

__all__ = ["Generation", "Qwen2_5_VL", "QwenSettings", "build_tiny_checkpoint"]
