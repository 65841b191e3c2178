"""multipart/form-data as the OpenAI SDK uploads files (images.edit), and the image checks the real API makes."""

from __future__ import annotations

import io
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from tests.fakes.http import RecordedRequest


def parse_multipart(req: RecordedRequest) -> dict[str, Any]:
    """{"fields": {name: text}, "files": {name: (filename, content type, bytes)}} of a multipart body."""
    head = f"Content-Type: {req.headers.get('content-type', '')}\r\n\r\n".encode()
    msg = BytesParser(policy=HTTP).parsebytes(head + req.body)
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for part in msg.iter_parts() if msg.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, part.get_content_type(), data)
        else:
            fields[name] = data.decode("utf-8")
    return {"fields": fields, "files": files}


def _size_and_alpha(data: bytes) -> tuple[tuple[int, int], bool] | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.size, im.format == "PNG" and "A" in im.getbands()
    except Exception:
        return None


def edit_problem(files: dict) -> str | None:
    """The 400 message OpenAI gives for a bad edit upload, or None when it is acceptable."""
    if "image" not in files and "image[]" not in files:
        return "Missing required parameter: 'image'."
    image = _size_and_alpha((files.get("image") or files["image[]"])[2])
    if image is None:
        return "Invalid input image - format must be in ['image/jpeg', 'image/png', 'image/webp']."
    if "mask" in files:
        mask = _size_and_alpha(files["mask"][2])
        if mask is None or not mask[1]:
            return "Invalid mask image format - mask must be a PNG with an alpha channel."
        if mask[0] != image[0]:
            return "Invalid mask image - mask size does not match image size."
    return None
