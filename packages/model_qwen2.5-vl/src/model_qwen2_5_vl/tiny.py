"""A tiny random Qwen2.5-VL checkpoint, built from a config in seconds, offline.

The checkpoint is complete (tokenizer, image and video processors, chat template,
generation config, safetensors weights) and is read back by the same
``from_pretrained`` path as a hub model. Its weights are random: its answers are
noise, but shapes, token counts and the whole pipeline are the real ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from model_qwen2_5_vl.runtime import import_module

# Qwen's chat tokens; the ids follow from the order (0..6).
SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
)
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."

# The ChatML layout Qwen2.5-VL uses: a default system turn when none is given, and
# one <|vision_start|><|image_pad|><|vision_end|> slot per image in a user turn.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\n" + DEFAULT_SYSTEM_PROMPT + "<|im_end|>\n"
    "{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' or 'image' in part %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
_CORPUS = (
    "You are a helpful assistant.",
    "Describe the image in one sentence.",
    "What is written on this page? Answer with one word.",
    "Classify the document: passport, invoice, receipt, letter or form.",
    "Read the total amount and the date from the receipt.",
)
# Small enough to keep a test image at a handful of vision tokens.
TINY_MIN_PIXELS = 4 * 28 * 28
TINY_MAX_PIXELS = 16 * 28 * 28


def _train_tokenizer(vocab_size: int = 400) -> tuple[dict[str, int], list[tuple[str, str]]]:
    tokenizers = import_module("tokenizers")
    tokenizer = tokenizers.Tokenizer(tokenizers.models.BPE())
    byte_level = tokenizers.pre_tokenizers.ByteLevel
    tokenizer.pre_tokenizer = byte_level(add_prefix_space=False)
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=byte_level.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_CORPUS, trainer)
    model = json.loads(tokenizer.to_str())["model"]
    # tokenizers writes merges as ["a", "b"] pairs (older releases: "a b" strings).
    pairs = [m.split(" ") if isinstance(m, str) else m for m in model["merges"]]
    return dict(model["vocab"]), [(str(a), str(b)) for a, b in pairs]


def build_tiny_checkpoint(directory: Path, seed: int = 0) -> Path:
    """Write a random ~200 k-parameter Qwen2.5-VL under ``directory/tiny-qwen2.5-vl``."""
    torch = import_module("torch")
    transformers = import_module("transformers")
    video = import_module("transformers.models.qwen2_vl.video_processing_qwen2_vl")

    vocab, merges = _train_tokenizer()
    tokenizer = transformers.Qwen2Tokenizer(
        vocab=vocab, merges=merges, extra_special_tokens=list(SPECIAL_TOKENS[1:])
    )
    ids = dict(
        zip(SPECIAL_TOKENS, tokenizer.convert_tokens_to_ids(list(SPECIAL_TOKENS)), strict=True)
    )
    processor = transformers.Qwen2_5_VLProcessor(
        image_processor=transformers.Qwen2VLImageProcessor(
            min_pixels=TINY_MIN_PIXELS, max_pixels=TINY_MAX_PIXELS
        ),
        tokenizer=tokenizer,
        video_processor=video.Qwen2VLVideoProcessor(),
        chat_template=CHAT_TEMPLATE,
    )
    head_dim = 16  # hidden 64 / 4 heads; mrope_section sums to head_dim / 2
    config = transformers.Qwen2_5_VLConfig(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 64 // head_dim,
            "num_key_value_heads": 2,
            "max_position_embeddings": 4096,
            "rope_parameters": {
                "rope_type": "default",
                "rope_theta": 1_000_000.0,
                "mrope_section": [2, 3, 3],
            },
            "bos_token_id": ids["<|endoftext|>"],
            "eos_token_id": ids["<|im_end|>"],
            "pad_token_id": ids["<|endoftext|>"],
        },
        vision_config={
            "depth": 2,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "out_hidden_size": 64,
            "fullatt_block_indexes": [1],
        },
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
    )
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        model = transformers.Qwen2_5_VLForConditionalGeneration(config)
    finally:
        torch.random.set_rng_state(generator_state)
    model.generation_config = transformers.GenerationConfig(
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=[ids["<|im_end|>"], ids["<|endoftext|>"]],
        pad_token_id=ids["<|endoftext|>"],
        do_sample=False,
    )
    target = Path(directory) / "tiny-qwen2.5-vl"
    target.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(target)
    processor.save_pretrained(target)
    return target
