"""Test set-up: run Qt without a display (DESIGN.md section 11)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
