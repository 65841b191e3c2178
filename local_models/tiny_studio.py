"""Tiny random studio parts for tests and `benchmarks/studio_bench.py` (built offline): a LoRA for the tiny SD
pipeline and an ESRGAN upscaler file. Tiny Flux / SD 3 pipelines live with the tests (tests/fakes/tiny_families.py)."""

from __future__ import annotations

from pathlib import Path

from local_models.tiny_pipeline import make_tiny_pipeline

LORA_TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]


def build_tiny_lora(path: Path, *, seed: int = 1, rank: int = 2, metadata: dict[str, str] | None = None) -> Path:
    """A random UNet LoRA (kohya-style metadata in the header) that fits make_tiny_pipeline()'s UNet."""
    import torch
    from diffusers import StableDiffusionPipeline
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict
    from safetensors.torch import load_file, save_file

    path = Path(path)
    pipe = make_tiny_pipeline()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        pipe.unet.add_adapter(
            LoraConfig(r=rank, lora_alpha=rank, target_modules=LORA_TARGETS, init_lora_weights="gaussian")
        )
        for name, t in pipe.unet.named_parameters():
            if "lora_B" in name:  # gaussian init leaves B at zero (a no-op LoRA): make it bite
                t.data.normal_(0, 0.5)
    layers = get_peft_model_state_dict(pipe.unet)
    path.parent.mkdir(parents=True, exist_ok=True)
    StableDiffusionPipeline.save_lora_weights(str(path.parent), unet_lora_layers=layers, weight_name=path.name)
    tensors = load_file(str(path))
    save_file(tensors, str(path), metadata={"format": "pt", **(metadata or {})})
    return path


def build_tiny_esrgan(path: Path, *, scale: int = 2, seed: int = 0) -> Path:
    """A small random ESRGAN (spandrel's RRDBNet) state dict as .safetensors or .pth."""
    import torch
    from spandrel.architectures.ESRGAN import ESRGAN

    path = Path(path)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = ESRGAN(in_nc=3, out_nc=3, num_filters=8, num_blocks=1, scale=scale)
    state = {k: v.contiguous() for k, v in net.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".safetensors":
        from safetensors.torch import save_file

        save_file(state, str(path))
    else:
        torch.save(state, str(path))
    return path
