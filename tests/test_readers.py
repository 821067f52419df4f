"""Tests for the plain import readers: discovery, .txt, JSONL and CSV, on files the tests write."""

import json
import random
from pathlib import Path

import pytest

from desktop_app.core.importers.readers import FieldMapping, discover, read_file
from desktop_app.core.model import ArticleDraft, ImportProblem, SpanDraft, TagDraft

FEED_ID = "042_0123456789abcdef"
HEADLINE = "Harbour bridge reopens after repairs"
BODY = "PORTVILLE, Examplia, March 3. The harbour bridge reopened on Monday.\n\nTraffic resumed."
INTERNATIONAL = "Tbilisi 🇬🇪 საქართველო, 東京 🇯🇵, القاهرة, Cafe\u0301, 👩\u200d🔬 and 👍🏽."


def write(path: Path, content: str | bytes) -> Path:
    """Write a test file, creating its folders; str is written as UTF-8 with no newline change."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def read_all(path: Path, fmt: str = "auto", mapping: FieldMapping | None = None) -> list:
    return list(read_file(path, fmt, mapping))


def read_one(path: Path, fmt: str = "auto", mapping: FieldMapping | None = None) -> ArticleDraft:
    items = read_all(path, fmt, mapping)
    assert len(items) == 1
    assert isinstance(items[0], ArticleDraft), items[0]
    return items[0]


def problems_of(items: list) -> list[ImportProblem]:
    return [item for item in items if isinstance(item, ImportProblem)]


def drafts_of(items: list) -> list[ArticleDraft]:
    return [item for item in items if isinstance(item, ArticleDraft)]


# --- plain text ---------------------------------------------------------------------------


def test_txt_feed_header_sets_published_and_is_removed(tmp_path):
    path = write(tmp_path / "feed" / f"{FEED_ID}.txt", f" date 2023-11-07 {BODY}\n")
    draft = read_one(path)
    assert draft.published == "2023-11-07"
    assert draft.text == BODY + "\n"
    assert draft.text.startswith("PORTVILLE")
    assert draft.uid == FEED_ID
    assert draft.source == ""
    assert draft.origin == str(path)


def test_txt_feed_header_tolerates_missing_leading_space_and_extra_spaces(tmp_path):
    path = write(tmp_path / "a.txt", "date   2023-11-07   PORTVILLE, Examplia.")
    draft = read_one(path)
    assert draft.published == "2023-11-07"
    assert draft.text == "PORTVILLE, Examplia."


def test_txt_feed_header_on_its_own_line_drops_that_line_break(tmp_path):
    path = write(tmp_path / "a.txt", " date 2023-11-07 \r\nPORTVILLE, Examplia.")
    draft = read_one(path)
    assert draft.published == "2023-11-07"
    assert draft.text == "PORTVILLE, Examplia."


def test_txt_invalid_header_date_keeps_text_untouched(tmp_path):
    content = " date 2023-02-30 PORTVILLE, Examplia."
    draft = read_one(write(tmp_path / "a.txt", content))
    assert draft.published is None
    assert draft.text == content
    assert draft.meta["published_raw"] == "2023-02-30"


def test_txt_date_word_later_in_text_is_not_a_header(tmp_path):
    content = "The date 2023-11-07 was chosen."
    draft = read_one(write(tmp_path / "a.txt", content))
    assert draft.published is None
    assert draft.text == content


def test_txt_feed_title_is_shortened_first_line(tmp_path):
    draft = read_one(write(tmp_path / f"{FEED_ID}.txt", f" date 2023-11-07 {BODY}"))
    assert draft.title == "PORTVILLE, Examplia, March 3. The harbour bridge reopened on Monday."
    long_line = "word " * 40
    draft = read_one(write(tmp_path / "long.txt", long_line + "\nmore"))
    assert draft.title.endswith("…")
    assert len(draft.title) <= 81
    assert long_line.startswith(draft.title[:-1])


def test_txt_headline_before_blank_line_is_title_and_text_keeps_it(tmp_path):
    content = f"{HEADLINE}\n\nThe bridge reopened.\n\nTraffic resumed.\n"
    draft = read_one(write(tmp_path / "news" / "001.txt", content))
    assert draft.title == HEADLINE
    assert draft.text == content
    assert draft.text[: len(HEADLINE)] == HEADLINE


def test_txt_long_first_line_before_blank_line_is_a_paragraph_not_a_headline(tmp_path):
    paragraph = "A long opening paragraph that runs on. " * 8
    draft = read_one(write(tmp_path / "a.txt", paragraph + "\n\nNext paragraph."))
    assert draft.title.endswith("…")
    assert len(draft.title) <= 81


def test_txt_single_line_with_newline_is_not_a_headline(tmp_path):
    draft = read_one(write(tmp_path / "a.txt", "word " * 40 + "\n"))
    assert draft.title.endswith("…")


def test_txt_without_blank_line_has_no_headline(tmp_path):
    first = "A first line of ninety characters or so, which is too long for a title in the list"
    content = f"{first}\nsecond line\n"
    draft = read_one(write(tmp_path / "a.txt", content))
    assert draft.title == first[: first.rindex(" ", 0, 81)] + "…"
    assert draft.text == content
    with_blank = read_one(write(tmp_path / "b.txt", f"{first}\n\nsecond line\n"))
    assert with_blank.title == first


def test_txt_title_cut_does_not_split_a_flag_or_zwj_sequence(tmp_path):
    # The leading "x" puts the 80-character cut in the middle of a flag and of a family.
    draft = read_one(write(tmp_path / "flags.txt", "x" + "🇬🇪" * 45 + "\n"))
    assert draft.title == "x" + "🇬🇪" * 39 + "…"
    family = "👨\u200d👩\u200d👧"
    draft = read_one(write(tmp_path / "family.txt", "x" + family * 20))
    assert draft.title == "x" + family * 15 + "…"
    draft = read_one(write(tmp_path / "accents.txt", "x" + "e\u0301" * 50))
    assert draft.title == "x" + "e\u0301" * 39 + "…"


def test_txt_uid_uses_folder_for_non_feed_names(tmp_path):
    business = read_one(write(tmp_path / "business" / "199.txt", "Story one"))
    sport = read_one(write(tmp_path / "sport" / "199.txt", "Story two"))
    assert business.uid == "business/199"
    assert sport.uid == "sport/199"
    assert sport.meta["folder"] == "sport"
    assert sport.meta["path"] == str(tmp_path / "sport" / "199.txt")


def test_txt_uid_made_from_the_path_is_marked_derived(tmp_path):
    bbc = read_one(write(tmp_path / "bbc" / "sport" / "001.txt", "Story one"))
    cnn = read_one(write(tmp_path / "cnn" / "sport" / "001.txt", "Story two"))
    # Same uid (the rule is kept), but flagged so the store can tell the two texts apart.
    assert bbc.uid == cnn.uid == "sport/001"
    assert bbc.uid_derived and cnn.uid_derived
    feed = read_one(write(tmp_path / "feed" / f"{FEED_ID}.txt", " date 2023-11-07 Text"))
    assert feed.uid == FEED_ID
    assert not feed.uid_derived


def test_record_uids_are_never_marked_derived(tmp_path):
    items = read_all(write(tmp_path / "a.jsonl", jsonl({"text": "a", "uid": "x1"}, {"text": "b"})))
    assert [(draft.uid, draft.uid_derived) for draft in items] == [("x1", False), (None, False)]
    items = read_all(write(tmp_path / "a.csv", "id,text\nx2,a\n,b\n"))
    assert [(draft.uid, draft.uid_derived) for draft in items] == [("x2", False), (None, False)]


def test_txt_feed_uid_needs_the_hex_id_pattern(tmp_path):
    assert read_one(write(tmp_path / "x" / "7_deadbeef.txt", "a")).uid == "7_deadbeef"
    assert read_one(write(tmp_path / "x" / "7_deadbee.txt", "a")).uid == "x/7_deadbee"
    assert read_one(write(tmp_path / "x" / "7_DEADBEEF.txt", "a")).uid == "x/7_DEADBEEF"


def test_txt_crlf_and_bom_are_normalised(tmp_path):
    path = write(tmp_path / "a.txt", b"\xef\xbb\xbfHead\r\n\r\nBody\rmore\r\n")
    draft = read_one(path)
    assert draft.text == "Head\n\nBody\nmore\n"
    assert draft.title == "Head"
    assert draft.meta["encoding"] == "utf-8-sig"
    assert "encoding_fallback" not in draft.meta


def test_txt_utf8_records_encoding_without_fallback(tmp_path):
    draft = read_one(write(tmp_path / "a.txt", "plain"))
    assert draft.meta["encoding"] == "utf-8"
    assert "encoding_fallback" not in draft.meta


def test_txt_cp1252_fallback_is_recorded(tmp_path):
    path = write(tmp_path / "a.txt", "Ferry tolls rise to £3 a car".encode("cp1252"))
    draft = read_one(path)
    assert draft.text == "Ferry tolls rise to £3 a car"
    assert draft.meta["encoding"] == "cp1252"
    assert draft.meta["encoding_fallback"] is True


def test_txt_utf16_with_bom(tmp_path):
    path = write(tmp_path / "a.txt", ("\ufeff" + INTERNATIONAL + "\r\n").encode("utf-16-le"))
    draft = read_one(path)
    assert draft.text == INTERNATIONAL + "\n"
    assert draft.meta["encoding"] == "utf-16"


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf\n"])
def test_txt_empty_or_whitespace_is_a_problem(tmp_path, content):
    path = write(tmp_path / "a.txt", content)
    items = read_all(path)
    assert len(items) == 1
    assert isinstance(items[0], ImportProblem)
    assert items[0].origin == str(path)
    assert "empty" in items[0].reason


def test_txt_binary_is_a_problem(tmp_path):
    path = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    [problem] = read_all(path)
    assert isinstance(problem, ImportProblem)
    assert "binary" in problem.reason


def test_txt_over_size_limit_is_a_problem(tmp_path, monkeypatch):
    from desktop_app.core.importers import txt

    monkeypatch.setattr(txt, "MAX_TXT_BYTES", 10)
    [problem] = read_all(write(tmp_path / "big.txt", "x" * 11))
    assert isinstance(problem, ImportProblem)
    assert "limit" in problem.reason


def test_txt_unreadable_path_is_a_problem(tmp_path):
    [problem] = read_all(tmp_path / "missing.txt", "txt")
    assert isinstance(problem, ImportProblem)
    assert "cannot read" in problem.reason


def test_txt_international_text_round_trips(tmp_path):
    content = f"{INTERNATIONAL}\n\nمرحبا بالعالم 👨\u200d👩\u200d👧\u200d👦\n"
    draft = read_one(write(tmp_path / "intl.txt", content))
    assert draft.text == content
    assert draft.title == INTERNATIONAL
    start = draft.text.index("👩\u200d🔬")
    assert draft.text[start : start + 3] == "👩\u200d🔬"


# --- discovery ----------------------------------------------------------------------------


def test_discover_folders_recursively_in_sorted_order(tmp_path):
    for name in ["b/2.txt", "b/10.txt", "a.jsonl", "b/c/x.csv", "b/d.tsv", "z.ndjson", "B.TXT"]:
        write(tmp_path / name, "x")
    write(tmp_path / "notes.md", "skip me")
    write(tmp_path / "b" / "image.png", b"\x89PNG")
    found, problems = discover([tmp_path])
    assert problems == []
    relative = [(path.relative_to(tmp_path).as_posix(), fmt) for path, fmt in found]
    assert relative == [
        ("B.TXT", "txt"),
        ("a.jsonl", "jsonl"),
        ("b/10.txt", "txt"),
        ("b/2.txt", "txt"),
        ("b/c/x.csv", "csv"),
        ("b/d.tsv", "csv"),
        ("z.ndjson", "jsonl"),
    ]


def test_discover_skips_hidden_files_and_folders(tmp_path):
    write(tmp_path / "kept.txt", "x")
    write(tmp_path / ".hidden.txt", "x")
    write(tmp_path / ".git" / "inside.txt", "x")
    write(tmp_path / "sub" / ".cache" / "deep.txt", "x")
    found, problems = discover([tmp_path])
    assert [path.name for path, _ in found] == ["kept.txt"]
    assert problems == []


def test_discover_missing_path_is_a_problem_and_others_go_on(tmp_path):
    kept = write(tmp_path / "kept.txt", "x")
    missing = tmp_path / "nope"
    found, problems = discover([missing, kept])
    assert found == [(kept, "txt")]
    assert problems == [ImportProblem(str(missing), "no such file or folder")]


def test_discover_explicit_unknown_extension_is_a_problem(tmp_path):
    notes = write(tmp_path / "notes.md", "x")
    found, problems = discover([notes])
    assert found == []
    assert len(problems) == 1
    assert problems[0].origin == str(notes)
    assert "'.md'" in problems[0].reason


def test_discover_explicit_format_applies_to_all_files(tmp_path):
    notes = write(tmp_path / "dir" / "notes.md", "x")
    data = write(tmp_path / "dir" / "data.txt", "x")
    found, problems = discover([tmp_path / "dir"], "jsonl")
    assert found == [(data, "jsonl"), (notes, "jsonl")]
    assert problems == []


def test_discover_explicit_hidden_file_is_taken(tmp_path):
    hidden = write(tmp_path / ".draft.txt", "x")
    assert discover([hidden]) == ([(hidden, "txt")], [])


def test_discover_same_file_twice_is_listed_once(tmp_path):
    file = write(tmp_path / "a.txt", "x")
    found, _ = discover([file, tmp_path])
    assert found == [(file, "txt")]


def test_discover_folder_without_importable_files_is_a_problem(tmp_path):
    write(tmp_path / "readme.md", "x")
    found, problems = discover([tmp_path])
    assert found == []
    assert len(problems) == 1
    assert "no importable files" in problems[0].reason


def test_read_file_unknown_format_is_a_problem(tmp_path):
    [problem] = read_all(write(tmp_path / "a.txt", "x"), "brat-ish")
    assert isinstance(problem, ImportProblem)
    assert "unknown format" in problem.reason


# --- JSONL --------------------------------------------------------------------------------


def jsonl(*records: object) -> str:
    return "".join(
        (record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)) + "\n"
        for record in records
    )


def test_jsonl_reads_fields_and_meta(tmp_path):
    record = {
        "uid": "r1",
        "title": " Bridge ",
        "text": "Line one\r\nline two",
        "published": "2023-11-07T08:30:00+02:00",
        "source": "Examplia Daily",
        "url": "https://example.test/1",
        "section": "local",
        "tags_count": 3,
    }
    draft = read_one(write(tmp_path / "a.jsonl", jsonl(record)))
    assert draft.uid == "r1"
    assert draft.title == "Bridge"
    assert draft.text == "Line one\nline two"
    assert draft.published == "2023-11-07"
    assert draft.source == "Examplia Daily"
    assert draft.url == "https://example.test/1"
    assert draft.meta == {"section": "local", "tags_count": 3}
    assert draft.origin == f"{tmp_path / 'a.jsonl'}:1"


def test_jsonl_accepts_date_and_id_alternatives(tmp_path):
    draft = read_one(
        write(tmp_path / "a.jsonl", jsonl({"id": 17, "date": "2023-01-02", "text": "t"}))
    )
    assert draft.uid == "17"
    assert draft.published == "2023-01-02"
    assert draft.meta == {}


def test_jsonl_unparseable_date_is_kept_raw(tmp_path):
    draft = read_one(write(tmp_path / "a.jsonl", jsonl({"text": "t", "published": "last Tuesday"})))
    assert draft.published is None
    assert draft.meta["published_raw"] == "last Tuesday"


def test_jsonl_malformed_line_is_a_problem_and_other_lines_go_on(tmp_path):
    content = jsonl(
        {"text": "first"}, '{"text": "broken', "", "[1, 2]", {"title": "x"}, {"text": "last"}
    )
    path = write(tmp_path / "a.jsonl", content)
    items = read_all(path)
    assert [draft.text for draft in drafts_of(items)] == ["first", "last"]
    problems = problems_of(items)
    assert [problem.origin for problem in problems] == [f"{path}:2", f"{path}:4", f"{path}:5"]
    assert "not valid JSON" in problems[0].reason
    assert "array" in problems[1].reason
    assert "'text'" in problems[2].reason
    assert drafts_of(items)[1].origin == f"{path}:6"


def test_jsonl_empty_or_non_string_text_is_a_problem(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl({"text": "  \n"}, {"text": 5}, {"text": "ok"}))
    items = read_all(path)
    assert [type(item).__name__ for item in items] == [
        "ImportProblem",
        "ImportProblem",
        "ArticleDraft",
    ]
    assert "empty" in items[0].reason
    assert "int" in items[1].reason


def test_jsonl_pretty_printed_file_gives_one_clear_problem(tmp_path):
    document = {"text": "Bridge reopens", "entities": [{"start_offset": 0, "end_offset": 6}]}
    path = write(tmp_path / "pretty.jsonl", json.dumps(document, indent=4) + "\n")
    items = read_all(path)
    assert len(items) == 1
    assert isinstance(items[0], ImportProblem)
    assert items[0].origin == f"{path}:1"
    assert "pretty-printed JSON" in items[0].reason


def test_jsonl_file_of_garbage_stops_after_leading_errors(tmp_path):
    path = write(tmp_path / "a.jsonl", "not json\n" * 500)
    problems = problems_of(read_all(path))
    assert 20 <= len(problems) <= 22
    assert problems[-1].origin == str(path)
    assert "does not look like a JSON Lines file" in problems[-1].reason


def test_jsonl_field_mapping(tmp_path):
    mapping = FieldMapping(text="body", title="headline", date="when", id="ref", url="link")
    record = {"body": "Text", "headline": "H", "when": "2022-05-06", "ref": "x9", "link": "u"}
    record["text"] = "not the text"
    draft = read_one(write(tmp_path / "a.jsonl", jsonl(record)), mapping=mapping)
    assert (draft.text, draft.title, draft.published, draft.uid, draft.url) == (
        "Text",
        "H",
        "2022-05-06",
        "x9",
        "u",
    )
    assert draft.meta == {"text": "not the text"}


def test_jsonl_mapped_text_field_missing_names_the_fields(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl({"content": "x", "label": []}))
    [problem] = read_all(path, mapping=FieldMapping(text="body"))
    assert isinstance(problem, ImportProblem)
    assert "'body'" in problem.reason
    assert "'content'" in problem.reason


def test_jsonl_utf8_bom_and_crlf_lines(tmp_path):
    content = "\ufeff" + jsonl({"text": INTERNATIONAL}, {"text": "two"}).replace("\n", "\r\n")
    items = read_all(write(tmp_path / "a.jsonl", content))
    assert [draft.text for draft in drafts_of(items)] == [INTERNATIONAL, "two"]


def test_jsonl_utf16_with_bom(tmp_path):
    content = "\ufeff" + jsonl({"text": INTERNATIONAL}, {"text": "two"})
    items = read_all(write(tmp_path / "a.jsonl", content.encode("utf-16-le")))
    assert [draft.text for draft in drafts_of(items)] == [INTERNATIONAL, "two"]
    assert items[0].meta == {}


def test_jsonl_cp1252_byte_after_the_sniffed_head_decodes_every_record_as_cp1252(tmp_path):
    good = jsonl(*({"text": f"record {n}"} for n in range(3000)))
    assert len(good) > 64 * 1024
    tail = jsonl({"text": "café"}, {"text": "after"}).encode("cp1252")
    items = read_all(write(tmp_path / "a.jsonl", good.encode() + tail))
    assert problems_of(items) == []
    drafts = drafts_of(items)
    assert [draft.text for draft in drafts[-2:]] == ["café", "after"]
    assert len(drafts) == 3002
    fallback = {"encoding": "cp1252", "encoding_fallback": True}
    assert all(draft.meta == fallback for draft in drafts)


def test_jsonl_binary_after_the_sniffed_head_is_a_problem_on_its_line(tmp_path):
    good = jsonl(*({"text": f"record {n}"} for n in range(3000)))
    noise = random.Random(0).randbytes(64).replace(b"\n", b"")
    binary = b"\xc3\x28\x00\x00" + noise + b"\n"
    path = write(tmp_path / "a.jsonl", good.encode() + binary + b'{"text": "after"}\n')
    items = read_all(path)
    assert len(drafts_of(items)) == 3001
    assert drafts_of(items)[-1].text == "after"
    assert drafts_of(items)[0].meta == {}
    [problem] = problems_of(items)
    assert problem.origin == f"{path}:3001"
    assert "not valid utf-8" in problem.reason


def test_jsonl_international_text_round_trips(tmp_path):
    text = f"{INTERNATIONAL}\n\nمرحبا 👨\u200d👩\u200d👧\u200d👦 東京"
    draft = read_one(write(tmp_path / "a.jsonl", json.dumps({"text": text}) + "\n"))
    assert draft.text == text


def test_jsonl_blank_only_file_is_a_problem(tmp_path):
    [problem] = read_all(write(tmp_path / "a.jsonl", "\n\n  \n"))
    assert isinstance(problem, ImportProblem)
    assert "no records" in problem.reason


def test_jsonl_nan_is_refused(tmp_path):
    [problem] = read_all(write(tmp_path / "a.jsonl", '{"text": "t", "score": NaN}\n'))
    assert isinstance(problem, ImportProblem)
    assert "NaN" in problem.reason


# --- native Marginalia JSONL --------------------------------------------------------------

NATIVE_TEXT = "Anna Schmidt met 🇬🇪 officials in თბილისი on Monday."


def native_record(**changes: object) -> dict:
    start = NATIVE_TEXT.index("თბილისი")
    record = {
        "uid": "n1",
        "title": "Meeting",
        "source": "feed",
        "url": "",
        "published": "2023-11-07",
        "text": NATIVE_TEXT,
        "meta": {"path": "/old/place.txt", "encoding": "utf-8"},
        "spans": [
            {
                "uuid": "s-1",
                "start": 0,
                "end": 12,
                "label": "Person",
                "quote": "Anna Schmidt",
                "note": "the minister",
                "annotator": "ana",
                "created_at": "2024-01-01T10:00:00Z",
            },
            {"start": start, "end": start + 7, "label": "Location", "quote": "თბილისი"},
        ],
        "tags": [{"uuid": "t-1", "label": "Diplomacy", "annotator": "ana", "note": ""}],
        "status": {"ana": "done", "ben": "in progress"},
    }
    record.update(changes)
    return record


def test_native_jsonl_spans_tags_and_statuses(tmp_path):
    draft = read_one(write(tmp_path / "export.jsonl", jsonl(native_record(extra="kept"))))
    start = NATIVE_TEXT.index("თბილისი")
    assert draft.spans == (
        SpanDraft(
            start=0,
            end=12,
            label="Person",
            uuid="s-1",
            annotator="ana",
            quote="Anna Schmidt",
            note="the minister",
            created_at="2024-01-01T10:00:00Z",
        ),
        SpanDraft(start=start, end=start + 7, label="Location", quote="თბილისი"),
    )
    assert draft.tags == (TagDraft(label="Diplomacy", uuid="t-1", annotator="ana"),)
    assert draft.statuses == {"ana": "done", "ben": "in progress"}
    assert draft.meta == {"path": "/old/place.txt", "encoding": "utf-8", "extra": "kept"}
    assert all(draft.text[span.start : span.end] == span.quote for span in draft.spans)


@pytest.mark.parametrize(
    ("span", "reason"),
    [
        ({"start": 0, "end": 99, "label": "X"}, "span 1: offsets 0..99"),
        ({"start": 5, "end": 5, "label": "X"}, "span 1: offsets 5..5"),
        ({"start": -1, "end": 3, "label": "X"}, "span 1: offsets -1..3"),
        ({"start": 0, "end": 4, "label": "X", "quote": "Nope"}, "span 1: quote 'Nope'"),
        ({"start": "0", "end": 4, "label": "X"}, "span 1: 'start' must be an integer"),
        ({"start": True, "end": 4, "label": "X"}, "span 1: 'start' must be an integer"),
        ({"start": 0, "end": 4, "label": ""}, "span 1: missing or empty 'label'"),
        ({"start": 0, "end": 4, "label": "X", "note": 3}, "span 1: 'note' must be a string"),
        ("0-4", "span 1: not an object"),
    ],
)
def test_native_bad_span_makes_the_record_a_problem(tmp_path, span, reason):
    good = {"start": 0, "end": 4, "label": "Person", "quote": "Anna"}
    content = jsonl(native_record(spans=[good, span]), {"text": "next record"})
    path = write(tmp_path / "export.jsonl", content)
    items = read_all(path)
    assert isinstance(items[0], ImportProblem)
    assert items[0].origin == f"{path}:1"
    assert reason in items[0].reason
    assert isinstance(items[1], ArticleDraft)


def test_native_bad_tag_and_status_are_problems(tmp_path):
    path = write(
        tmp_path / "export.jsonl",
        jsonl(
            native_record(tags=[{"label": "Energy"}, {"note": "no label"}]),
            native_record(status={"ana": "finished"}),
        ),
    )
    first, second = read_all(path)
    assert "tag 1: missing or empty 'label'" in first.reason
    assert "'finished' is not one of" in second.reason


def test_native_spans_refused_when_text_has_crlf(tmp_path):
    record = native_record(text="Anna\r\nSchmidt", spans=[{"start": 6, "end": 13, "label": "X"}])
    [problem] = read_all(write(tmp_path / "export.jsonl", jsonl(record)))
    assert isinstance(problem, ImportProblem)
    assert "CR line endings" in problem.reason


def test_foreign_tag_lists_and_status_strings_stay_in_meta(tmp_path):
    record = {"text": "t", "tags": ["politics", "energy"], "status": "published"}
    draft = read_one(write(tmp_path / "a.jsonl", jsonl(record)))
    assert draft.tags == ()
    assert draft.statuses == {}
    assert draft.meta == {"tags": ["politics", "energy"], "status": "published"}


# --- CSV ----------------------------------------------------------------------------------


def test_csv_reads_rows_with_quoted_multiline_text(tmp_path):
    content = (
        "uid,title,text,published,desk\r\n"
        'a1,First,"Line one\r\nline two, with comma",2023-11-07,metro\r\n'
        'a2,Second,"He said ""yes"".",,\r\n'
    )
    path = write(tmp_path / "a.csv", content)
    first, second = read_all(path)
    assert (first.uid, first.title, first.text, first.published) == (
        "a1",
        "First",
        "Line one\nline two, with comma",
        "2023-11-07",
    )
    assert first.meta == {"desk": "metro"}
    assert first.origin == f"{path}:2"
    assert second.text == 'He said "yes".'
    assert second.origin == f"{path}:4"
    assert second.published is None
    assert second.meta == {}


def test_csv_field_mapping_and_semicolon_delimiter(tmp_path):
    content = "Kopf;Inhalt;Datum\nBrücke;Die Brücke ist offen;2023-11-07\n"
    mapping = FieldMapping(text="Inhalt", title="Kopf", date="Datum")
    draft = read_one(write(tmp_path / "a.csv", content), mapping=mapping)
    assert (draft.title, draft.text, draft.published) == (
        "Brücke",
        "Die Brücke ist offen",
        "2023-11-07",
    )


def test_tsv_uses_tab(tmp_path):
    content = "title\ttext\nA, B\tBody; with, punctuation\n"
    draft = read_one(write(tmp_path / "a.tsv", content))
    assert (draft.title, draft.text) == ("A, B", "Body; with, punctuation")


def test_csv_missing_text_column_is_one_problem_naming_columns(tmp_path):
    path = write(tmp_path / "a.csv", "headline,body\nA,B\nC,D\n")
    items = read_all(path)
    assert items == [
        ImportProblem(str(path), "no 'text' column (columns: 'headline', 'body')"),
    ]


def test_csv_row_without_text_is_a_problem_and_others_go_on(tmp_path):
    path = write(tmp_path / "a.csv", "title,text\nA,\nB\nC,body\nD,x,extra\n")
    items = read_all(path)
    assert [draft.text for draft in drafts_of(items)] == ["body"]
    problems = problems_of(items)
    assert [problem.origin for problem in problems] == [f"{path}:2", f"{path}:3", f"{path}:5"]
    assert "empty" in problems[0].reason
    assert "3 cells" in problems[2].reason


def test_csv_utf16_with_bom(tmp_path):
    content = "\ufefftext,label\r\n" + f'"{INTERNATIONAL}",pos\r\nplain,neg\r\n'
    path = write(tmp_path / "a.csv", content.encode("utf-16-le"))
    first, second = read_all(path)
    assert first.text == INTERNATIONAL
    assert first.meta == {"label": "pos"}
    assert second.text == "plain"


def test_csv_cp1252_fallback_recorded_in_meta(tmp_path):
    path = write(tmp_path / "a.csv", "text\nFerry tolls rise to £3\n".encode("cp1252"))
    draft = read_one(path)
    assert draft.text == "Ferry tolls rise to £3"
    assert draft.meta == {"encoding": "cp1252", "encoding_fallback": True}


def test_csv_long_field_beyond_default_limit(tmp_path):
    text = "word " * 60_000
    draft = read_one(write(tmp_path / "a.csv", f'text\n"{text}"\n'))
    assert draft.text == text


def test_csv_header_only_and_empty_file_are_problems(tmp_path):
    [header_only] = read_all(write(tmp_path / "h.csv", "title,text\n"))
    [empty] = read_all(write(tmp_path / "e.csv", ""))
    assert "no rows" in header_only.reason
    assert "empty" in empty.reason


def test_csv_binary_file_is_a_problem(tmp_path):
    [problem] = read_all(write(tmp_path / "a.csv", b"\x00\x01\x02text"))
    assert isinstance(problem, ImportProblem)
    assert "binary" in problem.reason


def test_csv_old_mac_lone_cr_line_endings(tmp_path):
    content = 'title,text\rA,"two\rlines"\rB,plain\r'
    items = read_all(write(tmp_path / "mac.csv", content))
    assert [(draft.title, draft.text) for draft in drafts_of(items)] == [
        ("A", "two\nlines"),
        ("B", "plain"),
    ]


def test_csv_cp1252_byte_after_the_sniffed_head_keeps_the_rows_after_it(tmp_path):
    # The review's case: the first "é" of a cp1252 file on line 801, 400 rows after it.
    rows = [f"row {n},{'text of an ASCII row ' * 4}{n}\n" for n in range(1, 1200)]
    rows[799] = "row 800,un café\n"
    content = ("title,text\n" + "".join(rows)).encode("cp1252")
    assert content.index(b"\xe9") > 64 * 1024
    items = read_all(write(tmp_path / "a.csv", content))
    assert problems_of(items) == []
    drafts = drafts_of(items)
    assert len(drafts) == 1199
    assert drafts[799].text == "un café"
    assert drafts[799].origin.endswith(":801")
    fallback = {"encoding": "cp1252", "encoding_fallback": True}
    assert all(draft.meta == fallback for draft in drafts)


def test_csv_binary_after_the_sniffed_head_stops_with_a_problem(tmp_path):
    rows = "".join(f"row {n},text of row {n}\n" for n in range(5000))
    assert len(rows) > 64 * 1024
    binary = b"\xc3\x28\x00\x00" + random.Random(0).randbytes(4096)
    path = write(tmp_path / "a.csv", b"title,text\n" + rows.encode() + binary)
    items = read_all(path)
    assert len(drafts_of(items)) == 5000
    assert problems_of(items) == [
        ImportProblem(f"{path}:5002", "not valid utf-8; the rest of the file was skipped")
    ]


def test_csv_bom_declared_utf8_is_not_redetected_for_a_later_bad_byte(tmp_path):
    rows = "".join(f"row {n},text of row {n}\n" for n in range(5000))
    content = b"\xef\xbb\xbftitle,text\n" + rows.encode() + b"bad,caf\xe9\nafter,more\n"
    path = write(tmp_path / "a.csv", content)
    items = read_all(path)
    assert len(drafts_of(items)) == 5000
    assert problems_of(items) == [
        ImportProblem(f"{path}:5002", "not valid utf-8-sig; the rest of the file was skipped")
    ]


def test_csv_reader_error_is_a_problem_with_its_line(tmp_path):
    import csv

    path = write(tmp_path / "a.csv", "title,text\nA,short\nB," + "x" * 200 + "\nC,never\n")
    previous = csv.field_size_limit(100)
    try:
        items = read_all(path)
    finally:
        csv.field_size_limit(previous)
    assert [draft.text for draft in drafts_of(items)] == ["short"]
    [problem] = problems_of(items)
    assert problem.origin == f"{path}:3"
    assert "field larger than field limit" in problem.reason
