"""Stable Diffusion on this machine: seconds per image, it/s and peak VRAM per offload mode, the out-of-memory
retry, and VRAM arbitration with Ollama. Writes one JSON of figures.

Usage:
  python benchmarks/sd_bench.py --full [--out FILE] [--vram-cap-gib 12]   an NVIDIA GPU (run by gpu_check.sh)
  python benchmarks/sd_bench.py --dry-run [--out FILE]                     any machine, CPU only (CI runs this)

--full builds a full-size random SD 1.5-shaped pipeline (UNet 320/640/1280/1280, VAE 128-512, 12-layer CLIP text
encoder; random weights, so the images are noise but every matrix has its real shape), saves it in fp16 and loads
it through the app's SdPipelineHost, then times 512x512 x 25 steps in each placement mode. The card is capped to
--vram-cap-gib (default 12, the RTX 4070 SUPER of the design) so the out-of-memory test and the arbitration see a
12 GB card on any larger GPU. --dry-run runs the same code on the tiny pipeline on the CPU (64x64, 2 steps), with
the out-of-memory error injected at the first step and the arbitration against the fake Ollama server.

Both kinds then time the image studio's paths in the engine's own placement (`studio` in the JSON): image to
image and inpaint (strength 0.75, so 3/4 of the steps denoise; the inpaint mask is the middle quarter) from a
synthetic source, and text to image with a random rank-8 LoRA on every attention projection (diffusers' adapter
API) — at 512² and 1024² on --full, 64² and 128² on --dry-run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local_models.diffusion import GenerationParams, SdPipelineHost, route_library_logs  # noqa: E402

MIB = 1024 * 1024
FULL = {
    "size": 512,
    "steps": 25,
    "oom_size": 1024,
    "oom_batch": 8,
    "oom_steps": 4,
    "studio_sizes": (512, 1024),
    "studio_repeats": 3,
}
DRY = {
    "size": 64,
    "steps": 2,
    "oom_size": 64,
    "oom_batch": 2,
    "oom_steps": 2,
    "studio_sizes": (64, 128),
    "studio_repeats": 1,
}
EDIT_STRENGTH = 0.75
LORA_RANK = 8


class CappedCard:
    """A VramSource for a card of `cap_mib`: what this process and others took since the start counts as used."""

    def __init__(self, cap_mib: int) -> None:
        from local_models.gpu import GpuMonitor

        self.cap_mib = cap_mib
        self.monitor = GpuMonitor()
        snap = self.monitor.snapshot()
        self.baseline = snap.used_mib if snap else 0

    def free_mib(self) -> int | None:
        snap = self.monitor.snapshot()
        return None if snap is None else max(self.cap_mib - (snap.used_mib - self.baseline), 0)


def sd15_components(tok_dir: Path, device: str | None = None) -> dict[str, Any]:
    """Random full-size SD 1.5-shaped UNet, VAE and CLIP text encoder (built on the GPU when there is one)."""
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    from local_models.tiny_pipeline import write_tokenizer_files

    vocab = write_tokenizer_files(tok_dir)
    tokenizer = CLIPTokenizer.from_pretrained(str(tok_dir), model_max_length=77)
    with torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu")):
        unet = UNet2DConditionModel(
            sample_size=64,
            in_channels=4,
            out_channels=4,
            layers_per_block=2,
            block_out_channels=(320, 640, 1280, 1280),
            cross_attention_dim=768,
            attention_head_dim=8,
            down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
            up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
        )
        vae = AutoencoderKL(
            in_channels=3,
            out_channels=3,
            latent_channels=4,
            layers_per_block=2,
            sample_size=512,
            block_out_channels=(128, 256, 512, 512),
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
        )
        text = CLIPTextModel(
            CLIPTextConfig(
                vocab_size=max(vocab, 49408),
                hidden_size=768,
                intermediate_size=3072,
                num_hidden_layers=12,
                num_attention_heads=12,
                max_position_embeddings=77,
                projection_dim=768,
                hidden_act="quick_gelu",
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
    return {
        "unet": unet.half(),
        "vae": vae.half(),
        "text_encoder": text.half(),
        "tokenizer": tokenizer,
        "scheduler": scheduler,
    }


def build_model(work: Path, full: bool) -> Path:
    """Write the pipeline to `work` and return the folder the engine loads."""
    if not full:
        from local_models.tiny_pipeline import build_tiny_pipeline

        return build_tiny_pipeline(work / "tiny")
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline(
        **sd15_components(work / "tok"),
        safety_checker=None,
        feature_extractor=None,
        image_encoder=None,
        requires_safety_checker=False,
    )
    folder = work / "sd15-random"
    pipe.save_pretrained(str(folder), safe_serialization=True)
    shutil.copytree(work / "tok", folder / "tokenizer", dirs_exist_ok=True)
    return folder


def _cuda() -> Any:
    import torch

    return torch.cuda if torch.cuda.is_available() else None


def timed_run(engine: SdPipelineHost, size: int, steps: int, batch: int = 1, on_step=None, **extra: Any) -> dict:
    """One generation (`extra`: source/mask/strength/loras of GenerationParams): seconds per image, it/s of the
    steps that denoise, placement and peak VRAM."""
    cuda = _cuda()
    if cuda is not None:
        cuda.synchronize()
        cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    images = engine.generate(
        GenerationParams(
            "a photo of a red cat", width=size, height=size, steps=steps, batch=batch, seed=1, scheduler="ddim", **extra
        ),
        on_step=on_step,
    )
    if cuda is not None:
        cuda.synchronize()
    seconds = time.perf_counter() - t0
    choice = engine.last_choice
    denoised = max(1, int(steps * extra["strength"])) if "source" in extra else steps
    return {
        "mode": choice.mode if choice else engine.mode,
        "vae_tiling": bool(choice and choice.vae_tiling),
        "why": choice.why if choice else "",
        "size": f"{size}x{size}",
        "steps": steps,
        "batch": batch,
        "s_per_image": round(seconds / len(images), 3),
        "it_per_s": round(denoised / seconds, 3),
        "peak_vram_mib": round(cuda.max_memory_allocated() / MIB) if cuda is not None else None,
    }


def modes_run(engine: SdPipelineHost, cfg: dict) -> list[dict]:
    """Each placement mode, pinned, after a 2-step warm-up (sequential last: leaving it means a reload)."""
    modes = ["gpu_fp16", "model_offload", "sequential_offload"] if engine.device != "cpu" else ["cpu"]
    out = []
    for mode in modes:
        engine.pinned_mode = None if mode == "cpu" else mode
        timed_run(engine, cfg["size"], 2)
        out.append(timed_run(engine, cfg["size"], cfg["steps"]))
        print(
            f"  {out[-1]['mode']:20} {out[-1]['s_per_image']:8.2f} s/image {out[-1]['it_per_s']:7.2f} it/s "
            f"peak {out[-1]['peak_vram_mib']} MiB",
            file=sys.stderr,
        )
    engine.pinned_mode = None
    return out


def random_lora(unet: Any, path: Path, rank: int = LORA_RANK, seed: int = 1) -> Path:
    """A random LoRA for `unet` in diffusers' key layout on every attention projection (real shapes, noise)."""
    import torch
    from safetensors.torch import save_file

    gen = torch.Generator().manual_seed(seed)
    tensors = {}
    for name, mod in unet.named_modules():
        if isinstance(mod, torch.nn.Linear) and name.endswith(("to_q", "to_k", "to_v", "to_out.0")):
            a = torch.randn(rank, mod.in_features, generator=gen) * 0.01
            tensors[f"unet.{name}.lora_A.weight"] = a.half()
            tensors[f"unet.{name}.lora_B.weight"] = (torch.randn(mod.out_features, rank, generator=gen) * 0.01).half()
    save_file(tensors, str(path), metadata={"format": "pt"})
    return path


