"""`sparklio image --source/--mask/--strength`: an inpaint from the terminal and one-line refusals."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from local_models.tiny_pipeline import build_tiny_pipeline
from router.cli import main
from router.gallery import parse_parameters, read_png_parameters

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("edit")
    Image.new("RGB", (80, 64), (200, 0, 0)).save(root / "src.png")
    mask = Image.new("L", (80, 64), 0)
    mask.paste(255, (0, 0, 40, 64))
    mask.save(root / "mask.png")
    Image.new("L", (10, 10), 0).save(root / "small.png")
    (root / "note.png").write_text("hello")
    return {"model": build_tiny_pipeline(root / "tiny"), "root": root}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_inpaint_from_the_terminal(data_dir, capsys, files, memory_keyring):
    r = files["root"]
    run(capsys, "--data-dir", str(data_dir), "config", "sd-model", str(files["model"]))
    code, out, err = run(
        capsys,
        "--data-dir",
        str(data_dir),
        "image",
        "a red cat",
        "--source",
        str(r / "src.png"),
        "--mask",
        str(r / "mask.png"),
        "--strength",
        "0.6",
        "--steps",
        "4",
        "--seed",
        "1",
    )
    assert code == 0, err
    made = Path(out.split()[0]).read_bytes()
    fields = parse_parameters(read_png_parameters(made))
    assert fields["Mode"] == "inpaint" and fields["Denoising strength"] == "0.6" and fields["Size"] == "80x64"
    with Image.open(io.BytesIO(made)) as im:
        right = np.asarray(im.convert("RGB"))[:, 40:]
    assert (right == (200, 0, 0)).all()  # the unmasked half is the source, untouched


@pytest.mark.parametrize(
    "argv,why",
    [
        (["--source", "note.png"], "The source image note.png is not an image"),
        (["--source", "missing.png"], "does not exist"),
        (["--source", "src.png", "--mask", "small.png"], "The mask is 10x10 but the image is 80x64"),
        (["--mask", "mask.png"], "--mask and --strength need --source"),
        (["--source", "src.png", "--strength", "2"], "--strength must be above 0 and at most 1"),
        (["--source", "src.png", "--steps", "2", "--strength", "0.1"], "leave no step to run"),
    ],
)
def test_bad_edit_flags_are_one_line(data_dir, capsys, files, memory_keyring, argv, why):
    r = files["root"]
    run(capsys, "--data-dir", str(data_dir), "config", "sd-model", str(files["model"]))
    argv = [str(r / a) if a.endswith(".png") else a for a in argv]
    code, out, err = run(capsys, "--data-dir", str(data_dir), "image", "a red cat", *argv)
    assert code == 1 and out == "" and why in err and err.count("\n") == 1, err
