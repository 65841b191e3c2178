"""Auto task/complexity classifier: API shape, image routing, determinism, edge cases, cross-validated accuracy."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import marshal
from pathlib import Path

import pytest

from router import classify as clf
from router.classify_asks import ask_score, back_story
from router.classify_model import fit_cuts, fit_offset
from router.classify_text import casual, foreign_share, tokens
from router.errors import ConfigError, SparklioError

ROOT = Path(__file__).resolve().parent.parent
EVAL_SET = ROOT / "benchmarks" / "data" / "routing_prompts.jsonl"
CV_SEED = 7
# 5-fold CV (benchmarks/classify_bench.py averages seeds 11/23/37: task 92.4%, complexity 85.6% since issue 11k, 83.6%
# after issue 11j, 82.6% after issue 11i's band second looks, 81.8% after issue 11h; 82.6% after issue 11f, which traded
# 1.7 points here for the blind author's style; the issue's floor is 87.4% / 81.3%; this test's seed 7: 91.7% / 84.1%);
# below these floors fails.
TASK_FLOOR = 0.88
COMPLEXITY_FLOOR = 0.82
EXPECTED_TASKS = (
    "chat_response brief_questions copywriting_standard copywriting_premium strategy_planning template_generation "
    "trend_analysis image_analysis image_generation_quality image_generation_bulk code_generation translation "
    "embeddings query_interpretation sql_generation insights_generation evaluation vision_analysis "
    "workflow_orchestration data_processing report_generation predictive_analytics"
).split()


def _eval_rows() -> list[dict]:
    return [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def _bench():
    """The benchmark module (its cross-validation is what the accuracy test runs)."""
    spec = importlib.util.spec_from_file_location("classify_bench", ROOT / "benchmarks" / "classify_bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_task_types_are_the_22_ids():
    assert list(clf.TASK_TYPES) == EXPECTED_TASKS
    assert len(set(clf.TASK_TYPES)) == 22


def test_classification_shape():
    result = clf.classify("Write a SQL query that counts orders per month from the orders table")
    assert isinstance(result, clf.Classification)
    assert [f.name for f in dataclasses.fields(result)] == [
        "task",
        "complexity",
        "task_confidence",
        "complexity_confidence",
        "complexity_up",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.task = "chat_response"  # type: ignore[misc]
    assert result.task in clf.TASK_TYPES
    assert result.complexity in ("simple", "medium", "complex")
    assert 0.0 <= result.task_confidence <= 1.0
    assert 0.0 <= result.complexity_confidence <= 1.0


@pytest.mark.parametrize(
    "prompt",
    [
        "What do you think of this?",
        "Describe this",
        "thoughts?",
        "can you help with this one?",
        "what is going on here",
        "Is this good enough for our homepage?",
    ],
)
def test_attached_image_routes_vague_prompts_to_image_tasks(prompt):
    result = clf.classify(prompt, has_image=True)
    assert result.task in clf.IMAGE_INPUT_TASKS


def test_image_reading_and_image_judging_are_told_apart():
    assert clf.classify("Read the text in this screenshot", has_image=True).task == "vision_analysis"
    assert clf.classify("Extract the line items and total from this receipt", has_image=True).task == "vision_analysis"
    assert clf.classify("Is this logo on-brand for a bakery?", has_image=True).task == "image_analysis"
    assert clf.classify("What mood does this photo give off?", has_image=True).task == "image_analysis"


def test_unmistakable_prompts():
    cases = {
        "Write a SQL query that returns total revenue per month from the orders table": "sql_generation",
        "Translate 'free shipping on all orders' into German": "translation",
        "Generate 50 product thumbnails on a white background": "image_generation_bulk",
        "Write a Python function that removes duplicate emails from a list": "code_generation",
        "Forecast next quarter's revenue from the last 24 months of sales": "predictive_analytics",
        "Create embeddings for our 500 blog posts so we can build semantic search": "embeddings",
    }
    for prompt, task in cases.items():
        assert clf.classify(prompt).task == task, prompt


def test_complexity_follows_scope():
    simple = clf.classify("What does CTR stand for?")
    complex_ = clf.classify(
        "Develop a 12-month go-to-market strategy for our skincare brand entering Europe: segmentation, "
        "positioning against competitors, channel mix with budget allocation, pricing, launch phases, KPIs per "
        "phase, and risks with mitigations."
    )
    assert simple.complexity == "simple"
    assert complex_.complexity == "complex"


def test_deterministic_and_independent_of_cache(tmp_path):
    prompts = [row["prompt"] for row in _eval_rows()[:25]]
    first = [clf.classify(p) for p in prompts]
    again = [clf.classify(p) for p in prompts]
    fresh = clf.Classifier(clf.TRAINING_PATH, _eval_rows(), clf.LABELLED_WEIGHT)
    retrained = [fresh.classify(p, False) for p in prompts]
    assert first == again, "classify() is not deterministic"
    assert first == retrained, "a freshly trained model disagrees with the cached one"


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t", None])
def test_empty_prompt_is_handled(prompt):
    result = clf.classify(prompt)  # type: ignore[arg-type]
    assert result.task == clf.DEFAULT_TASK
    assert result.complexity == "simple"
    assert clf.classify(prompt, has_image=True).task in clf.IMAGE_INPUT_TASKS  # type: ignore[arg-type]


def test_greetings_fall_back_to_chat():
    for prompt in ("hi!", "thanks!", "ok", "good morning"):
        assert clf.classify(prompt).task == "chat_response", prompt


def test_very_long_prompt_is_classified():
    doc = "Please translate the following text into Spanish. " + "Our shop opens at nine every day. " * 5000
    result = clf.classify(doc)
    assert result.task == "translation"
    assert result.complexity in ("simple", "medium", "complex")


def test_missing_training_file_is_one_clear_config_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        clf.Classifier(tmp_path / "nope.jsonl")
    assert isinstance(info.value, SparklioError)
    assert "\n" not in str(info.value) and "nope.jsonl" in str(info.value)


def test_training_file_without_usable_rows_is_rejected(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "hi", "task": "not_a_task", "complexity": "simple"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="no usable rows"):
        clf.Classifier(bad)
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        clf.Classifier(broken)


def test_small_custom_training_set_is_learned(tmp_path):
    rows = [{"prompt": f"zorblat the {x}", "task": "translation", "complexity": "simple"} for x in "abcdef"]
    rows += [
        {
            "prompt": f"quuxify every {x} in depth across all regions and channels",
            "task": "sql_generation",
            "complexity": "complex",
        }
        for x in "abcdef"
    ]
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    model = clf.Classifier(path)
    assert model.classify("zorblat the g", False).task == "translation"
    assert model.classify("quuxify every h in depth across all regions and channels", False).task == "sql_generation"


def test_hand_written_sets_beside_the_training_file_join_the_model(tmp_path):
    """dev_prompts.jsonl / authored.jsonl next to the training file teach the task model and set the cut points."""
    rows = [{"prompt": f"zorblat the {x}", "task": "translation", "complexity": "simple"} for x in "abcdef"]
    rows += [{"prompt": f"quuxify the {x}", "task": "sql_generation", "complexity": "simple"} for x in "abcdef"]
    path = tmp_path / "training.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    hand = [
        {"prompt": f"glimmerize the {x} report", "task": "embeddings", "complexity": "medium"} for x in "abcdefghijklm"
    ]
    (tmp_path / clf.HAND_FILES[-1]).write_text("\n".join(json.dumps(r) for r in hand), encoding="utf-8")
    model = clf.Classifier(path)
    assert model.cuts is not None  # 13 hand-written rows calibrate the levels
    assert model.classify("glimmerize the z report", False).task == "embeddings"
    assert clf.Classifier(path, hand_rows=[]).classify("glimmerize the z report", False).task != "embeddings"


def test_shipped_hand_written_sets_are_read():
    rows = clf.read_hand()
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows) >= 242 + 100
    assert {r["task"] for r in rows} == set(clf.TASK_TYPES)


def test_training_data_covers_every_cell_and_excludes_the_eval_set():
    rows = [json.loads(line) for line in clf.TRAINING_PATH.read_text(encoding="utf-8").splitlines() if line]
    cells = {(r["task"], r["complexity"]) for r in rows}
    assert cells == {(t, c) for t in clf.TASK_TYPES for c in clf.COMPLEXITY_LEVELS}
    assert any(r["has_image"] for r in rows)
    training_prompts = {r["prompt"].strip().lower() for r in rows}
    leaked = sum(row["prompt"].strip().lower() in training_prompts for row in _eval_rows())
    assert leaked == 0, f"{leaked} evaluation prompts appear in the training data"


def test_shipped_labelled_rows_match_the_user_set():
    shipped = [json.loads(line) for line in clf.LABELLED_PATH.read_text(encoding="utf-8").splitlines() if line]
    assert shipped == _eval_rows()
    assert "benchmarks" not in str(clf.LABELLED_PATH.relative_to(ROOT))


def test_shipped_model_is_calibrated_on_the_labelled_rows():
    model = clf.Classifier(clf.TRAINING_PATH, _eval_rows(), clf.LABELLED_WEIGHT)
    assert model.cuts is not None and model.cuts[0] <= model.cuts[1]
    assert clf.Classifier(clf.TRAINING_PATH).cuts is not None  # the hand-written sets set the cuts on their own
    # synthetic-only: the naive Bayes argmax decides
    assert clf.Classifier(clf.TRAINING_PATH, hand_rows=[]).cuts is None


def test_fit_cuts_separates_ordered_levels():
    scored = [(-5.0, 0), (-4.0, 0), (-3.0, 0), (-1.0, 1), (0.0, 1), (0.5, 1), (2.0, 2), (3.0, 2), (-6.0, 1)]
    low, high = fit_cuts(scored)
    assert -3.0 < low < -1.0 and 0.5 < high < 2.0


def test_cross_validated_accuracy_above_floor():
    """5-fold CV, one seed: each fold is scored by a model trained on synthetic + the other folds only."""
    bench = _bench()
    rows = _eval_rows()
    folds = bench.stratified_folds(rows, 5, CV_SEED)
    assert sorted(i for fold in folds for i in fold) == list(range(len(rows)))
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    res = bench.cross_validate(rows, (CV_SEED,), 5)
    assert res["scored"] == len(rows) == 132
    assert res["task_accuracy"] >= TASK_FLOOR, f"CV task accuracy {res['task_accuracy']:.1%}"
    assert res["complexity_accuracy"] >= COMPLEXITY_FLOOR, f"CV complexity accuracy {res['complexity_accuracy']:.1%}"
    assert bench.cross_validate(rows, (CV_SEED,), 5) == res  # deterministic for a fixed seed


def test_image_prompts_go_to_tasks_that_read_the_picture():
    with_image = [row for row in _eval_rows() if row.get("has_image")]
    assert with_image
    tasks = [clf.classify(row["prompt"], True).task for row in with_image]
    assert not {"image_generation_quality", "image_generation_bulk", "embeddings"} & set(tasks)
    assert sum(t in clf.IMAGE_INPUT_TASKS for t in tasks) >= len(tasks) - 1


@pytest.mark.parametrize(
    "prompt",
    [
        "Write an Instagram caption for this photo of our new candle",
        "Give me three caption ideas for this shot, playful tone",
    ],
)
def test_a_caption_for_an_attached_photo_is_copywriting(prompt):
    """The picture is the caption's subject: copywriting (the planner then asks for a vision model)."""
    assert clf.classify(prompt, has_image=True).task == "copywriting_standard"
    assert clf.classify(prompt, has_image=False).task == "copywriting_standard"


