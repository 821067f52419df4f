"""Finding what to import: links kept inside the chosen folder, other tools' extras skipped and
counted, and files read by what they hold, with the report saying how each was read."""

import json
import os
import zipfile
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.core.importing import import_paths
from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.store import Store


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _uids(store):
    from desktop_app.core.model import ArticleFilter

    return sorted(
        store.article(i).uid for ids in store.iter_article_ids(ArticleFilter()) for i in ids
    )


# ------------------------------------------------------------- links (issue 11 item 15)


def test_links_leaving_the_folder_are_not_followed_and_are_reported(tmp_path, capsys):
    outside = write(tmp_path / "secret" / "passwd.txt", "root:x:0:0")
    write(tmp_path / "secret" / "more.txt", "not for import")
    corpus = tmp_path / "corpus"
    write(corpus / "a.txt", "An article.")
    (corpus / "passwd.txt").symlink_to(outside)
    (corpus / "etc").symlink_to(tmp_path / "secret", target_is_directory=True)
    store = Store.memory()
    report = import_paths(store, [corpus])
    assert _uids(store) == ["corpus/a"]
    named = {Path(p.origin).name: p.reason for p in report.problems}
    assert set(named) == {"passwd.txt", "etc"}
    assert all("outside the chosen folder" in reason for reason in named.values())
    store.close()
    code = cli.main(["import", "--db", str(tmp_path / "p.db"), str(corpus)])
    err = capsys.readouterr().err
    assert code == 1 and "passwd.txt" in err and "outside the chosen folder" in err


def test_links_inside_the_folder_import_their_target_once_and_loops_end(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "news" / "a.txt", "An article.")
    (corpus / "alias.txt").symlink_to(corpus / "news" / "a.txt")
    (corpus / "news" / "again").symlink_to(corpus / "news", target_is_directory=True)
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    (corpus / "dangling.txt").symlink_to(corpus / "gone.txt")
    store = Store.memory()
    report = import_paths(store, [corpus])
    assert report.added == 1 and report.problems == []
    assert _uids(store) == ["news/a"]  # read under its own name, not the link's
    skipped = {Path(s.origin).name: s.reason for s in report.skipped}
    assert "dangling.txt" in skipped and "broken link" in skipped["dangling.txt"]
    store.close()


# ------------------------------------------------------ other tools' extras (issue 12 item 4)


