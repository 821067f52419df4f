"""The readers on the shared real-world corpora (skipped when ../shared/corpora is absent)."""

from pathlib import Path

import pytest

from desktop_app.core.importers.readers import discover, read_file
from desktop_app.core.model import ArticleDraft, ImportProblem

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"

if not CORPORA.is_dir():
    pytest.skip(f"shared corpora not found at {CORPORA}", allow_module_level=True)

BBC = CORPORA / "bbc"
SEED = CORPORA / "seed" / "000_13829d945e102746.txt"
PRETTY = CORPORA / "doccano" / "official-examples" / "export_relation_extraction.jsonl"
EMOJI_CRLF = CORPORA / "unicode" / "emoji-crlf" / "mae_emoji_CRLF.txt"


def read_one(path: Path) -> ArticleDraft:
    [item] = read_file(path, "auto")
    assert isinstance(item, ArticleDraft), item
    return item


def test_seed_feed_article():
    draft = read_one(SEED)
    assert draft.published == "2024-05-20"
    assert draft.text.startswith("BAKU")
    assert draft.uid == "000_13829d945e102746"
    assert draft.meta["encoding"] == "utf-8"


def test_all_bbc_articles_read_without_problems():
    found, problems = discover([BBC])
    items = [item for path, fmt in found for item in read_file(path, fmt)]
    assert problems == []
    assert len(found) == 2225
    assert [item for item in items if isinstance(item, ImportProblem)] == []
    assert len(items) == 2225
    assert len({item.uid for item in items if isinstance(item, ArticleDraft)}) == 2225


def test_bbc_folders_come_in_sorted_order():
    found, _ = discover([BBC])
    folders = [path.parent.name for path, _ in found]
    assert folders == sorted(folders)
    assert found[0][0].relative_to(BBC).as_posix() == "business/001.txt"


def test_bbc_latin1_byte_decodes_with_fallback_recorded():
    path = BBC / "sport" / "199.txt"
    draft = read_one(path)
    assert draft.meta["encoding"] == "cp1252"
    assert draft.meta["encoding_fallback"] is True
    assert "\ufffd" not in draft.text
    # The one non-ASCII byte is a Latin-1 pound sign; everything else is ASCII.
    raw = path.read_bytes()
    assert [byte for byte in raw if byte > 0x7F] == [0xA3]
    assert [char for char in draft.text if ord(char) > 0x7F] == ["£"]


def test_bbc_headline_is_the_first_line():
    path = BBC / "business" / "001.txt"
    draft = read_one(path)
    first_line = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert draft.title == first_line
    assert draft.text.startswith(first_line + "\n\n")
    assert draft.uid == "business/001"


def test_doccano_pretty_printed_json_gives_problems_not_exceptions():
    items = list(read_file(PRETTY, "auto"))
    assert items
    assert all(isinstance(item, ImportProblem) for item in items)
    assert items[0].origin == f"{PRETTY}:1"


def test_emoji_crlf_file_has_no_carriage_returns():
    raw = EMOJI_CRLF.read_bytes()
    assert b"\r\n" in raw
    draft = read_one(EMOJI_CRLF)
    assert "\r" not in draft.text
    assert draft.text == raw.decode("utf-8").replace("\r\n", "\n")
