"""A tiny, randomly initialised Stable Diffusion pipeline for tests, benchmarks and the demo (built offline).

Folder format: `save_pretrained` output (model_index.json + component folders).
Single-file format: one `<name>.safetensors` checkpoint in the original (LDM / A1111) key layout, plus a
`<name>.config/` folder beside it holding the Diffusers configs and tokenizer files but no weights.
`StableDiffusionPipeline.from_single_file(path, config=<that folder>, local_files_only=True)` reads it offline;
without `config` diffusers would fetch the SD 1.5 configs from the Hub, which cannot describe a tiny model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TINY_PROMPT_VOCAB = ("a", "cat", "dog", "red", "blue", "photo", "of", "the", "in", "on", "sky", "sea")
SINGLE_FILE_NAME = "tiny-sd.safetensors"
CONFIG_SUFFIX = ".config"


def config_dir_for(checkpoint: Path) -> Path:
    """The Diffusers config folder that accompanies a single-file checkpoint (`x.safetensors` -> `x.config/`)."""
    return checkpoint.with_name(checkpoint.stem + CONFIG_SUFFIX)


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP byte-to-printable-character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def write_tokenizer_files(folder: Path) -> int:
    """Write a small byte-level CLIP vocab.json + merges.txt (covers every byte); returns the vocab size."""
    folder.mkdir(parents=True, exist_ok=True)
    chars = list(_bytes_to_unicode().values())
    vocab: dict[str, int] = {}
    for tok in chars + [c + "</w>" for c in chars]:
        vocab.setdefault(tok, len(vocab))
    merges: list[str] = []
    for word in TINY_PROMPT_VOCAB:  # merge whole words left to right so common prompt words are single tokens
        parts = list(word[:-1]) + [word[-1] + "</w>"]
        while len(parts) > 1:
            pair = f"{parts[0]} {parts[1]}"
            merged = parts[0] + parts[1]
            if pair not in merges:
                merges.append(pair)
            vocab.setdefault(merged, len(vocab))
            parts = [merged] + parts[2:]
    for special in ("<|startoftext|>", "<|endoftext|>"):
        vocab.setdefault(special, len(vocab))
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    return len(vocab)


def _components(tok_dir: Path) -> dict[str, Any]:
    """Random tiny UNet, VAE (8x downscale), CLIP text encoder, tokenizer and DDIM scheduler."""
    from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    vocab_size = write_tokenizer_files(tok_dir)
    tokenizer = CLIPTokenizer.from_pretrained(str(tok_dir), model_max_length=77)
    unet = UNet2DConditionModel(
        sample_size=8,
        in_channels=4,
        out_channels=4,
        layers_per_block=1,
        block_out_channels=(4, 8),
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=8,
        attention_head_dim=2,
        norm_num_groups=2,
    )
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=2,
        sample_size=64,
        block_out_channels=(4, 4, 8, 8),
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
    )
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=vocab_size,
            hidden_size=8,
            intermediate_size=16,
            num_hidden_layers=2,
            num_attention_heads=2,
            max_position_embeddings=77,
            projection_dim=8,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
    )
    scheduler = DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    return {"unet": unet, "vae": vae, "text_encoder": text_encoder, "tokenizer": tokenizer, "scheduler": scheduler}


def make_tiny_pipeline(seed: int = 0):
    """An in-memory tiny StableDiffusionPipeline with weights drawn from `seed` (global RNG left untouched)."""
    import tempfile

    import torch
    from diffusers import StableDiffusionPipeline

    with torch.random.fork_rng(devices=[]), tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(seed)
        parts = _components(Path(tmp) / "tokenizer")
        return StableDiffusionPipeline(
            **parts, safety_checker=None, feature_extractor=None, image_encoder=None, requires_safety_checker=False
        )


def build_tiny_pipeline(path: Path, single_file: bool = False, *, seed: int = 0) -> Path:
    """Save a tiny random pipeline; returns the model path to load (the folder, or the .safetensors file)."""
    from safetensors.torch import save_file

    path = Path(path)
    pipe = make_tiny_pipeline(seed)
    if not single_file:
        pipe.save_pretrained(str(path), safe_serialization=True)
        write_tokenizer_files(path / "tokenizer")  # the small vocab/merges the tokenizer was built from
        return path
    checkpoint = path if path.suffix == ".safetensors" else path / SINGLE_FILE_NAME
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    config_dir = config_dir_for(checkpoint)
    pipe.save_pretrained(str(config_dir), safe_serialization=True)
    write_tokenizer_files(config_dir / "tokenizer")
    for weights in config_dir.glob("*/*.safetensors"):
        weights.unlink()  # the config folder carries configs and tokenizer only; weights live in the checkpoint
    save_file(to_ldm_checkpoint(pipe), str(checkpoint), metadata={"format": "pt"})
    return checkpoint


# ---- Diffusers -> original (LDM) key layout: the inverse of diffusers' single-file converters ----

_RESNET = (
    ("norm1", "in_layers.0"),
    ("conv1", "in_layers.2"),
    ("norm2", "out_layers.0"),
    ("conv2", "out_layers.3"),
    ("time_emb_proj", "emb_layers.1"),
    ("conv_shortcut", "skip_connection"),
)
_UNET_LAYERS = {
    "time_embedding.linear_1": "time_embed.0",
    "time_embedding.linear_2": "time_embed.2",
    "conv_in": "input_blocks.0.0",
    "conv_norm_out": "out.0",
    "conv_out": "out.2",
}
_VAE_ATTN = (("group_norm", "norm"), ("to_q", "q"), ("to_k", "k"), ("to_v", "v"), ("to_out.0", "proj_out"))


def _split(key: str, n: int) -> tuple[list[str], str]:
    """First `n` dotted parts of key and the remainder."""
    parts = key.split(".")
    return parts[:n], ".".join(parts[n:])


def _unet_to_ldm(sd: dict, config: dict) -> dict:
    """UNet2DConditionModel state dict -> `model.diffusion_model.*` keys."""
    per = config["layers_per_block"] + 1
    out = {}
    for key, value in sd.items():
        head, rest = key.rsplit(".", 1)[0], key.rsplit(".", 1)[1]
        if head in _UNET_LAYERS:
            new = f"{_UNET_LAYERS[head]}.{rest}"
        elif key.startswith("down_blocks."):
            (_, b, kind, idx), tail = _split(key, 4)
            b, idx = int(b), int(idx)
            if kind == "resnets":
                new = f"input_blocks.{1 + b * per + idx}.0.{_rename(tail, _RESNET)}"
            elif kind == "attentions":
                new = f"input_blocks.{1 + b * per + idx}.1.{tail}"
            else:  # downsamplers.0.conv.*
                new = f"input_blocks.{1 + b * per + per - 1}.0.op.{tail.split('.', 1)[1]}"
        elif key.startswith("mid_block."):
            (_, kind, idx), tail = _split(key, 3)
            pos = 2 * int(idx) if kind == "resnets" else 1
            new = f"middle_block.{pos}.{_rename(tail, _RESNET) if kind == 'resnets' else tail}"
        elif key.startswith("up_blocks."):
            (_, b, kind, idx), tail = _split(key, 4)
            b, idx = int(b), int(idx)
            has_attn = any(k.startswith(f"up_blocks.{b}.attentions.") for k in sd)
            if kind == "resnets":
                new = f"output_blocks.{b * per + idx}.0.{_rename(tail, _RESNET)}"
            elif kind == "attentions":
                new = f"output_blocks.{b * per + idx}.1.{tail}"
            else:  # upsamplers.0.conv.*
                new = f"output_blocks.{b * per + per - 1}.{2 if has_attn else 1}.{tail}"
        else:
            raise ValueError(f"unmapped UNet key {key}")
        out["model.diffusion_model." + new] = value
    return out


def _rename(tail: str, table) -> str:
    """Rename the first dotted component of `tail` using (diffusers, ldm) pairs."""
    for new, old in table:
        if tail == new or tail.startswith(new + "."):
            return old + tail[len(new) :]
    return tail


def _vae_to_ldm(sd: dict, config: dict) -> dict:
    """AutoencoderKL state dict -> `first_stage_model.*` keys (attention projections as 1x1 convs)."""
    n_up = len(config["up_block_types"])
    out = {}
    for key, value in sd.items():
        part, rest = key.split(".", 1) if "." in key else (key, "")
        if part in ("quant_conv", "post_quant_conv"):
            new = key
        elif rest.startswith("conv_norm_out."):
            new = f"{part}.norm_out.{rest.split('.', 1)[1]}"
        elif rest.startswith(("conv_in.", "conv_out.")):
            new = key
        elif rest.startswith("down_blocks."):
            (_, b, kind, idx), tail = _split(rest, 4)
            if kind == "resnets":
                new = f"{part}.down.{b}.block.{idx}.{tail.replace('conv_shortcut', 'nin_shortcut')}"
            else:
                new = f"{part}.down.{b}.downsample.{tail}"
        elif rest.startswith("up_blocks."):
            (_, b, kind, idx), tail = _split(rest, 4)
            ldm_b = n_up - 1 - int(b)
            if kind == "resnets":
                new = f"{part}.up.{ldm_b}.block.{idx}.{tail.replace('conv_shortcut', 'nin_shortcut')}"
            else:
                new = f"{part}.up.{ldm_b}.upsample.{tail}"
        elif rest.startswith("mid_block.resnets."):
            (_, _, idx), tail = _split(rest, 3)
            new = f"{part}.mid.block_{int(idx) + 1}.{tail.replace('conv_shortcut', 'nin_shortcut')}"
        elif rest.startswith("mid_block.attentions.0."):
            tail = rest[len("mid_block.attentions.0.") :]
            new = f"{part}.mid.attn_1.{_rename(tail, _VAE_ATTN)}"
            if value.ndim == 2:
                value = value[:, :, None, None]
        else:
            raise ValueError(f"unmapped VAE key {key}")
        out["first_stage_model." + new] = value
    return out


def _clip_to_ldm(sd: dict) -> dict:
    """CLIPTextModel state dict -> `cond_stage_model.transformer.text_model.*` keys (SD 1.x layout)."""
    prefix = "cond_stage_model.transformer."
    return {(prefix + k if k.startswith("text_model.") else prefix + "text_model." + k): v for k, v in sd.items()}


def to_ldm_checkpoint(pipe) -> dict:
    """One original-layout state dict for the pipeline's UNet, VAE and text encoder (contiguous, unshared)."""
    sd = {}
    sd.update(_unet_to_ldm(pipe.unet.state_dict(), pipe.unet.config))
    sd.update(_vae_to_ldm(pipe.vae.state_dict(), pipe.vae.config))
    sd.update(_clip_to_ldm(pipe.text_encoder.state_dict()))
    return {k: v.detach().clone().contiguous() for k, v in sd.items()}
