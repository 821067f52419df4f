"""The window's structure (DESIGN.md section 8), checked on the source: one controller per
feature over a project context, composed by a window that is no pile of mixins."""

import ast
from pathlib import Path

from PySide6.QtWidgets import QMainWindow

from desktop_app.ui.main_window import MainWindow

UI = Path(__file__).resolve().parents[1] / "desktop_app" / "ui"
FEATURES = {"edit", "label", "import", "export", "merge", "review", "safety", "bulk"}


def _tree(path):
    return ast.parse(path.read_text(encoding="utf-8"))


def _base_names(node):
    return [base.id if isinstance(base, ast.Name) else ast.unparse(base) for base in node.bases]


def _classes():
    """(module name, class node) for every class in desktop_app/ui."""
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ClassDef):
                yield path.stem, node


def _controllers():
    """Controller class name -> its module: every class built on Controller."""
    return {node.name: module for module, node in _classes() if "Controller" in _base_names(node)}


def _ui_imports(module):
    """The desktop_app.ui modules that `module` imports."""
    found = set()
    for node in ast.walk(_tree(UI / f"{module}.py")):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("desktop_app.ui."):
                found.add(node.module.split(".")[2])
            elif node.module == "desktop_app.ui":
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.split(".")[2]
                for alias in node.names
                if alias.name.startswith("desktop_app.ui.")
            )
    return found


def test_every_feature_has_a_controller():
    names = {name.removesuffix("Controller").lower() for name in _controllers()}
    assert names >= FEATURES, FEATURES - names


def test_no_class_is_made_of_controllers_or_a_window_and_a_controller():
    exclusive = {*_controllers(), "Controller", "QMainWindow"}
    composed = {*_controllers().values(), "main_window", "controller", "context"}
    for module, node in _classes():
        combined = [base for base in _base_names(node) if base in exclusive]
        assert len(combined) <= 1, f"{module}.{node.name} inherits from {combined}"
        if module in composed:  # no mixins of any kind where the window is put together
            assert len(node.bases) <= 1, f"{module}.{node.name} mixes {_base_names(node)}"


def test_the_window_is_a_plain_main_window():
    assert MainWindow.__bases__ == (QMainWindow,)
    ours = [cls for cls in MainWindow.__mro__ if cls.__module__.startswith("desktop_app")]
    assert ours == [MainWindow]


def test_controller_modules_never_import_each_other():
    controllers = _controllers()
    modules = set(controllers.values())
    assert len(modules) == len(controllers)  # one controller per module
    for module in modules:
        others = (_ui_imports(module) & modules) - {module}
        assert not others, f"{module} imports {sorted(others)}"


def test_controllers_take_other_features_only_as_protocols():
    controllers = _controllers()
    for name, module in controllers.items():
        [init] = [
            node
            for cls in ast.walk(_tree(UI / f"{module}.py"))
            if isinstance(cls, ast.ClassDef) and cls.name == name
            for node in cls.body
            if isinstance(node, ast.FunctionDef) and node.name == "__init__"
        ]
        for arg in init.args.args[1:]:
            assert arg.annotation is not None, f"{name}({arg.arg}) has no type"
            annotation = ast.unparse(arg.annotation)
            assert not any(other in annotation for other in controllers), (
                f"{name}({arg.arg}: {annotation}) takes a controller, not a protocol"
            )


def test_the_window_holds_no_feature_logic():
    # It reaches the core only to name the Store it is given, and stays small.
    core = {
        node.module
        for node in ast.walk(_tree(UI / "main_window.py"))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("desktop_app.core")
    }
    assert core == {"desktop_app.core.store"}
    for module in {*_controllers().values(), "main_window", "context", "controller"}:
        lines = (UI / f"{module}.py").read_text(encoding="utf-8").count("\n")
        assert lines < 400, f"{module}.py has {lines} lines"
