"""The benchmark's sorts group: a figure for each order the list offers, in a quick run."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.core.store import SORTS  # noqa: E402


def test_quick_sorts_report_each_order(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--articles", "300",
         "--json", "--only", "sorts", "--workdir", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    figures = report["figures"]
    expected = {f"sort_{name}" for name in SORTS} | {
        "sort_relevance_common",
        "sort_relevance_frequent",
    }
    assert set(figures) == expected
    assert all(figures[key]["met"] is True for key in expected)  # 300 articles: instant
