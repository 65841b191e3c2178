"""The saved Auto classifier (load, rebuild when stale, ignore when corrupt) and the correction loop end to end."""

from __future__ import annotations

import json

import pytest

from router import classify as clf
from router import classify_store as store
from router.cli import main
from router.corrections import AutoClassifier
from router.errors import SparklioError

TINY = [{"prompt": f"zorblat the {x}", "task": "translation", "complexity": "simple"} for x in "abcdef"] + [
    {"prompt": f"quuxify every {x} in depth across all regions", "task": "sql_generation", "complexity": "complex"}
    for x in "abcdef"
]


@pytest.fixture
def tiny_training(tmp_path, monkeypatch):
    """A small training file in place of the shipped one (fast to train), no labelled rows."""
    path = tmp_path / "training.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in TINY), encoding="utf-8")
    monkeypatch.setattr(clf, "TRAINING_PATH", path)
    monkeypatch.setattr(clf, "LABELLED_PATH", tmp_path / "no-labelled.jsonl")
    return path


@pytest.fixture
def env_keys(monkeypatch, data_dir):
    """The CLI's data folder and an OpenAI key from the environment (route makes no call)."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-openai")
    monkeypatch.setenv("SPARKLIO_HOME", str(data_dir))
    return data_dir


def _saved(folder):
    return sorted(folder.glob("classifier-*.bin"))


def test_model_is_saved_then_loaded_not_retrained(tiny_training, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    first = store.load_or_train(folder, [])
    [path] = _saved(folder)
    assert path.name.startswith("classifier-") and store.load(path) is not None

    def no_training(*_a, **_k):
        raise AssertionError("trained although a saved model matches the data")

    monkeypatch.setattr(clf.Classifier, "__init__", no_training)
    again = store.load_or_train(folder, [])
    assert _saved(folder) == [path]
    for prompt in ("zorblat the q", "quuxify every z in depth across all regions", "hello there"):
        assert again.classify(prompt, False) == first.classify(prompt, False)


def test_changed_training_data_rebuilds_and_drops_the_stale_model(tiny_training, tmp_path):
    folder = tmp_path / "cache"
    store.load_or_train(folder, [])
    [old] = _saved(folder)
    with tiny_training.open("a", encoding="utf-8") as fh:
        for x in "abcdef":
            fh.write(
                json.dumps({"prompt": f"flimflam the {x} quickly", "task": "embeddings", "complexity": "medium"}) + "\n"
            )
    model = store.load_or_train(folder, [])
    [new] = _saved(folder)
    assert new != old and not old.exists()
    assert model.classify("flimflam the g quickly", False).task == "embeddings"


def test_changed_written_prompts_rebuild_the_model_and_teach_it(tiny_training, tmp_path):
    folder = tmp_path / "cache"
    store.load_or_train(folder, [])
    [old] = _saved(folder)
    written = tiny_training.with_name(clf.WRITTEN_PATH.name)
    written.write_text(
        "# hand-written\n## embeddings medium\n"
        + "".join(f"glorp the {x} gently\n" for x in "abcdef")
        + "## vision_analysis simple\n[attached] blip this photo\n",
        encoding="utf-8",
    )
    rows = clf.read_written(written)
    assert len(rows) == 7 and rows[-1] == {
        "prompt": "blip this photo",
        "task": "vision_analysis",
        "complexity": "simple",
        "has_image": True,
    }
    model = store.load_or_train(folder, [])
    [new] = _saved(folder)
    assert new != old and not old.exists()
    assert model.classify("glorp the g gently", False).task == "embeddings"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty"])
def test_corrupt_saved_model_is_ignored_and_rebuilt(tiny_training, tmp_path, damage):
    folder = tmp_path / "cache"
    good = store.load_or_train(folder, [])
    [path] = _saved(folder)
    blob = path.read_bytes()
    broken = {
        "garbage": b"not a model at all",
        "truncated": blob[: len(blob) // 2],
        "empty": b"",
        "flipped": blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:],
    }[damage]
    path.write_bytes(broken)
    assert store.load(path) is None
    model = store.load_or_train(folder, [])
    assert model.classify("zorblat the q", False) == good.classify("zorblat the q", False)
    assert store.load(path) is not None, "the rebuilt model was not saved over the corrupt one"


def test_unwritable_cache_folder_still_classifies(tiny_training, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be")
    model = store.load_or_train(blocker, [])
    assert model.classify("zorblat the q", False).task == "translation"


def test_cli_correction_is_learned_end_to_end(env_keys, capsys, memory_keyring, fake_openai, monkeypatch):
    """ask (Auto routes it) -> `rate ID N --task T`: stored, learned, and the prompt is routed right afterwards."""
    import re

    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    prompt = "zorblat flimflam quux for the spring drop"
    assert main(["ask", prompt]) == 0
    err = capsys.readouterr().err
    mid = int(re.search(r"message (\d+)", err).group(1))
    assert main(["route", prompt, "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert before["task"] != "translation" and before["task_confidence"] < 1.0
    assert main(["rate", str(mid), "4", "--task", "translation", "--complexity", "medium"]) == 0
    out = capsys.readouterr().out
    assert f"it had said {before['task']}" in out and "Auto will learn: task translation, complexity medium" in out
    assert main(["route", prompt, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["task"], plan["complexity"]) == ("translation", "medium")
    assert plan["task_confidence"] == 1.0 and plan["auto_task"] is True
    assert main(["stats", "--json"]) == 0
    auto = json.loads(capsys.readouterr().out)["auto_corrections"]
    assert auto["answer_corrections"] == 1 and auto["auto_answers"] == 1 and auto["corrected_rate"] == 1.0
    assert main(["stats"]) == 0
    assert "Auto: 1 of 1 auto-routed answers corrected (100%)" in capsys.readouterr().out


def test_cli_correction_rejects_unknown_labels_in_one_line(env_keys, capsys, memory_keyring):
    assert main(["rate", "1", "4", "--task", "poetry"]) == 1
    err = capsys.readouterr().err
    assert "unknown task 'poetry'" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["rate", "1", "4", "--complexity", "medium"]) == 1
    assert "give the right task too" in capsys.readouterr().err


def test_corrections_are_capped_newest_first(data_dir, tiny_training):
    from router.store import open_store

    st = open_store(data_dir)
    try:
        auto = AutoClassifier(data_dir, cap=3)
        for i in range(5):
            auto.record(f"blorp number {i}", False, "embeddings", "medium", source="cli")
        auto.record("blorp number 4", False, "translation", "simple", source="cli")  # newest wins for a prompt
        rows = auto.training_rows()
        assert [r["prompt"] for r in rows] == ["blorp number 2", "blorp number 3", "blorp number 4"]
        assert rows[-1]["task"] == "translation"
        model = auto.model()
        assert len(model.memory) == 3
        assert auto.classify("Blorp  number 4", False).task == "translation"  # case and spacing ignored
        assert auto.classify("blorp number 0", False).task_confidence < 1.0  # beyond the cap: not remembered
        summary = auto.summary()
        assert summary["corrections"] == 6 and summary["auto_answers"] == 0 and summary["corrected_rate"] is None
    finally:
        st.close()


def test_a_composer_choice_auto_would_have_missed_is_a_correction(data_dir, tiny_training):
    from router.store import open_store

    st = open_store(data_dir)
    try:
        auto = AutoClassifier(data_dir)
        auto.note_choice("zorblat the q", False, "translation", None)  # Auto agrees: nothing to learn
        assert auto.training_rows() == []
        auto.note_choice("zorblat the q", False, "copywriting_standard", None)
        auto.wait(60)
        assert [r["task"] for r in auto.training_rows()] == ["copywriting_standard"]
        assert auto.classify("zorblat the q", False).task == "copywriting_standard"
        with pytest.raises(SparklioError, match="unknown task"):
            auto.record("x", False, "nope", source="composer")
    finally:
        st.close()


def test_route_text_and_json_show_confidence(env_keys, capsys, memory_keyring):
    assert main(["route", "Translate 'see you soon' into German", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["task"] == "translation" and 0.5 < plan["task_confidence"] <= 1.0
    assert 0.0 < plan["complexity_confidence"] <= 1.0
    assert main(["route", "Translate 'see you soon' into German"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "(auto, " in first and "% sure)" in first
    assert main(["route", "hello", "--task", "chat_response", "--complexity", "simple", "--json"]) == 0
    chosen = json.loads(capsys.readouterr().out)
    assert chosen["task_confidence"] is None and chosen["auto_task"] is False
