"""CoNLL: IO tags, nothing dropped silently, exact round trips, and sniffing CoNLL in any file."""

from pathlib import Path

import pytest

from desktop_app.core.exporters.conll import export_conll
from desktop_app.core.importers.conll import looks_like_conll, read_conll
from desktop_app.core.importing import import_paths
from desktop_app.core.model import ArticleDraft, ArticleFilter, ImportProblem, Label, LabelSchema
from desktop_app.core.store import Store

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SAMPLES = Path(__file__).resolve().parents[1] / "resources" / "samples"

# Sentences as (token, entity) pairs; an entity is (type, number): tokens with the same pair
# form one span, so two adjacent spans of one type ("Nino" "Ann") stay two.
SENTENCES = [
    [
        ("Peter", ("PER", 1)),
        ("'s", None),
        ("brother", None),
        ("did", None),
        ("n't", None),
        ("call", None),
        ("J.", ("ORG", 2)),
        ("P.", ("ORG", 2)),
        ("Morgan", ("ORG", 2)),
        (".", None),
    ],
    [
        ("The", None),
        ("state-owned", None),
        ("Rail", ("ORG", 3)),
        ("Co-op", ("ORG", 3)),
        ("posted", None),
        ("https://example.org/a?b=1&c=2", None),
        ("👩\u200d🔬", ("MISC", 4)),
        ("🇬🇪", None),
        ("👍🏽", None),
    ],
    [
        ("李明", ("PER", 5)),
        ("去", None),
        ("了", None),
        ("東京", ("LOC", 6)),
        ("和", None),
        ("القاهرة", ("LOC", 12)),
        ("。", None),
    ],
    [
        ("Cafe\u0301", ("ORG", 7)),
        ("in", None),
        ("São", ("LOC", 8)),
        ("Paulo", ("LOC", 8)),
        ("Nino", ("PER", 9)),
        ("Ann", ("PER", 10)),
        ("met", None),
        ("ქართველი", ("MISC", 11)),
    ],
]


def _tags(sentence, scheme):
    """The sentence's tags in `scheme`, written here independently of the exporter."""
    tags = []
    for index, (_, entity) in enumerate(sentence):
        if entity is None:
            tags.append("O")
            continue
        before = sentence[index - 1][1] if index else None
        after = sentence[index + 1][1] if index + 1 < len(sentence) else None
        first, last = before != entity, after != entity
        kind = entity[0]
        if scheme == "IO":
            tags.append(kind)
        elif scheme == "IOB1":
            same_kind_before = before is not None and before[0] == kind
            tags.append(("B-" if first and same_kind_before else "I-") + kind)
        elif scheme == "BIO2":
            tags.append(("B-" if first else "I-") + kind)
        else:
            single, end = ("S", "E") if scheme == "BIOES" else ("U", "L")
            prefix = single if first and last else "B" if first else end if last else "I"
            tags.append(f"{prefix}-{kind}")
    return tags


def _write(path, sentences, scheme, separator=" ", docstart=None):
    lines = [docstart, ""] if docstart else []
    for sentence in sentences:
        tags = _tags(sentence, scheme)
        lines += [f"{t}{separator}{tag}" for (t, _), tag in zip(sentence, tags, strict=True)]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def conll_documents(path):
    """Documents of sentences of (token, tag), read independently of the importer.

    A tab line splits on tabs (its token may hold spaces); other lines on whitespace.
    """
    documents = [[[]]]
    for line in path.read_text(encoding="utf-8").split("\n"):
        line = line.rstrip("\r")
        if line.split()[:1] == ["-DOCSTART-"]:
            documents.append([[]])
        elif not line.strip():
            documents[-1].append([])
        else:
            parts = line.split("\t") if "\t" in line else line.split()
            documents[-1][-1].append((parts[0], parts[-1].strip()))
    found = [[s for s in doc if s] for doc in documents]
    return [doc for doc in found if doc]