@pytest.mark.parametrize(
    "prompt, task",
    [
        ("hazme un logo para mi panadería, estilo vintage", "image_generation_quality"),
        ("traduis ce message en anglais : merci pour votre commande", "translation"),
        ("Schreib mir ein Python-Skript, das alle PDFs in einem Ordner umbenennt", "code_generation"),
        ("월별 매출 합계를 구하는 SQL 쿼리 짜줘", "sql_generation"),
        ("このレシートの合計金額を読み取って", "vision_analysis"),
        ("帮我把这段话翻译成英文：欢迎光临", "translation"),
        ("इस संदेश का अंग्रेज़ी में अनुवाद करो: आज दुकान बंद रहेगी", "translation"),
        ("मेरी बेकरी के लिए इंस्टाग्राम कैप्शन लिखो", "copywriting_standard"),
    ],
)
def test_other_languages_are_understood(prompt, task):
    has_image = task in clf.IMAGE_INPUT_TASKS
    assert clf.classify(prompt, has_image).task == task


def test_asked_depth_steps_and_pasted_data_raise_the_ask_score_in_any_language():
    plain = ("write a caption for our new iced latte", "escribe un texto para la tienda", "写一句文案")
    assert [ask_score(p) for p in plain] == [0.0, 0.0, 0.0]
    for deep in (
        "analyse it in depth, then give a detailed plan",
        "analiza a fondo y luego propón acciones",
        "深入分析，然后给出全面的建议",
        "전체 흐름을 상세하게 설계해줘 → 승인 → 게시",
    ):
        assert ask_score(deep) >= 2.0, deep
    rows = "sales by month:\nJan,120\nFeb,140\nMar,90\nApr,160\nMay,170\nJun,150\nJul,180"
    assert ask_score("what stands out? " + rows) > ask_score("what stands out?") + 2


