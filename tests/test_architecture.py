"""The layering rules of DESIGN.md section 2, checked on the source."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "desktop_app"
STORE_PACKAGE = PACKAGE / "core" / "store"
MIGRATIONS = PACKAGE / "core" / "migrations.py"


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_never_imports_qt_or_ui():
    for path in (PACKAGE / "core").rglob("*.py"):
        for module in imported_modules(path):
            assert not module.startswith(("PySide6", "shiboken6", "desktop_app.ui")), (
                f"{path.name} imports {module}"
            )


def test_ui_never_speaks_sql_or_reads_yaml():
    for path in (PACKAGE / "ui").rglob("*.py"):
        for module in imported_modules(path):
            assert module.split(".")[0] not in {"sqlite3", "sqlite_utils", "yaml"}, (
                f"{path.name} imports {module}"
            )


def speaks_sql(path):
    return any(
        module.split(".")[0] in {"sqlite3", "sqlite_utils"} for module in imported_modules(path)
    )


def test_only_the_store_speaks_sql():
    # The exemptions must name real places that do speak SQL, or a move would void the rule.
    assert speaks_sql(MIGRATIONS)
    assert any(speaks_sql(path) for path in STORE_PACKAGE.rglob("*.py"))
    for path in PACKAGE.rglob("*.py"):
        if path == MIGRATIONS or STORE_PACKAGE in path.parents:
            continue
        for module in imported_modules(path):
            assert module.split(".")[0] not in {"sqlite3", "sqlite_utils"}, (
                f"{path.relative_to(PACKAGE)} imports {module}"
            )


def test_every_module_and_public_function_has_a_docstring():
    missing = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path.name != "__init__.py" and not ast.get_docstring(tree):
            missing.append(str(path.relative_to(PACKAGE)))
        for node in tree.body:
            public = isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name[0] != "_"
            if public and not ast.get_docstring(node):
                missing.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    assert missing == []


def test_only_the_sync_package_speaks_to_postgresql():
    sync = PACKAGE / "core" / "sync"
    assert any(
        module.split(".")[0] == "psycopg"
        for path in sync.rglob("*.py")
        for module in imported_modules(path)
    )
    for path in PACKAGE.rglob("*.py"):
        if sync in path.parents:
            continue
        for module in imported_modules(path):
            assert module.split(".")[0] != "psycopg", (
                f"{path.relative_to(PACKAGE)} imports {module}"
            )