def _round_trip(source, tmp_path, fmt="conll"):
    store = Store.memory()
    report = import_paths(store, [source], fmt=fmt)
    out = tmp_path / "out.conll"
    export_conll(store, out)
    return store, report, out


def _spans(store):
    return [
        (store.article(i).uid, store.article(i).text[s.start : s.end], s.label)
        for ids in store.iter_article_ids(ArticleFilter())
        for i in ids
        for s in store.spans(i)
    ]


# ---------------------------------------------------------------- IO tags and problems


def test_io_tags_are_spans_of_consecutive_tokens_with_one_type(tmp_path):
    path = tmp_path / "io.txt"
    path.write_text(
        "Paris\tLOC\nand\tO\nNew\tLOC\nYork\tLOC\nsaw\tO\nAnn\tPER\nLee\tPER\nin\tO\n"
        "Rome\tLOC\n\nOslo\tLOC\n",
        encoding="utf-8",
    )
    store = Store.memory()
    report = import_paths(store, [path], fmt="conll")
    assert report.added == 1 and not report.problems
    assert [(quote, label) for _, quote, label in _spans(store)] == [
        ("Paris", "LOC"),
        ("New York", "LOC"),
        ("Ann Lee", "PER"),
        ("Rome", "LOC"),  # a sentence break ends a span
        ("Oslo", "LOC"),
    ]


def test_every_tag_that_makes_no_span_is_reported_with_its_line(tmp_path):
    spaced = tmp_path / "spaced.conll"
    spaced.write_text(
        "Paris LOC\nLonely\nAnn B-\nRome I-LOC\nx --\nand O\n\nZoë S-PER\nRio X-LOC\n",
        encoding="utf-8",
    )
    items = list(read_conll(spaced))
    problems = {p.origin: p.reason for p in items if isinstance(p, ImportProblem)}
    assert set(problems) == {f"{spaced}:2", f"{spaced}:3", f"{spaced}:5"}
    assert "token and a tag" in problems[f"{spaced}:2"]
    assert "'B-'" in problems[f"{spaced}:3"] and "type" in problems[f"{spaced}:3"]
    assert "'--'" in problems[f"{spaced}:5"]
    [draft] = [item for item in items if not isinstance(item, ImportProblem)]
    # The I- that continues nothing starts a span (IOB1 reads that way); a prefix that is
    # none of B I E S L U is part of an IO type.
    assert [(draft.text[s.start : s.end], s.label) for s in draft.spans] == [
        ("Paris", "LOC"),
        ("Rome", "LOC"),
        ("Zoë", "PER"),
        ("Rio", "X-LOC"),
    ]

    tabbed = tmp_path / "tabbed.conll"
    tabbed.write_text(
        "Paris\tB-LOC\n\tB-PER\nSOCCER SOCCER\nNino\t\nNew\tB-LOC\n\tI-LOC\nYork\tI-LOC\n",
        encoding="utf-8",
    )
    items = list(read_conll(tabbed))
    problems = {p.origin: p.reason for p in items if isinstance(p, ImportProblem)}
    assert set(problems) == {f"{tabbed}:2", f"{tabbed}:3", f"{tabbed}:4"}
    assert "empty token" in problems[f"{tabbed}:2"]
    assert "tab" in problems[f"{tabbed}:3"]
    assert "no tag" in problems[f"{tabbed}:4"]
    [draft] = [item for item in items if not isinstance(item, ImportProblem)]
    # An empty token inside a span is part of it (the text keeps its place).
    assert [(draft.text[s.start : s.end], s.label) for s in draft.spans] == [
        ("Paris", "LOC"),
        ("New  York", "LOC"),
    ]


def test_a_document_of_empty_tokens_only_is_reported(tmp_path):
    path = tmp_path / "x.conll"
    path.write_text("-DOCSTART- a\tO\n\tO\n\n\tO\n-DOCSTART- b\tO\nRome\tB-LOC\n", encoding="utf-8")
    items = list(read_conll(path))
    assert [str(p) for p in items if isinstance(p, ImportProblem)] == [
        f"{path}:1: a document of empty tokens only"
    ]
    assert [item.uid for item in items if not isinstance(item, ImportProblem)] == ["b"]


