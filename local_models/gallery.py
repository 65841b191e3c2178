"""Step previews from SD latents (torch); the gallery itself lives in router/gallery.py."""

from __future__ import annotations

import io
from typing import Any

# SD 1.x latent -> RGB approximation for cheap step previews.
_LATENT_RGB = ((0.298, 0.207, 0.208), (0.187, 0.286, 0.173), (-0.158, 0.189, 0.264), (-0.184, -0.271, -0.473))


def latent_preview_png(latents: Any) -> bytes | None:
    """A rough RGB preview of the first latent (SD 1.x colour factors), or None for other latent shapes."""
    import torch
    from PIL import Image

    if latents.ndim != 4 or latents.shape[1] != len(_LATENT_RGB):
        return None
    factors = torch.tensor(_LATENT_RGB, dtype=torch.float32)
    rgb = torch.einsum("chw,cr->hwr", latents[0].detach().float().cpu(), factors)
    arr = ((rgb.clamp(-1, 1) + 1) * 127.5).to(torch.uint8).numpy()
    im = Image.fromarray(arr, "RGB").resize((arr.shape[1] * 8, arr.shape[0] * 8), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()
