"""Workflow TOML: the built-ins load; bad files fail with one clear line naming the file, step and problem."""

from __future__ import annotations

import tomllib

import pytest

from router.errors import ConfigError
from router.paths import RESOURCES
from router.workflows.model import BUILTIN_DIR, discover, load_workflow, parse_workflow
from router.workflows.templates import TemplateError, as_text, parse, render

TASKS = set(tomllib.loads((RESOURCES / "policy.toml").read_text(encoding="utf-8"))["tasks"])

HEADER = """
name = "demo"
[inputs.topic]
description = "what it is about"
"""


def parse_text(body: str, source: str = "demo.toml"):
    return parse_workflow(HEADER + body, source, TASKS)


def test_policy_has_the_22_task_types():
    assert len(TASKS) == 22
    assert {
        "query_interpretation",
        "sql_generation",
        "insights_generation",
        "report_generation",
        "evaluation",
        "image_generation_bulk",
        "image_analysis",
        "copywriting_standard",
    } <= TASKS


def test_builtins_load_with_inferred_dependencies():
    found, problems = discover(TASKS, [(BUILTIN_DIR, True)])
    assert problems == []
    assert set(found) == {
        "sns_post_set",
        "blog_post",
        "brand_analysis",
        "storyboard",
        "ask_your_data",
        "usage_review",
        "catalogue_copy",
        "alt_text",
    }
    sns = found["sns_post_set"]
    assert sns.step_ids == ["analysis", "captions", "images", "hashtags"]
    assert sns.step("captions").count == 5 and sns.step("captions").depends_on == ("analysis",)
    assert sns.step("images").for_each == "captions" and sns.step("images").is_image
    assert sns.step("images").task == "image_generation_bulk"
    ayd = found["ask_your_data"]
    assert [ayd.step(s).task for s in ("interpretations", "sql", "insights", "report")] == [
        "query_interpretation",
        "sql_generation",
        "insights_generation",
        "report_generation",
    ]
    assert ayd.step("result").action == "run_sql" and ayd.step("result").output == "table"
    assert ayd.dependents("sql") == {"result", "insights", "report"}
    assert found["usage_review"].step("review").task == "evaluation"
    assert found["brand_analysis"].step("vision").images == ("logo",)


def test_order_follows_dependencies_not_file_order():
    wf = parse_text("""
[[steps]]
id = "second"
task = "chat_response"
prompt = "Shorten: {steps.first.output}"
[[steps]]
id = "first"
task = "chat_response"
prompt = "Write about {inputs.topic}"
""")
    assert wf.step_ids == ["first", "second"]


def test_cycle_is_named():
    with pytest.raises(ConfigError) as info:
        parse_text("""
[[steps]]
id = "a"
task = "chat_response"
prompt = "{steps.c.output}"
[[steps]]
id = "b"
task = "chat_response"
prompt = "{steps.a.output}"
[[steps]]
id = "c"
task = "chat_response"
prompt = "{steps.b.output}"
""")
    msg = str(info.value)
    assert msg.startswith("demo.toml (workflow 'demo'): steps form a cycle: ")
    assert "a -> b -> c -> a" in msg or "b -> c -> a -> b" in msg or "c -> a -> b -> c" in msg


def test_missing_input_is_named():
    with pytest.raises(
        TemplateError,
        match=r"demo.toml \(workflow 'demo'\), step 'w', prompt: placeholder "
        r"\{inputs.audience\} names input 'audience', which is not declared "
        r"\(declared: topic\)",
    ):
        parse_text('[[steps]]\nid = "w"\ntask = "chat_response"\nprompt = "For {inputs.audience}"\n')


def test_unknown_task_type_is_named():
    with pytest.raises(ConfigError, match=r"step 'w': unknown task type 'copywrite' \(known: .*chat_response"):
        parse_text('[[steps]]\nid = "w"\ntask = "copywrite"\nprompt = "x {inputs.topic}"\n')


@pytest.mark.parametrize(
    "prompt,expected",
    [
        ("Hello {inputs.topic", "unclosed placeholder starting at '{inputs.topic'"),
        ("Hello {inputs.topic!r}", "placeholder {inputs.topic!r} is not understood"),
        ("Hello {topic}", "placeholder {topic} is not understood"),
        ("Hello {steps.x}", "placeholder {steps.x} is not understood"),
        ("Bad } brace", "stray '}'"),
        ("{steps.nope.output}", "names step 'nope', which does not exist"),
        ("Caption {index}", "only works in a step with count > 1 or for_each"),
        ("{__import__('os')}", "is not understood"),
    ],
)
def test_template_errors_name_step_and_placeholder(prompt, expected):
    with pytest.raises(TemplateError) as info:
        parse_text(f'[[steps]]\nid = "w"\ntask = "chat_response"\nprompt = "{prompt}"\n')
    assert "demo.toml (workflow 'demo'), step 'w', prompt" in str(info.value)
    assert expected in str(info.value)