STORY = (
    "Long week. Monday the printer broke right before a client's deadline and I had to run to the copy shop. "
    "Tuesday the client changed the brief completely. Wednesday I redid everything from scratch, late into the "
    "night. Thursday they said they liked the first version better after all. Can you cheer me up?"
)


def test_a_long_back_story_before_a_short_ask_is_not_scored_as_more_work():
    assert back_story(STORY)
    asks = "Write a 12-month content plan with a budget, channels, KPIs and a calendar for each quarter. " * 3
    assert not back_story("We are a small bakery. " + asks)  # the ask is most of the prompt
    assert not back_story("We are a small bakery. We sell bread. We open at 7. Can you write a caption?")  # short
    run_on = STORY.replace(". ", ", ")  # the same words as one sentence: no back-story is recognised
    assert not back_story(run_on)
    model = clf._get_model()
    scored = [model._scores(p, False, clf._features(p, False))[3] for p in (STORY, run_on)]
    assert scored[0] < scored[1] - 1.0  # the story discount (2) outweighs what sentence breaks add or take


def test_hindi_words_keep_their_vowel_signs():
    assert tokens("इस संदेश का अनुवाद करो") == ["इस", "संदेश", "का", "अनुवाद", "करो"]


def test_foreign_share_tells_english_from_other_languages():
    assert foreign_share("write a caption for my coffee photo") == 0.0
    for prompt in (
        "necesito una descripción corta para mis aretes",
        "카드뉴스용 이미지 만들어줘",
        "Bitte ein Bild vom Frühstückstisch",
    ):
        assert foreign_share(prompt) >= 0.8, prompt


