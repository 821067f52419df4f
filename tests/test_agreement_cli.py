"""`marginalia agreement` on a real project equals the reference packages on the same data."""

import json
import random
import warnings

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from desktop_app.cli import main
from desktop_app.core.model import ArticleDraft, Label, LabelSchema
from desktop_app.core.store import Store

TAGS = ("Energy", "Politics", "Sport")
CODERS = ("alice", "bob", "carol")
SCHEMA = LabelSchema(
    "agree",
    (
        Label("Person", "span", "#ffadad", "p"),
        *(Label(tag, "document", "#caffbf") for tag in TAGS),
    ),
)


@pytest.fixture
def coded_project(tmp_path):
    """40 articles; each coder marks some 'done' and tags them (seeded), leaving others alone."""
    rng = random.Random(7)
    path = tmp_path / "team.sqlite"
    store = Store.open(path)
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft(f"Article number {i} text.", f"t{i}") for i in range(40)])
    truth = {}  # (coder, article) -> set of tags, only for articles the coder did
    for coder in CODERS:
        store.ensure_annotator(coder)
        for i in range(40):
            if rng.random() < 0.2:
                continue  # never opened: missing data, not "no tag"
            article = store.article_id(f"t{i}")
            store.set_status(article, coder, "done")
            chosen = {tag for tag in TAGS if rng.random() < 0.4}
            for tag in chosen:
                store.set_tag(article, tag, coder, True)
            truth[coder, i] = chosen
    store.close()
    return path, truth


def _figures(path, *args, capsys):
    assert main(["agreement", "--db", str(path), "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_kappa_per_tag_equals_sklearn(coded_project, capsys):
    path, truth = coded_project
    report = _figures(path, "--annotators", "alice,bob", capsys=capsys)
    [pair] = report["document_tags"]["cohen_kappa"]
    both = [i for i in range(40) if ("alice", i) in truth and ("bob", i) in truth]
    assert pair["common_articles"] == len(both)
    for tag in TAGS:
        a = [int(tag in truth["alice", i]) for i in both]
        b = [int(tag in truth["bob", i]) for i in both]
        expected = cohen_kappa_score(a, b)
        assert pair["per_label"][tag]["value"] == pytest.approx(expected, abs=1e-9)
        assert pair["per_label"][tag]["items"] == len(both)


def test_alpha_with_missing_data_equals_krippendorff(coded_project, capsys):
    path, truth = coded_project
    report = _figures(path, capsys=capsys)
    assert report["annotators"] == list(CODERS)
    alpha = report["document_tags"]["krippendorff_alpha"]
    for tag in TAGS:
        data = np.array(
            [
                [
                    float(tag in truth[coder, i]) if (coder, i) in truth else np.nan
                    for i in range(40)
                ]
                for coder in CODERS
            ]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert alpha["per_label"][tag]["value"] == pytest.approx(expected, abs=1e-9)


def test_span_figures_and_undefined_reasons(tmp_path, capsys):
    store = Store.open(tmp_path / "spans.sqlite")
    store.apply_schema(SCHEMA)
    store.add_articles([ArticleDraft("Nino met Amélie in Tbilisi.", "s1")])
    article = store.article_id("s1")
    store.add_span(article, 0, 4, "Person", "alice")
    store.add_span(article, 9, 15, "Person", "alice")
    store.add_span(article, 0, 4, "Person", "bob")
    store.add_span(article, 9, 13, "Person", "bob")  # overlaps alice's "Amélie"
    store.close()
    report = _figures(tmp_path / "spans.sqlite", capsys=capsys)
    [pair] = report["spans"]["pairs"]
    exact, overlap = pair["exact"]["per_label"]["Person"], pair["overlap"]["per_label"]["Person"]
    assert (exact["matched"], exact["only_a"], exact["only_b"]) == (1, 1, 1)
    assert exact["f1"]["value"] == pytest.approx(0.5)
    assert overlap["matched"] == 2 and overlap["f1"]["value"] == pytest.approx(1.0)
    # Nobody tagged a document: kappa is undefined and says why instead of printing a number.
    kappa = report["document_tags"]["cohen_kappa"][0]["overall"]
    assert kappa["value"] is None and kappa["why"]
    assert main(["agreement", "--db", str(tmp_path / "spans.sqlite")]) == 0
    text = capsys.readouterr().out
    assert "Person" in text and "no items" in text


def test_unknown_annotator_is_a_clear_error(coded_project, capsys):
    path, _ = coded_project
    assert main(["agreement", "--db", str(path), "--annotators", "alice,zed"]) == 1
    assert "zed" in capsys.readouterr().err
