"""Issue 16's small GUI fixes: truthful key source, cache counts that agree, tables that fit, the empty chat."""

from __future__ import annotations

from router.providers.info import PROVIDERS
from ui.pages.settings import cache_summary_text
from ui.widgets.table import Column, RecordTable


def test_key_from_the_environment_is_not_called_saved(qtbot, qloop, window, facade):
    var = PROVIDERS["anthropic"].key_env[0]
    facade.secrets.env = {var: "sk-ant-from-env-1234567890"}
    settings = window.show_page("settings")
    qloop.until(lambda: settings.keys.rows["anthropic"].status.text(), what="the keys card")
    settings.reload(facade)
    row = settings.keys.rows["anthropic"]
    assert "environment" in row.edit.placeholderText() and "saved" not in row.edit.placeholderText()
    assert "from an environment variable" in row.status.text()
    assert "keyring" in settings.keys.rows["openai"].edit.placeholderText()  # openai's key is in the keyring


def test_cache_counts_do_not_clash():
    text = cache_summary_text({"entries": 0, "expired": 3, "hits_served": 77, "saved_usd": 1.25})
    assert text.startswith("In the cache now: 0 answers (3 expired).") and "Since you started: 77 answers" in text


def test_record_table_fits_and_keeps_the_key_column(qtbot):
    cols = [Column("key", "Model")] + [Column(f"c{i}", f"Column {i}", lambda v: f"{v:,}", True) for i in range(9)]
    table = RecordTable(cols)
    qtbot.addWidget(table)
    table.resize(700, 300)
    table.show()
    recs = [{"key": "text-embedding-3-small", **{f"c{i}": 1234567 * (i + 1) for i in range(9)}} for _ in range(3)]
    table.set_records(recs)
    hh = table.horizontalHeader()
    assert hh.sectionSize(0) >= table.fontMetrics().horizontalAdvance("text-embedding-3-small")
    assert sum(hh.sectionSize(c) for c in range(hh.count())) < 1400  # narrowed from the content widths
    hh.resizeSection(3, 200)  # the user can still widen a column
    assert hh.sectionSize(3) == 200
