"""Entry point: ``python main.py`` opens the window; ``python main.py --help`` lists the commands."""

from carequal_desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