def test_problems_reach_the_import_report_and_the_rest_is_stored(tmp_path):
    path = tmp_path / "x.conll"
    path.write_text("Paris B-LOC\nLonely\nRome B-LOC\n", encoding="utf-8")
    store = Store.memory()
    report = import_paths(store, [path])
    assert report.added == 1 and report.spans_added == 2
    assert [str(p) for p in report.problems] == [f"{path}:2: a token line needs a token and a tag"]


# ---------------------------------------------------------------- exact round trips


@pytest.mark.parametrize("scheme", ["BIO2", "IOB1", "BIOES", "BILOU", "IO"])
def test_generated_file_round_trips_in_its_own_scheme(scheme, tmp_path):
    source = _write(tmp_path / f"{scheme}.txt", SENTENCES, scheme)
    store, report, out = _round_trip(source, tmp_path)
    assert report.added == 1 and not report.problems
    assert conll_documents(out) == conll_documents(source)
    [article_id] = [i for ids in store.iter_article_ids(ArticleFilter()) for i in ids]
    meta = store.article(article_id).meta["conll"]
    assert meta["scheme"] == scheme
    assert "tokens" not in meta  # the text alone gives the tokens back: nothing stored
    quotes = {(quote, label) for _, quote, label in _spans(store)}
    assert {("J. P. Morgan", "ORG"), ("Peter", "PER"), ("👩\u200d🔬", "MISC")} <= quotes
    # IO cannot tell two adjacent spans of one type apart; every other scheme can.
    assert (("Nino Ann", "PER") in quotes) == (scheme == "IO")


def test_tokens_with_spaces_and_empty_tokens_round_trip_through_tabs(tmp_path):
    sentences = [
        [("New York", ("LOC", 1)), ("ke s", None), (" ", None), ("", None), ("x", None)],
        [("", None)],
        [("\u00a0", None), ("Tbilisi", ("LOC", 2)), ("", ("LOC", 2)), ("City", ("LOC", 2))],
    ]
    source = _write(tmp_path / "t.conll", sentences, "BIO2", separator="\t")
    store, report, out = _round_trip(source, tmp_path)
    assert report.added == 1 and not report.problems
    assert conll_documents(out) == conll_documents(source)
    [article_id] = [i for ids in store.iter_article_ids(ArticleFilter()) for i in ids]
    # Only the sentences that a split on spaces would not give back keep their lengths.
    assert store.article(article_id).meta["conll"]["tokens"] == {
        "0": [8, 4, 1, 0, 1],
        "1": [0],
        "2": [1, 7, 0, 4],
    }
    assert [(q, label) for _, q, label in _spans(store)] == [
        ("New York", "LOC"),
        ("Tbilisi  City", "LOC"),
    ]


def test_conll2003_documents_keep_their_boundaries_and_re_import_changes_nothing(tmp_path):
    columns = {"O": "O O", "PER": "NNP I-NP"}
    lines = []
    for number, sentences in enumerate([SENTENCES[:2], SENTENCES[2:], [[("Nothing", None)]]]):
        lines += ["-DOCSTART- -X- O O", ""]
        for sentence in sentences:
            for (token, entity), tag in zip(sentence, _tags(sentence, "IOB1"), strict=True):
                lines.append(f"{token} {columns['PER' if entity else 'O']} {tag}")
            lines.append("")
        if number == 1:
            lines.append("-DOCSTART- -X- O O")  # an empty document: nothing to import
    source = tmp_path / "train.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store, report, out = _round_trip(source, tmp_path)
    assert report.added == 3 and not report.problems
    assert conll_documents(out) == conll_documents(source)
    assert len(conll_documents(out)) == 3
    metas = [
        store.article(i).meta["conll"]
        for ids in store.iter_article_ids(ArticleFilter())
        for i in ids
    ]
    # The document without entities takes the file's scheme; all note the 4 columns.
    assert [(m["scheme"], m["columns"]) for m in metas] == [("IOB1", 4)] * 3

    # The export back into the same project: nothing new.
    again = import_paths(store, [out])
    assert (again.added, again.unchanged, again.spans_added, again.problems) == (0, 3, 0, [])
    # Into a fresh project: the same articles, spans and layout, and the same export.
    fresh = Store.memory()
    assert import_paths(fresh, [out]).added == 3
    assert _spans(fresh) == _spans(store)
    assert [
        (a.uid, a.text, a.meta["conll"]["scheme"])
        for a in (fresh.article(i) for ids in fresh.iter_article_ids(ArticleFilter()) for i in ids)
    ] == [
        (a.uid, a.text, a.meta["conll"]["scheme"])
        for a in (store.article(i) for ids in store.iter_article_ids(ArticleFilter()) for i in ids)
    ]
    export_conll(fresh, tmp_path / "again.conll")
    assert (tmp_path / "again.conll").read_bytes() == out.read_bytes()