def studio_images(size: int) -> tuple[bytes, bytes]:
    """A synthetic source PNG (a colour gradient) and an inpaint mask PNG (white = repaint: the middle quarter)."""
    import io

    from PIL import Image, ImageDraw

    src = Image.linear_gradient("L").resize((size, size)).convert("RGB")
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rectangle((size // 4, size // 4, 3 * size // 4, 3 * size // 4), fill=255)
    out = []
    for im in (src, mask):
        buf = io.BytesIO()
        im.save(buf, format="PNG")
        out.append(buf.getvalue())
    return out[0], out[1]


def studio_run(engine: SdPipelineHost, cfg: dict, work: Path) -> list[dict]:
    """img2img, inpaint and a LoRA'd txt2img at each studio size, in the engine's own placement, after a warm-up
    (which builds the `from_pipe` twins and loads the adapter); the median run of `studio_repeats`."""
    lora = random_lora(engine._pipe.unet, work / "bench-lora.safetensors")
    out = []
    for size in cfg["studio_sizes"]:
        src, mask = studio_images(size)
        tasks = (
            ("img2img", {"source": src, "strength": EDIT_STRENGTH}),
            ("inpaint", {"source": src, "mask": mask, "strength": EDIT_STRENGTH}),
            ("lora", {"loras": ((str(lora), 0.8),)}),
        )
        for task, extra in tasks:
            timed_run(engine, size, 2, **extra)
            runs = [timed_run(engine, size, cfg["steps"], **extra) for _ in range(cfg["studio_repeats"])]
            out.append({"task": task, **sorted(runs, key=lambda r: r["s_per_image"])[len(runs) // 2]})  # median
            if task == "lora":  # the adapter really ran (diffusers skips keys it cannot place, with a warning)
                out[-1]["adapters"] = list(engine._pipe.get_active_adapters())
            print(
                f"  {task:8} {size}x{size} {out[-1]['mode']:18} {out[-1]['s_per_image']:8.2f} s/image "
                f"{out[-1]['it_per_s']:7.2f} it/s peak {out[-1]['peak_vram_mib']} MiB",
                file=sys.stderr,
            )
    return out


def oom_run(engine: SdPipelineHost, cfg: dict, full: bool) -> dict:
    """A batch too large for the card in gpu_fp16; the engine retries once in a leaner mode (dry run: injected)."""
    import torch

    from router.errors import SparklioError

    engine.pinned_mode = "gpu_fp16" if full else None
    hits: list[int] = []

    def inject(step: int, _total: int, _png: Any) -> None:
        hits.append(step)
        if not full and len(hits) == 1:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (injected by --dry-run)")

    try:
        run = timed_run(engine, cfg["oom_size"], cfg["oom_steps"], cfg["oom_batch"], on_step=inject)
        result = {"first_attempt": "out of memory" if "retrying" in run["why"] else "fitted", "retry": run}
    except SparklioError as exc:
        result = {"first_attempt": "out of memory", "retry": None, "error": str(exc)}
    engine.pinned_mode = None
    return result


async def arbitration_run(engine: SdPipelineHost, full: bool, cap: Any) -> dict:
    """Ollama holds a model, SD needs the room: the arbiter unloads it (real Ollama on --full, else the fake)."""
    from local_models.gpu import FakeVramSource
    from local_models.ollama import OllamaManager
    from local_models.sd_provider import LocalDiffusionProvider
    from local_models.vram_arbiter import VramArbiter

    fake = None
    if full:
        mgr = OllamaManager()
        if not (await mgr.status()).running:
            await mgr.aclose()
            return {"skipped": "Ollama is not installed or not running"}
        host = mgr.host
    else:
        from tests.fakes.ollama_server import FakeOllama

        fake = FakeOllama().start()
        host, mgr = fake.url, OllamaManager(fake.url)
    try:
        chat = [m for m in await mgr.list_models() if "completion" in m.capabilities]
        if not chat:
            return {"skipped": "no chat model installed in Ollama"}
        model = min(chat, key=lambda m: m.size_bytes)
        t0 = time.perf_counter()
        await mgr.load(model.name, keep_alive="10m")
        load_s = time.perf_counter() - t0
        held = {r.name: r.size_vram // MIB for r in await mgr.running()}
        source = cap if full else FakeVramSource(free=500)
        free = source.free_mib() or 0
        notices: list[str] = []
        arbiter = VramArbiter(lambda: host, gpu=source, notify=notices.append)
        arbiter.sd = sd = LocalDiffusionProvider(base_url=engine.path, engine=engine)
        t0 = time.perf_counter()  # SD asks for more than is free, less than the model would give back
        await arbiter.before_sd(free + sd.vram_held_mib() + max(held.get(model.name, 0) // 2, 1))
        unload_s = time.perf_counter() - t0
        after = {r.name for r in await mgr.running()}
        return {
            "ollama": host if full else "fake server",
            "model": model.name,
            "model_vram_mib": held.get(model.name),
            "free_before_mib": free,
            "load_s": round(load_s, 2),
            "arbitrate_s": round(unload_s, 3),
            "unloaded": model.name not in after,
            "notices": notices,
        }
    finally:
        await mgr.aclose()
        if fake is not None:
            fake.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--full", action="store_true", help="full-size SD 1.5-shaped pipeline on an NVIDIA GPU")
    which.add_argument("--dry-run", action="store_true", help="tiny pipeline on the CPU (CI)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "sd_bench.json"))
    ap.add_argument("--vram-cap-gib", type=float, default=12.0, help="emulated card size for --full")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # library noise stays out of the figures' terminal
        handler.addFilter(lambda r: r.name.split(".", 1)[0] in ("local_models", "router", "__main__"))
    route_library_logs()
    import torch

    if args.full and not torch.cuda.is_available():
        print("sd_bench: --full needs an NVIDIA GPU with a CUDA build of torch (try --dry-run)", file=sys.stderr)
        return 2
    cfg = FULL if args.full else DRY
    started = time.perf_counter()
    report: dict[str, Any] = {
        "kind": "full" if args.full else "dry-run",
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "device": "cpu",
    }
    cap = None
    if args.full:
        report["device"] = torch.cuda.get_device_name(0)
        total = torch.cuda.get_device_properties(0).total_memory
        cap_bytes = min(int(args.vram_cap_gib * 1024**3), total)
        torch.cuda.set_per_process_memory_fraction(cap_bytes / total)
        report["vram_cap_mib"] = cap_bytes // MIB
        cap = CappedCard(cap_bytes // MIB)
    else:
        torch.set_num_threads(max(1, min(4, torch.get_num_threads())))
    with tempfile.TemporaryDirectory(prefix="sd-bench-") as tmp:
        t0 = time.perf_counter()
        folder = build_model(Path(tmp), args.full)
        report["build_s"] = round(time.perf_counter() - t0, 1)
        engine = SdPipelineHost(vram=cap)
        t0 = time.perf_counter()
        engine.load(folder)
        report["load_s"] = round(time.perf_counter() - t0, 1)
        report["weights_mib"] = engine.weights_mib()
        print(f"sd_bench {report['kind']}: {report['device']}, weights {report['weights_mib']} MiB", file=sys.stderr)
        report["runs"] = modes_run(engine, cfg)
        report["studio"] = studio_run(engine, cfg, Path(tmp))
        report["oom"] = oom_run(engine, cfg, args.full)
        report["arbitration"] = asyncio.run(arbitration_run(engine, args.full, cap))
        engine.unload()
    report["total_s"] = round(time.perf_counter() - started, 1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"sd_bench: wrote {out} ({report['total_s']} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
