"""Replaced versions in words (the History view's list and details), for every kind of row."""

from desktop_app.core.replaced import ReplacedVersion, details, kind, what_it_was, why


def version(table, row, reason="replaced by sync", quotes=None, title="A title"):
    return ReplacedVersion(
        table, "k", "a1", title, "ana", row, reason, "2026-01-02T03:04:05.000+00:00", quotes or {}
    )


def test_each_kind_of_row_is_said_in_words():
    relation = version(
        "relations",
        {"type": "knows", "from_span": "s1", "to_span": "s2", "note": "", "deleted": False},
        quotes={"s1": "Nino"},
    )
    assert kind(relation) == "Relation"
    assert what_it_was(relation) == "knows: «Nino» → (a span no longer here)"
    label = version("labels", {"name": "Person", "kind": "span", "color": "#111111", "key": "p"})
    assert what_it_was(label) == "Person (span label, colour #111111, key p)"
    gone = version("labels", {"name": "Group", "deleted": True})
    assert what_it_was(gone) == "deleted: Group"
    decision = version(
        "decisions", {"decision": "rejected", "kind": "span", "item_key": "item-1"}, "refused"
    )
    assert what_it_was(decision) == "rejected (span item item-1)" and why(decision) == "Refused"
    tag = version("tags", {"label": "Energy", "note": "  two\nlines ", "deleted": True})
    assert what_it_was(tag) == "deleted: Energy (document tag), note “two lines”"
    setting = version("schema_settings", {"key": "schema_name", "value": "team"})
    assert what_it_was(setting) == "schema_name = “team”"


def test_details_keep_the_whole_row_but_only_the_start_of_an_article_text():
    text = "word " * 500
    entry = version("articles", {"uid": "a1", "title": "T", "text": text, "deleted": False})
    said = details(entry, when="2026-01-02 04:04:05 CET")
    assert "Replaced: 2026-01-02 04:04:05 CET by a sync" in said
    assert "(2,500 characters)" in said and text not in said
    assert "Article: “A title” (a1)" in said and "  deleted: False" in said
    merged = version("spans", {"uuid": "u", "label": "Person", "note": ""}, "lost a merge conflict")
    assert "by a merge" in details(merged) and "A merged file's version" in details(merged)
    assert what_it_was(merged) == "Person (a span no longer here)"
