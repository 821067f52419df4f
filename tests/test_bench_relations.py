"""The relations paint figure runs at its real size (it is small) and reports both figures."""

from bench.measure_relations import add_relations, measure_relations


def test_the_relations_figure_is_measured(tmp_path, qapp):
    figures = {figure.key: figure for figure in measure_relations(tmp_path, 1, quick=True)}
    assert set(figures) == {"relations_open_extra", "relations_scroll_page"}
    extra = figures["relations_open_extra"]
    assert extra.unit == "ms" and extra.target == "< 100 ms" and extra.met is not None
    assert "200 relations (200 read)" in extra.note  # the article really had them, shown
    assert add_relations  # used to build the article
