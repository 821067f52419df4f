"""File > Team server…: the server's address, who you are, test, sync now, automatic sync."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.sync.live import join_url, split_url

PASSWORD_NOTE = (
    "The password is kept only while this window is open, never in the project. "
    "libpq's own places work too and need nothing typed here: PGPASSWORD, ~/.pgpass "
    "or a service file (PGSERVICE)."
)


class TeamServerDialog(QDialog):
    """The team server's settings; the controller does the work its buttons ask for."""

    test_asked = Signal()
    sync_asked = Signal()
    automatic_changed = Signal(bool)

    def __init__(self, url: str, automatic: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Team server")
        self.setMinimumWidth(560)
        address, user = split_url(url)
        self.address = QLineEdit(address)
        self.address.setPlaceholderText("postgresql://db.example.org/team")
        self.user = QLineEdit(user)
        self.user.setPlaceholderText("your PostgreSQL login (e.g. ana)")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("only for this session (optional)")
        note = QLabel(PASSWORD_NOTE)
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Server address:", self.address)
        form.addRow("User:", self.user)
        form.addRow("Password:", self.password)
        form.addRow("", note)
        self.automatic = QCheckBox(
            "Automatic sync (after edits, every minute, and live updates from colleagues)"
        )
        self.automatic.setChecked(automatic)
        self.automatic.toggled.connect(self.automatic_changed)
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_asked)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.clicked.connect(self.sync_asked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.sync_button)
        buttons.addStretch(1)
        self.outcome = QLabel("")
        self.outcome.setObjectName("team_result")
        self.outcome.setWordWrap(True)
        self.outcome.setMinimumHeight(48)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.automatic)
        layout.addLayout(buttons)
        layout.addWidget(self.outcome)
        layout.addWidget(close)

    def url(self) -> str:
        """The server URL the fields give (no password in it)."""
        return join_url(self.address.text(), self.user.text())

    def typed_password(self) -> str | None:
        """The password typed for this session (None: libpq finds it)."""
        return self.password.text() or None

    def show_result(self, text: str) -> None:
        """Say what the last test or sync did."""
        self.outcome.setText(text)
