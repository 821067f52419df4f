"""`python main.py` starts Marginalia, exactly like the `marginalia` command."""

import sys

from desktop_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