def test_a_long_asked_deliverable_is_complex_in_any_language():
    for prompt in (
        "Write a 1500-word blog post about sustainable fashion trends for 2027 with SEO headings",
        "schreib einen Blogartikel mit 1.500 Wörtern über Kaffee",
        "写一篇3000字的品牌故事",
    ):
        assert clf.classify(prompt).complexity == "complex", prompt


def test_fit_offset_moves_rows_into_their_band_and_prefers_no_shift():
    cuts = (0.0, 5.0)
    assert fit_offset([(-2.0, 1), (-1.0, 1), (-3.0, 1)], cuts, (-2.0, 0.0, 2.0, 4.0)) == 4.0
    assert fit_offset([(1.0, 1), (2.0, 1)], cuts, (-0.5, 0.0, 0.5)) == 0.0  # every shift fits: none


def test_prompts_in_another_style_get_a_per_task_shift_fitted_on_the_hand_written_sets(tmp_path):
    """Non-English calibration rows of one task that sit below their level shift that task's non-English (and casual)
    prompts up, leave plain English prompts alone, and survive a save and load."""
    rows = [{"prompt": f"Zorblat the {x}", "task": "translation", "complexity": "simple"} for x in "abcdef"]
    rows += [
        {"prompt": f"Quuxify every {x} in depth", "task": "sql_generation", "complexity": "complex"} for x in "abc"
    ]
    path = tmp_path / "training.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    hand = [{"prompt": f"Zorblat the {x}", "task": "translation", "complexity": "simple"} for x in "ghijklmn"]
    hand += [
        {"prompt": f"Quuxify every {x} in depth across all regions", "task": "sql_generation", "complexity": "complex"}
        for x in "ghijklmn"
    ]
    hand += [  # English rows of that length are medium: they set the cut points
        {"prompt": f"Zorblat the {x} menu for our small shop", "task": "translation", "complexity": "medium"}
        for x in "abcdefghijklmnopqrst"
    ]
    korean = ["번역", "부탁해", "문장", "짧게", "메뉴", "안내문", "공지", "가격표", "설명", "제목", "소개", "인사말"]
    hand += [{"prompt": f"{w} 번역 부탁해", "task": "translation", "complexity": "complex"} for w in korean]
    model = clf.Classifier(path, hand_rows=hand)
    assert model.style_offsets["translation"] > 0
    res = model.classify("메뉴판 번역 부탁해", False)
    assert (res.task, res.complexity) == ("translation", "complex")
    assert model.classify("Zorblat the z", False).complexity == "simple"  # plain English prompts are not shifted
    plain, casual = (model._scores(p, False, clf._features(p, False))[3] for p in ("Zorblat the z", "zorblat the z 😍"))
    assert casual - plain == pytest.approx(model.style_offsets["translation"])  # a casual one is
    loaded = clf.Classifier.from_state(marshal.loads(marshal.dumps(model.state())))
    assert loaded.style_offsets == model.style_offsets
    for prompt in ("메뉴판 번역 부탁해", "Zorblat the z", "Quuxify every z in depth across all regions"):
        assert loaded.classify(prompt, False) == model.classify(prompt, False)
    fix = {"prompt": "메뉴판 번역 부탁해", "task": "translation", "complexity": "simple"}
    fixed = clf.Classifier(path, hand_rows=hand, corrections=[fix]).classify(fix["prompt"], False)
    assert (fixed.task, fixed.complexity) == ("translation", "simple")  # a correction still wins