def test_a_document_the_file_holds_twice_comes_back_twice(tmp_path):
    source = tmp_path / "twice.txt"
    story = "-DOCSTART- -X- O O\n\nRain I-MISC\nin O\nOslo I-LOC\n\n"
    source.write_text(story + story.replace("I-MISC", "O") + story, encoding="utf-8")
    store, report, out = _round_trip(source, tmp_path)
    assert (report.added, report.problems) == (3, [])
    assert conll_documents(out) == conll_documents(source)
    assert import_paths(store, [source], fmt="conll").added == 0  # and again: nothing new
    fresh = Store.memory()
    assert import_paths(fresh, [out]).added == 3
    assert _spans(fresh) == _spans(store)


def test_spans_added_later_are_written_in_the_article_scheme(tmp_path):
    source = tmp_path / "iob1.txt"
    source.write_text("Nino I-PER\nmet O\nAnn O\nand O\nLee O\n\nRome I-LOC\n", encoding="utf-8")
    store = Store.memory()
    import_paths(store, [source], fmt="conll")
    [article_id] = [i for ids in store.iter_article_ids(ArticleFilter()) for i in ids]
    text = store.article(article_id).text
    store.add_span(article_id, text.index("met"), text.index("met") + 3, "PER", "ana")
    store.add_span(article_id, text.index("Ann"), text.index("Ann") + 7, "PER", "ana")
    store.add_span(article_id, text.index("Lee"), text.index("Lee") + 2, "LOC", "ana")
    out = tmp_path / "out.conll"
    report = export_conll(store, out)
    [document] = conll_documents(out)
    assert document[1] == [("Rome", "I-LOC")]
    # IOB1: I- throughout, B- only where a span follows one of its own type.
    assert [tag for _, tag in document[0]] == ["I-PER", "B-PER", "B-PER", "I-PER", "I-LOC"]
    assert report.not_carried["spans not on token boundaries (widened to whole tokens)"] == 1


def test_io_export_reports_adjacent_spans_of_one_type(tmp_path):
    source = tmp_path / "io.txt"
    source.write_text("-DOCSTART-\nNino PER\nAnn O\nmet O\n", encoding="utf-8")
    store = Store.memory()
    import_paths(store, [source], fmt="conll")
    [article_id] = [i for ids in store.iter_article_ids(ArticleFilter()) for i in ids]
    store.add_span(article_id, 5, 8, "PER", "ana")  # "Ann", right after "Nino"
    report = export_conll(store, tmp_path / "out.conll")
    assert [tag for _, tag in conll_documents(tmp_path / "out.conll")[0][0]] == ["PER"] * 2 + ["O"]
    assert any("adjacent" in why for why in report.not_carried)