def test_bad_toml_gives_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "broken"\n[[steps]]\nid = "a"\nprompt = "unterminated\n')
    with pytest.raises(ConfigError, match=r"^broken.toml: not valid TOML: .*line 4"):
        load_workflow(path, TASKS)


@pytest.mark.parametrize(
    "body,expected",
    [
        ('[[steps]]\nid = "a"\nprompt = "x"\n', "give exactly one of task"),
        ('[[steps]]\nid = "a"\ntask = "chat_response"\naction = "pick"\nprompt = "x"\n', "give exactly one of task"),
        ('[[steps]]\nid = "a"\ntask = "chat_response"\nprompt = ""\n', "prompt is empty"),
        ('[[steps]]\nid = "a"\ntask = "chat_response"\npromt = "x"\nprompt = "y"\n', "unknown key 'promt'"),
        ('[[steps]]\nid = "a"\ntask = "chat_response"\ncount = 0\nprompt = "y"\n', "count must be between 1 and 50"),
        ('[[steps]]\nid = "a"\ntask = "chat_response"\ncount = "5"\nprompt = "y"\n', "count must be a whole number"),
        ('[[steps]]\nid = "a"\ntask = "chat_response"\noutput = "image"\nprompt = "y"\n', "needs an image_generation"),
        ('[[steps]]\nid = "a"\ntask = "image_generation_bulk"\noutput = "text"\nprompt = "y"\n', "output must be"),
        (
            '[[steps]]\nid = "a"\ntask = "chat_response"\nprompt = "x"\n[[steps]]\nid = "a"\ntask = "chat_response"\n'
            'prompt = "y"\n',
            "step id 'a' is used more than once",
        ),
        ('[[steps]]\nid = "a b"\ntask = "chat_response"\nprompt = "x"\n', "needs an id made of letters"),
        ('[[steps]]\nid = "a"\naction = "pick"\nprompt = "x"\n', "a pick step needs options"),
        ('[[steps]]\nid = "a"\ntask = "image_analysis"\nimages = ["topic"]\nprompt = "x"\n', "not an image input"),
        (
            '[[steps]]\nid = "a"\ntask = "chat_response"\nfor_each = "zz"\nprompt = "{item}"\n',
            "for_each names step 'zz'",
        ),
        ('[[steps]]\nid = "a"\ntask = "chat_response"\ncomplexity = "hard"\nprompt = "x"\n', "complexity must be"),
        ("", "has no steps"),
    ],
)
def test_other_mistakes(body, expected):
    with pytest.raises(ConfigError) as info:
        parse_text(body)
    assert expected in str(info.value)
    assert str(info.value).startswith("demo.toml")


def test_user_folder_overrides_and_reports_problems(tmp_path):
    (tmp_path / "blog_post.toml").write_text(
        'name = "blog_post"\ntitle = "My blog"\n[[steps]]\nid = "a"\ntask = "chat_response"\nprompt = "hi"\n'
    )
    (tmp_path / "bad.toml").write_text("this is = = not toml")
    found, problems = discover(TASKS, [(BUILTIN_DIR, True), (tmp_path, False)])
    assert found["blog_post"].title == "My blog" and not found["blog_post"].builtin
    assert len(problems) == 1 and problems[0].startswith("bad.toml: not valid TOML")


def test_render_and_escapes():
    values = {"inputs.topic": "bread", "steps.a.output": "A"}
    out = render("{{literal}} {inputs.topic} and {steps.a.output}", lambda f: values[f.text])
    assert out == "{literal} bread and A"
    assert [type(p).__name__ for p in parse("a {item} b")] == ["str", "Field", "str"]


def test_as_text_shapes():
    assert as_text(["x", "y"]) == "1. x\n2. y"
    assert as_text({"columns": ["a"], "rows": [[1], [2]], "truncated": False}) == "a\n1\n2"
    assert as_text([{"path": "/tmp/i.png"}]) == "[image /tmp/i.png]"