def test_casual_register_is_told_from_the_users_plain_style():
    for prompt in ("caption pls, pic of our sourdough 😍", "gimme 3 cheap ways to promote my yard sale", "ok do it"):
        assert casual(prompt), prompt
    for prompt in ("Write a product description for our new candle.", "Summarise this report in three bullets.", ""):
        assert not casual(prompt), prompt


def test_a_short_sum_is_marked_and_numbers_in_data_or_sizes_are_not():
    for prompt in ("what is 2+2?", "what's 15% of 80?", "was ist 17 mal 3?", "39 곱하기 4는?", "15加27等于多少？"):
        assert "__arith" in clf._features(prompt, False), prompt
    sizes = ("1024x1024 please", "a 5 x 7 flyer for the bake sale", "poster 50×70 cm")
    for prompt in (*sizes, "orders from 2024-03-07", "Q1 120, Q2 135", "what is 2+2? " + "and more " * 6):
        assert "__arith" not in clf._features(prompt, False), prompt


@pytest.mark.parametrize(
    ("prompt", "task"),
    [
        ("what is 2+2?", "chat_response"),
        ("caption pls, pic of our sourdough right out of the oven 😍", "copywriting_standard"),
        ("hello, can you help me write an email to a client?", "copywriting_standard"),
        ("Bitte ein Bild: Frühstückstisch mit Brezn und Weißwurst", "image_generation_quality"),
        ("necesito una descripción corta y bonita para mis aretes de plata", "copywriting_standard"),
    ],
)
def test_the_shipped_model_reads_the_issues_examples_as_the_task_asked_for(prompt, task):
    """Issue 11's examples of prompts the first classifier sent to the wrong task."""
    assert clf.classify(prompt).task == task