def test_spans_across_a_sentence_break_start_again_in_the_next(tmp_path):
    store = Store.memory()
    store.apply_schema(LabelSchema("s", (Label("PER", "span", "#ffadad", "p"),)))
    store.add_articles([ArticleDraft("Nino met\nAnn Lee today", "n1")])
    article_id = store.article_id("n1")
    store.add_span(article_id, 5, 16, "PER", "ana")  # "met\nAnn Lee"
    report = export_conll(store, tmp_path / "out.conll")
    [document] = conll_documents(tmp_path / "out.conll")
    assert [tag for _, tag in document[0]] == ["O", "B-PER"]
    assert [tag for _, tag in document[1]] == ["B-PER", "I-PER", "O"]
    assert any("sentence" in why for why in report.not_carried)


def test_articles_not_from_conll_still_use_the_tokenizer(tmp_path):
    store = Store.memory()
    store.add_articles([ArticleDraft("Peter's car, don't.", "p1")])
    export_conll(store, tmp_path / "out.conll")
    [document] = conll_documents(tmp_path / "out.conll")
    assert [token for token, _ in document[0]] == ["Peter's", "car", ",", "don't", "."]


def test_articles_read_before_the_layout_was_kept_split_on_spaces(tmp_path):
    store = Store.memory()
    store.add_articles(
        [ArticleDraft("Peter 's car\nJ. P. Morgan", "p1", meta={"conll_source": "a:1"})]
    )
    export_conll(store, tmp_path / "out.conll")
    [document] = conll_documents(tmp_path / "out.conll")
    assert [[token for token, _ in sentence] for sentence in document] == [
        ["Peter", "'s", "car"],
        ["J.", "P.", "Morgan"],
    ]


def test_a_layout_that_does_not_fit_the_text_falls_back_to_the_tokenizer(tmp_path):
    store = Store.memory()
    meta = {"conll": {"scheme": "BIO2", "tokens": {"0": [3, 40]}}}  # longer than the line
    store.add_articles([ArticleDraft("Peter's car, ok", "p1", meta=meta)])
    export_conll(store, tmp_path / "out.conll")
    [document] = conll_documents(tmp_path / "out.conll")
    assert [token for token, _ in document[0]] == ["Peter's", "car", ",", "ok"]


CORPUS_FILES = [
    "conll/iob1-samples/eng.train.head",
    "conll/iob1-samples/eng.testa.head",
    "conll/iob1-samples/eng.testb.head",
    "unicode/emoji-crlf/btc_section_h_tweets.conll",
    "doccano/official-examples/tests_sequence_labeling.conll",
    "doccano/official-examples/tests_sequence_labeling_trailing.conll",
    "doccano/official-examples/import_sequence_labeling.txt",  # CoNLL in a .txt
]


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not there")
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_files_round_trip_token_for_token(name, tmp_path):
    source = CORPORA / name
    _, report, out = _round_trip(source, tmp_path)
    assert not report.problems
    assert conll_documents(out) == conll_documents(source)
    fresh = Store.memory()
    assert import_paths(fresh, [out]).added == report.added
    export_conll(fresh, tmp_path / "again.conll")
    assert (tmp_path / "again.conll").read_bytes() == out.read_bytes()


# ---------------------------------------------------------------- sniffing


def test_looks_like_conll_finds_conll2003_and_masakhaner_files(tmp_path):
    train = tmp_path / "train.txt"
    lines = ["-DOCSTART- -X- -X- O", ""]
    for sentence in SENTENCES * 40:  # longer than the sniffed head: a line is cut there
        for (token, entity), tag in zip(sentence, _tags(sentence, "IOB1"), strict=True):
            lines.append(f"{token} NNP I-NP {tag}" if entity else f"{token} NN O O")
        lines.append("")
    train.write_text("\n".join(lines), encoding="utf-8")
    assert train.stat().st_size > 16_000
    assert looks_like_conll(train)
    dev = _write(tmp_path / "dev.txt", SENTENCES, "BIO2")  # MasakhaNER: "word TAG"
    assert looks_like_conll(dev)
    tabbed = _write(tmp_path / "data.tsv", SENTENCES, "BIOES", separator="\t")
    assert looks_like_conll(tabbed)
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(dev.read_bytes().replace(b"\n", b"\r\n"))
    assert looks_like_conll(crlf)
    # IO tags look like prose with a capitalised last word: only -DOCSTART- vouches for them.
    io_file = _write(tmp_path / "io.txt", SENTENCES, "IO")
    assert not looks_like_conll(io_file)
    io_doc = _write(tmp_path / "io_doc.txt", SENTENCES, "IO", docstart="-DOCSTART- -X- O O")
    assert looks_like_conll(io_doc)


