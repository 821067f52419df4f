"""The benchmark's suggest group: the gazetteer and open-article figures, in a quick run."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_suggest_reports_its_figures_with_baselines(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--articles", "300",
         "--json", "--only", "suggest", "--workdir", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)["figures"]
    assert set(figures) == {
        "gazetteer_match_rate",
        "gazetteer_store_rate",
        "suggestions_open_300k",
    }
    for key in ("gazetteer_match_rate", "gazetteer_store_rate"):
        figure = figures[key]
        assert figure["value"] > 0 and figure["baseline"] > 0 and figure["ratio"] > 0
        assert "300 articles" in figure["label"]
    assert "200 drawn" in figures["suggestions_open_300k"]["note"]
