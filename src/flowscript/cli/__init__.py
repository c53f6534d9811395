"""The ``flowscript`` command: the one place where exceptions become exit codes.

Commands live in ``app.py``; they import the engine lazily so ``--help`` stays fast.
No input ever produces a traceback (SPEC §10.1) unless ``FLOWSCRIPT_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys
import traceback

import click

from ..errors import FlowScriptError


def main(argv: list[str] | None = None) -> None:
    """Run the command line and exit with the code of SPEC §10.1."""
    from .app import app

    try:
        code = app.main(args=argv, prog_name="flowscript", standalone_mode=False)
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as usage:
        usage.show()
        code = usage.exit_code
    except click.exceptions.Abort:
        code = 130
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        code = 130
    except FlowScriptError as error:
        click.echo(f"error: {error.message}", err=True)
        code = error.exit_code
    except Exception as error:  # the boundary: report, never a traceback by default
        click.echo(f"internal error: {type(error).__name__}: {error}\n"
                   "This is a bug in flowscript; please report it with the workflow file.",
                   err=True)
        if os.environ.get("FLOWSCRIPT_DEBUG") == "1":
            traceback.print_exc()
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
