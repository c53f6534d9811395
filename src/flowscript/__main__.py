"""``python -m flowscript``: the same command as ``flowscript``."""

from .cli import main

if __name__ == "__main__":
    main()
