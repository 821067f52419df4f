"""The benchmark's learned group: its figures in a quick run, each with a target."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_learned_figures(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--only", "learned",
         "--json", "--repeats", "1", "--workdir", str(tmp_path)],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)["figures"]
    assert set(figures) == {
        "learned_propose_300k",
        "learned_edit_new_term",
        "learned_edit_counts",
        "learned_open_300k",
        "learned_edit_window",
    }
    assert all(f["unit"] == "ms" and f["target"] == "< 50 ms" for f in figures.values())
    assert "720 proposals in the article" in figures["learned_propose_300k"]["note"]
