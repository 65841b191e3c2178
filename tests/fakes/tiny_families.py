"""Tiny random Flux and SD 3 pipelines built in the test (no downloads): CLIP tokenizers stand in for T5's."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from local_models.tiny_pipeline import write_tokenizer_files


def _vae(latent_channels: int) -> Any:
    from diffusers import AutoencoderKL

    return AutoencoderKL(
        in_channels=3,
        out_channels=3,
        latent_channels=latent_channels,
        layers_per_block=1,
        norm_num_groups=2,
        sample_size=64,
        block_out_channels=(4, 4, 8, 8),
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        shift_factor=0.0,
        scaling_factor=1.0,
    )


def _clip(tok: Any, vocab: int, projection: bool = False) -> Any:
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    cfg = CLIPTextConfig(
        vocab_size=vocab,
        hidden_size=32,
        intermediate_size=37,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=77,
        projection_dim=32,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )
    return (CLIPTextModelWithProjection if projection else CLIPTextModel)(cfg)


def _t5(vocab: int) -> Any:
    from transformers import T5Config, T5EncoderModel

    return T5EncoderModel(
        T5Config(
            vocab_size=vocab,
            d_model=32,
            d_ff=37,
            d_kv=8,
            num_layers=2,
            num_heads=4,
            relative_attention_num_buckets=8,
            decoder_start_token_id=0,
        )
    )


def _tokenizer(folder: Path) -> tuple[Any, int]:
    from transformers import CLIPTokenizer

    vocab = write_tokenizer_files(folder)
    return CLIPTokenizer.from_pretrained(str(folder), model_max_length=77), vocab


def _save(pipe: Any, path: Path, tokenizers: tuple[str, ...]) -> Path:
    pipe.save_pretrained(str(path), safe_serialization=True)
    for name in tokenizers:
        write_tokenizer_files(path / name)
    return path


def build_tiny_flux(path: Path, *, seed: int = 0) -> Path:
    """A tiny random FluxPipeline folder (CLIP + T5 text encoders; CLIP tokenizers stand in for T5's)."""

    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, FluxPipeline, FluxTransformer2DModel

    path = Path(path)
    with torch.random.fork_rng(devices=[]), tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(seed)
        tok, vocab = _tokenizer(Path(tmp) / "tok")
        transformer = FluxTransformer2DModel(
            patch_size=1,
            in_channels=16,
            num_layers=1,
            num_single_layers=1,
            attention_head_dim=16,
            num_attention_heads=2,
            joint_attention_dim=32,
            pooled_projection_dim=32,
            axes_dims_rope=(4, 4, 8),
        )
        pipe = FluxPipeline(
            scheduler=FlowMatchEulerDiscreteScheduler(),
            vae=_vae(4),
            text_encoder=_clip(tok, vocab),
            tokenizer=tok,
            text_encoder_2=_t5(vocab),
            tokenizer_2=tok,
            transformer=transformer,
        )
        return _save(pipe, path, ("tokenizer", "tokenizer_2"))


def build_tiny_sd3(path: Path, *, seed: int = 0) -> Path:
    """A tiny random StableDiffusion3Pipeline folder (two CLIP encoders + T5)."""

    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, SD3Transformer2DModel, StableDiffusion3Pipeline

    path = Path(path)
    with torch.random.fork_rng(devices=[]), tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(seed)
        tok, vocab = _tokenizer(Path(tmp) / "tok")
        transformer = SD3Transformer2DModel(
            sample_size=8,
            patch_size=1,
            in_channels=4,
            num_layers=1,
            attention_head_dim=8,
            num_attention_heads=4,
            caption_projection_dim=32,
            joint_attention_dim=32,
            pooled_projection_dim=64,
            out_channels=4,
        )
        pipe = StableDiffusion3Pipeline(
            scheduler=FlowMatchEulerDiscreteScheduler(),
            vae=_vae(4),
            text_encoder=_clip(tok, vocab, True),
            tokenizer=tok,
            text_encoder_2=_clip(tok, vocab, True),
            tokenizer_2=tok,
            text_encoder_3=_t5(vocab),
            tokenizer_3=tok,
            transformer=transformer,
        )
        return _save(pipe, path, ("tokenizer", "tokenizer_2", "tokenizer_3"))


def _shift_scale(weight: Any) -> Any:
    """diffusers' (scale, shift) halves back to the original (shift, scale) order."""
    import torch

    scale, shift = weight.chunk(2, dim=0)
    return torch.cat([shift, scale], dim=0)


def sd3_original_layout(sd: dict[str, Any], num_layers: int) -> dict[str, Any]:
    """A diffusers SD3Transformer2DModel state dict in Stability's original MMDiT key layout (no qk-norm, no
    dual attention: what the tiny builder makes); diffusers' single-file converter maps it back."""
    import torch

    out = {
        "pos_embed": sd["pos_embed.pos_embed"],
        "x_embedder.proj.weight": sd["pos_embed.proj.weight"],
        "x_embedder.proj.bias": sd["pos_embed.proj.bias"],
        "context_embedder.weight": sd["context_embedder.weight"],
        "context_embedder.bias": sd["context_embedder.bias"],
        "final_layer.linear.weight": sd["proj_out.weight"],
        "final_layer.linear.bias": sd["proj_out.bias"],
        "final_layer.adaLN_modulation.1.weight": _shift_scale(sd["norm_out.linear.weight"]),
        "final_layer.adaLN_modulation.1.bias": _shift_scale(sd["norm_out.linear.bias"]),
    }
    for ours, theirs in (("timestep_embedder", "t_embedder"), ("text_embedder", "y_embedder")):
        for n, m in (("linear_1", "0"), ("linear_2", "2")):
            for kind in ("weight", "bias"):
                out[f"{theirs}.mlp.{m}.{kind}"] = sd[f"time_text_embed.{ours}.{n}.{kind}"]
    for i in range(num_layers):
        d, o = f"transformer_blocks.{i}.", f"joint_blocks.{i}."
        last = i == num_layers - 1
        for kind in ("weight", "bias"):
            qkv = [sd[f"{d}attn.to_{x}.{kind}"] for x in "qkv"]
            out[f"{o}x_block.attn.qkv.{kind}"] = torch.cat(qkv)
            added = [sd[f"{d}attn.add_{x}_proj.{kind}"] for x in "qkv"]
            out[f"{o}context_block.attn.qkv.{kind}"] = torch.cat(added)
            out[f"{o}x_block.attn.proj.{kind}"] = sd[f"{d}attn.to_out.0.{kind}"]
            out[f"{o}x_block.adaLN_modulation.1.{kind}"] = sd[f"{d}norm1.linear.{kind}"]
            ctx = sd[f"{d}norm1_context.linear.{kind}"]
            out[f"{o}context_block.adaLN_modulation.1.{kind}"] = _shift_scale(ctx) if last else ctx
            out[f"{o}x_block.mlp.fc1.{kind}"] = sd[f"{d}ff.net.0.proj.{kind}"]
            out[f"{o}x_block.mlp.fc2.{kind}"] = sd[f"{d}ff.net.2.{kind}"]
            if not last:  # the last block's context stream ends at its attention (context_pre_only)
                out[f"{o}context_block.attn.proj.{kind}"] = sd[f"{d}attn.to_add_out.{kind}"]
                out[f"{o}context_block.mlp.fc1.{kind}"] = sd[f"{d}ff_context.net.0.proj.{kind}"]
                out[f"{o}context_block.mlp.fc2.{kind}"] = sd[f"{d}ff_context.net.2.{kind}"]
    return {f"model.diffusion_model.{k}": v.contiguous() for k, v in out.items()}


def build_sd3_single_file(path: Path, *, seed: int = 1) -> tuple[Path, dict[str, Any]]:
    """A tiny SD 3 transformer as one original-layout `.safetensors` (transformer only, like many SD 3.5 files)
    beside its Diffusers config folder `NAME.config/` (the other components' weights); its weights are reseeded
    so a pipeline built from the folder alone would differ. Returns the file and the transformer's diffusers state."""
    import torch
    from diffusers import SD3Transformer2DModel
    from safetensors.torch import save_file

    from local_models.tiny_pipeline import config_dir_for

    path = Path(path)
    folder = build_tiny_sd3(config_dir_for(path))
    transformer = SD3Transformer2DModel.from_pretrained(str(folder), subfolder="transformer")
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)
        for p in transformer.parameters():
            p.normal_(0, 0.2)
    state = {k: v.detach().clone() for k, v in transformer.state_dict().items()}
    save_file(sd3_original_layout(state, transformer.config.num_layers), str(path))
    return path, state