def test_looks_like_conll_refuses_prose_tables_and_odd_files(tmp_path):
    prose = tmp_path / "prose.txt"
    prose.write_text(
        "Harbour bridge reopens\n\nPORTVILLE, March 3. The bridge reopened on Monday.\n"
        "Officials said O\nTraffic resumed.\nMore at B-52 hangar\n",
        encoding="utf-8",
    )
    table = tmp_path / "articles.tsv"
    table.write_text(
        "text\ttitle\nThe bridge reopened on Monday.\tBridge\nRates rose again.\tRates O\n"
        "Snow fell in the hills.\tSnow\n",
        encoding="utf-8",
    )
    few = tmp_path / "few.txt"
    few.write_text("Paris B-LOC\n", encoding="utf-8")
    only_o = tmp_path / "o.txt"
    only_o.write_text("a O\nb O\nc O\nd O\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    for path in (prose, table, few, only_o, empty, binary, tmp_path / "missing.txt"):
        assert not looks_like_conll(path), path
    samples = sorted(SAMPLES.glob("*.txt"))
    assert samples
    assert [path.name for path in samples if looks_like_conll(path)] == []


@pytest.mark.skipif(not CORPORA.is_dir(), reason="../shared/corpora is not there")
def test_looks_like_conll_on_the_corpora():
    for name in CORPUS_FILES:
        assert looks_like_conll(CORPORA / name), name
    others = [CORPORA / "seed" / "000_13829d945e102746.txt", CORPORA / "unicode" / "emoji-crlf"]
    others += sorted((CORPORA / "bbc" / "business").glob("*.txt"))[:50]
    others += sorted((CORPORA / "brat").rglob("*.txt"))[:50]
    others += sorted((CORPORA / "doccano").rglob("*.jsonl"))
    others += sorted((CORPORA / "doccano").rglob("*.csv"))
    files = [path for path in others if path.is_file()]
    assert len(files) > 50
    assert [str(path) for path in files if looks_like_conll(path)] == []


def _token_lines(path):
    """The non-blank lines as (token, tag), -DOCSTART- lines included (a reader that does
    not skip them sees them as tokens)."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            parts = line.split("\t") if "\t" in line else line.split()
            found.append((parts[0], parts[-1]))
    return found


def test_a_file_without_docstart_comes_back_without_one(tmp_path, capsys):
    from desktop_app.cli import main

    source = _write(tmp_path / "plain.conll", SENTENCES, "BIO2", separator="\t")
    db, out = tmp_path / "p.sqlite", tmp_path / "out.conll"
    assert main(["import", "--db", str(db), str(source)]) == 0
    assert main(["export", "--db", str(db), "--format", "conll", "-o", str(out)]) == 0
    assert _token_lines(out) == _token_lines(source)
    assert "-DOCSTART-" not in capsys.readouterr().out


def test_docstart_separates_several_articles_and_is_reported(tmp_path, capsys):
    from desktop_app.cli import main

    one = _write(tmp_path / "one.conll", SENTENCES[:1], "BIO2", separator="\t")
    two = _write(tmp_path / "two.conll", SENTENCES[1:2], "BIO2", separator="\t")
    db, out = tmp_path / "p.sqlite", tmp_path / "out.conll"
    assert main(["import", "--db", str(db), str(one), str(two)]) == 0
    capsys.readouterr()
    assert main(["export", "--db", str(db), "--format", "conll", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    written = out.read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("-DOCSTART-") for line in written) == 1  # only the second
    assert not written[0].startswith("-DOCSTART-") and "-DOCSTART-" in said
    store = Store.memory()
    import_paths(store, [out], fmt="conll")
    assert store.stats()["articles"] == 2
