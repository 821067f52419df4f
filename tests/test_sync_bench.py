"""bench/sync.py at its smallest: processes, SIGKILLs and a server restart lose nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.usefixtures("pg_server")  # the binaries are there (else this fails, as the others)
def test_the_fault_run_loses_nothing_and_duplicates_nothing(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "sync.py"), "--tiny"],
        capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert (result["lost"], result["duplicated"], result["projects_differing"]) == (0, 0, 0)
    assert result["server_restarts"] == 1 and result["pending_after"] == 0
    assert result["pushed"] == 40 and result["pulled"] == 20
    # The first sync of a corpus seeded on the server: all of it, nothing refused.
    assert result["first sync of 20 articles, 200 spans (s)"] > 0
    assert result["corpus rows pulled"] == 220
    assert result["corpus held (articles, spans)"] == [20, 200]
    assert result["corpus problems"] == 0
    # Edit to colleague through the live listener: every edit arrived, each timed.
    assert result["edits timed"] == 3
    assert 0 < result["edit to colleague, median (s)"] <= result["edit to colleague, slowest (s)"]
