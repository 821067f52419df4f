"""The span note editor (F2): wraps its lines, grows with its text, saves with Ctrl+Return."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

_MIN_LINES, _MAX_LINES = 4, 20


class NoteEditor(QDialog):
    """A dialog editing one note; `note()` is the text when it was accepted."""

    def __init__(self, parent: QWidget | None, prompt: str, note: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Span note")
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.editor = QPlainTextEdit(note)
        self.editor.setAccessibleName("Note")
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.editor.setTabChangesFocus(True)
        layout.addWidget(self.editor)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setToolTip("Save the note (Ctrl+Return)")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # Return makes a new line in a note, so saving needs its own key.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self.accept)
        self.setMinimumWidth(520)
        self.editor.textChanged.connect(self._fit)
        self.editor.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()
        self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)

    def _fit(self) -> None:
        """Grow (or shrink) the text box to its wrapped lines, between 4 and 20 lines."""
        lines = 0
        block = self.editor.document().begin()
        while block.isValid():
            layout = block.layout()
            lines += max(1, layout.lineCount() if layout is not None else 1)
            block = block.next()
        lines = min(max(lines, _MIN_LINES), _MAX_LINES)
        metrics = self.editor.fontMetrics()
        margins = self.editor.contentsMargins()
        height = lines * metrics.lineSpacing() + 2 * int(self.editor.document().documentMargin())
        self.editor.setFixedHeight(height + margins.top() + margins.bottom() + 2)
        self.adjustSize()

    def note(self) -> str:
        """The note as written."""
        return self.editor.toPlainText()


def edit_note(parent: QWidget | None, prompt: str, note: str) -> str | None:
    """Ask for a note; the new text, or None when cancelled."""
    dialog = NoteEditor(parent, prompt, note)
    return dialog.note() if dialog.exec() == QDialog.DialogCode.Accepted else None
