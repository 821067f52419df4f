"""Regression test for the PySide6 6.12.0 refcount bug on Python 3.11 (DESIGN.md section 11).

PySide6 6.12.0 drops a reference to None in QTextCursor.setPosition, mergeCharFormat and
QSyntaxHighlighter.setFormat; after a few thousand calls None is freed and the process dies in
`none_dealloc`. The calls run in a subprocess, so the crash fails this test instead of killing the
whole test run. Run it before lifting the `<6.12` pin in pyproject.toml.
"""

import os
import subprocess
import sys
import textwrap

CALLS = 10_000

SCRIPT = textwrap.dedent(
    f"""
    import sys

    from PySide6.QtGui import (
        QFont, QGuiApplication, QSyntaxHighlighter, QTextCharFormat, QTextCursor, QTextDocument,
    )

    app = QGuiApplication([])
    doc = QTextDocument("\\n".join(f"line {{i}} with a few words" for i in range({CALLS} // 5)))
    fmt = QTextCharFormat()
    fmt.setFontWeight(QFont.Weight.Bold)
    before = sys.getrefcount(None)

    cursor = QTextCursor(doc)
    for i in range({CALLS}):
        cursor.setPosition(i % 5000)
        cursor.setPosition(i % 5000 + 3, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(fmt)


    class Highlighter(QSyntaxHighlighter):
        calls = 0

        def highlightBlock(self, text):
            for k in range(0, 10, 2):
                self.setFormat(k, 1, fmt)
                Highlighter.calls += 1


    highlighter = Highlighter(doc)
    highlighter.rehighlight()
    after = sys.getrefcount(None)
    print("setFormat calls", Highlighter.calls)
    print("none refcount", before, after)
    print("ok")
    """
)


def test_many_cursor_and_highlighter_calls_do_not_corrupt_none():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    report = f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 0, report
    lines = result.stdout.splitlines()
    assert lines[-1] == "ok", report
    calls = next(int(line.split()[-1]) for line in lines if line.startswith("setFormat calls"))
    assert calls >= CALLS, report
    before, after = (
        int(n) for line in lines if line.startswith("none refcount") for n in line.split()[2:]
    )
    # Python 3.12+ makes None immortal (a huge constant count); on 3.11 a leak per call shows as
    # a drop of thousands. A handful of references may come and go legitimately.
    assert after > before - 1000, report