def test_plain_folder_extras_are_skipped_and_counted_not_rejected(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    write(corpus / "a.txt", "An article.")
    write(corpus / "README.md", "# About")
    write(corpus / "LICENSE", "MIT")
    write(corpus / "photo.png", b"\x89PNG")
    write(corpus / ".DS_Store", b"\x00\x00\x00\x01Bud1")
    write(corpus / "Thumbs.db", b"\xd0\xcf")
    write(corpus / ".git" / "config", "[core]")
    write(corpus / ".git" / "HEAD", "ref: refs/heads/main")
    code = cli.main(["import", "--db", str(tmp_path / "p.db"), str(corpus)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "1 added" in out and "6 skipped" in out
    store = Store.memory()
    report = import_paths(store, [corpus])
    names = sorted(Path(s.origin).name for s in report.skipped)
    # A hidden folder counts once, not once per file inside it.
    assert names == sorted([".DS_Store", ".git", "LICENSE", "README.md", "Thumbs.db", "photo.png"])
    assert report.problems == []


def test_explicit_format_skips_system_files_but_takes_the_rest(tmp_path):
    corpus = tmp_path / "corpus"
    write(corpus / "a.jsonl", json.dumps({"text": "One.", "id": "one"}) + "\n")
    write(corpus / "notes.md", json.dumps({"text": "Two.", "id": "two"}) + "\n")
    write(corpus / "Thumbs.db", b"\xd0\xcf")
    store = Store.memory()
    report = import_paths(store, [corpus], fmt="jsonl")
    assert report.problems == [] and _uids(store) == ["one", "two"]
    assert [Path(s.origin).name for s in report.skipped] == ["Thumbs.db"]


# ------------------------------------------------------------- by content (issue 12 item 3)


def _refi_zip(tmp_path):
    from desktop_app.core.exporters.refi import export_refi

    source = Store.memory()
    source.apply_schema(LabelSchema("x", (Label("Person", "span", "#ffadad", "p"),)))
    source.add_articles([ArticleDraft("Nino met Amélie.", "e1")])
    source.add_span(source.article_id("e1"), 0, 4, "Person", "alice")
    export_refi(source, tmp_path / "team.qdpx")
    source.close()
    archive = tmp_path / "team.zip"
    (tmp_path / "team.qdpx").rename(archive)
    return archive


def test_zip_with_project_qde_is_read_as_refi_and_the_report_says_so(tmp_path, capsys):
    archive = _refi_zip(tmp_path)
    store = Store.memory()
    report = import_paths(store, [archive])
    assert report.problems == [] and report.added == 1
    assert report.formats == {"refi": 1}
    assert [Path(d.origin).name for d in report.detected] == ["team.zip"]
    assert "refi" in report.detected[0].reason
    assert "Person" in {label.name for label in store.labels()}
    assert [s.quote for s in store.spans(store.article_id(_uids(store)[0]))] == ["Nino"]
    store.close()
    code = cli.main(["import", "--db", str(tmp_path / "p.db"), str(archive)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "team.zip: read as refi" in out
    assert "read as refi 1" in out


def test_format_option_overrides_detection(tmp_path):
    archive = _refi_zip(tmp_path)
    store = Store.memory()
    report = import_paths(store, [archive], fmt="txt")
    assert report.detected == []
    assert report.formats.get("refi", 0) == 0
    store.close()


def test_json_lines_named_json_are_read_as_json_lines(tmp_path, capsys):
    lines = [{"text": "Nino met Amélie.", "label": [[0, 4, "Person"]]}, {"text": "Another one."}]
    path = write(tmp_path / "doccano.json", "".join(json.dumps(r) + "\n" for r in lines))
    store = Store.memory()
    report = import_paths(store, [path])
    assert report.problems == [] and report.added == 2 and report.spans_added == 1
    assert report.formats == {"jsonl": 1}
    assert "jsonl" in report.detected[0].reason
    store.close()


def test_label_studio_export_named_jsonl_is_read_as_label_studio(tmp_path):
    tasks = [
        {
            "id": 7,
            "data": {"text": "Nino met Amélie."},
            "annotations": [
                {
                    "completed_by": 1,
                    "result": [
                        {
                            "type": "labels",
                            "from_name": "label",
                            "to_name": "text",
                            "value": {"start": 0, "end": 4, "text": "Nino", "labels": ["Person"]},
                        }
                    ],
                }
            ],
        }
    ]
    path = write(tmp_path / "export.jsonl", json.dumps(tasks, indent=2))
    store = Store.memory()
    report = import_paths(store, [path])
    assert report.problems == [] and report.added == 1 and report.spans_added == 1
    assert report.formats == {"labelstudio": 1}
    store.close()


def test_ordinary_files_add_no_per_file_lines_only_counts(tmp_path, capsys):
    for n in range(30):
        write(tmp_path / "c" / f"{n:02}.txt", f"Article {n}.")
    write(tmp_path / "c" / "more.jsonl", json.dumps({"text": "x", "id": "x"}) + "\n")
    code = cli.main(["import", "--db", str(tmp_path / "p.db"), str(tmp_path / "c")])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "read as txt 30, jsonl 1" in out
    assert len(out.strip().splitlines()) == 1


def test_conll_columns_in_a_txt_file_are_read_as_conll(tmp_path):
    path = write(
        tmp_path / "tokens.txt",
        "Nino B-PER\nmet O\nAmélie B-PER\nin O\nTbilisi B-LOC\n. O\n\nOk O\n",
    )
    store = Store.memory()
    report = import_paths(store, [path])
    assert report.problems == [] and report.spans_added == 3
    assert report.formats == {"conll": 1}
    assert "conll" in report.detected[0].reason
    store.close()


@pytest.mark.skipif(os.name == "nt", reason="POSIX links")
def test_zip_members_that_are_links_are_still_refused(tmp_path):
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        info = zipfile.ZipInfo("passwd.txt")
        info.external_attr = (0o120777 << 16) | 0
        zipped.writestr(info, "/etc/passwd")
    store = Store.memory()
    report = import_paths(store, [archive])
    assert report.added == 0 and "is a link" in report.problems[0].reason


def test_auto_mode_asks_looks_like_conll_for_txt_and_tsv_files(tmp_path, monkeypatch):
    # The wiring: a stand-in says which files are CoNLL.
    from desktop_app.core.importers import conll

    asked = []

    def looks_like_conll(path):
        asked.append(path.name)
        return path.name == "tokens.txt"

    monkeypatch.setattr(conll, "looks_like_conll", looks_like_conll)
    write(tmp_path / "c" / "tokens.txt", "Nino B-PER\nmet O\nTbilisi B-LOC\n")
    write(tmp_path / "c" / "article.txt", "Nino met Amélie.")
    write(tmp_path / "c" / "pair.txt", "Nino met.")
    write(tmp_path / "c" / "pair.ann", "T1\tPerson 0 4\tNino\n")
    store = Store.memory()
    report = import_paths(store, [tmp_path / "c"])
    assert report.problems == [] and report.spans_added == 3
    assert report.formats == {"brat": 1, "conll": 1, "txt": 1}
    assert [Path(d.origin).name for d in report.detected] == ["tokens.txt"]
    assert "read as conll, not txt" in report.detected[0].reason
    assert sorted(asked) == ["article.txt", "tokens.txt"]  # a brat pair's text is not asked
    explicit = import_paths(Store.memory(), [tmp_path / "c" / "tokens.txt"], fmt="txt")
    assert explicit.formats == {"txt": 1} and explicit.detected == []
    store.close()
