"""One name is one kind: a span label never tags a document, and a tag never marks a span."""

import json
import re
import zipfile

from desktop_app.core.importing import import_paths
from desktop_app.core.model import Label, LabelSchema
from desktop_app.core.store import Store

TEXT = "The minister said prices rise."


def test_import_leaves_out_annotations_whose_label_is_the_other_kind(tmp_path):
    store = Store.memory()
    store.apply_schema(LabelSchema("s", (Label("Person", "span"), Label("Energy", "document"))))
    record = {
        "uid": "a",
        "text": TEXT,
        "spans": [
            {"start": 4, "end": 12, "label": "Person", "annotator": "ana"},
            {"start": 18, "end": 24, "label": "Energy", "annotator": "ana"},
            {"start": 25, "end": 29, "label": "Energy", "annotator": "ana"},
        ],
        "tags": [
            {"label": "Energy", "annotator": "ana"},
            {"label": "Person", "annotator": "ana"},
        ],
    }
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    report = import_paths(store, [path])
    assert (report.added, report.spans_added, report.tags_added) == (1, 1, 1)
    reasons = sorted(p.reason for p in report.problems)
    assert reasons == [
        "1 document tags labelled 'Person' were not added: 'Person' is a span label in this "
        "project (a name is one kind)",
        "2 spans labelled 'Energy' were not added: 'Energy' is a document tag in this "
        "project (a name is one kind)",
    ]
    assert all(p.origin == f"{path}:1" for p in report.problems)
    article = store.article_id("a")
    assert [s.label for s in store.spans(article)] == ["Person"]
    assert [t.label for t in store.tags(article)] == ["Energy"]
    store.close()


def test_refi_code_on_selections_and_whole_sources_is_a_span_label(tmp_path):
    guid = "0d6ad2b5-0000-4000-8000-{:012d}"
    project = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="mixed">
 <Users><User guid="{guid.format(1)}" name="ana"/></Users>
 <CodeBook><Codes>
  <Code guid="{guid.format(2)}" name="Claim" isCodable="true" color="#FFADAD"/>
  <Code guid="{guid.format(3)}" name="Energy" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="{guid.format(4)}" name="one">
   <PlainTextContent>{TEXT}</PlainTextContent>
   <PlainTextSelection guid="{guid.format(5)}" startPosition="4" endPosition="12">
    <Coding guid="{guid.format(6)}" creatingUser="{guid.format(1)}">
     <CodeRef targetGUID="{guid.format(2)}"/></Coding>
   </PlainTextSelection>
   <Coding guid="{guid.format(7)}" creatingUser="{guid.format(1)}">
    <CodeRef targetGUID="{guid.format(3)}"/></Coding>
  </TextSource>
  <TextSource guid="{guid.format(8)}" name="two">
   <PlainTextContent>{TEXT}</PlainTextContent>
   <Coding guid="{guid.format(9)}" creatingUser="{guid.format(1)}">
    <CodeRef targetGUID="{guid.format(2)}"/></Coding>
  </TextSource>
 </Sources>
</Project>"""
    path = tmp_path / "mixed.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", project)
    store = Store.memory()
    report = import_paths(store, [path])
    assert report.added == 2 and not report.problems, report.problems
    kinds = {label.name: label.kind for label in store.labels()}
    assert kinds == {"Claim": "span", "Energy": "document"}
    one, two = (
        store.article_id(f"qdpx:{guid.format(4)}"),
        store.article_id(f"qdpx:{guid.format(8)}"),
    )
    assert [(s.label, s.quote) for s in store.spans(one)] == [("Claim", "minister")]
    assert [t.label for t in store.tags(one)] == ["Energy"]
    # "Claim" coded on the whole second source: a span over its whole text.
    assert [(s.label, s.start, s.end, s.annotator) for s in store.spans(two)] == [
        ("Claim", 0, len(TEXT), "ana")
    ]
    assert store.tags(two) == []
    store.close()


def test_refi_codebook_oddities_become_distinct_labels(tmp_path):
    project = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="odd"><CodeBook><Codes>
 <Code guid="c1" name="Politics" isCodable="false">
  <Code guid="c2" name="Claim" isCodable="true" color="#ggg"/></Code>
 <Code guid="c3" name="Economy" isCodable="false">
  <Code guid="c4" name="Claim" isCodable="true" color="#0A0"/>
  <Code guid="c5" name="claim" isCodable="true"/></Code>
 <Code guid="c6" name="  " isCodable="true"/>
 <Code name="No guid" isCodable="true" color="red"/>
 <Code guid="c7" name="No guid" isCodable="true"/>
</Codes></CodeBook></Project>"""
    path = tmp_path / "odd.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", project)
    store = Store.memory()
    report = import_paths(store, [path])
    assert not report.problems
    labels = {label.name: label for label in store.labels()}
    assert {name: label.group for name, label in labels.items()} == {
        "Claim": "Politics",
        "Claim (Economy)": "Economy",
        "claim 2": "Economy",  # names that differ only by case are one name
        "(unnamed code)": "",
        "No guid": "",
        "No guid 2": "",
    }
    assert labels["Claim (Economy)"].color == "#00aa00"
    # "#ggg" and "red" are no hex colours: each gets a colour of the project's own.
    assert all(re.fullmatch("#[0-9a-f]{6}", label.color) for label in labels.values())
    store.close()
