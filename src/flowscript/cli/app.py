"""Command and option declarations of SPEC §10.1–§10.6; each command delegates to a
module that is imported only when the command runs."""

from __future__ import annotations

import os

import click

from .. import __version__

FORMAT_TEXT_JSON = click.Choice(["text", "json"])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="flowscript")
@click.option("--no-color", is_flag=True, help="Plain output without colours.")
def app(no_color: bool) -> None:
    """FlowScript: parse, validate and run .flow.md workflow files."""
    if no_color:
        os.environ["NO_COLOR"] = "1"


@app.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Warnings make a file invalid.")
def validate(files: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Parse and validate workflow files (SPEC §10.3)."""
    from .check import validate_files

    raise click.exceptions.Exit(validate_files(files, fmt, strict))


@app.command()
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "mermaid", "dot"]),
              default="text", show_default=True)
def inspect(file: str, fmt: str) -> None:
    """Show a workflow's settings, nodes, dependencies and plan (SPEC §10.4)."""
    from .check import inspect_file

    raise click.exceptions.Exit(inspect_file(file, fmt))


def _run_options(command: click.Command) -> click.Command:
    """Options shared by ``run`` and ``resume``."""
    options = [
        click.option("--secrets-file", type=click.Path(dir_okay=False),
                     help="Secret values: a JSON object or NAME=VALUE lines."),
        click.option("--max-concurrency", type=click.IntRange(min=1),
                     help="Most top-level nodes running at once."),
        click.option("--timeout", "run_timeout", metavar="DURATION",
                     help="Limit for the whole run (e.g. 90s, 5m)."),
        click.option("--retry", "retry_spec", metavar="SPEC",
                     help="Default retry policy: N or field=value pairs."),
        click.option("--approve", multiple=True, metavar="ID[=ACTION]",
                     help="Answer a checkpoint (repeatable)."),
        click.option("--answers", type=click.Path(dir_okay=False),
                     help="JSON file of checkpoint answers."),
        click.option("--state-dir", type=click.Path(file_okay=False),
                     help="Where run states live (default .flowscript/runs)."),
        click.option("--no-log", is_flag=True, help="Do not write the execution log."),
        click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text",
                     show_default=True),
        click.option("-q", "--quiet", is_flag=True, help="Print only the summary and errors."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@app.command()
@click.argument("file")
@click.option("-c", "--config", "config_pairs", multiple=True, metavar="KEY=VALUE",
              help="Set a config value (repeatable).")
@click.option("--config-file", type=click.Path(dir_okay=False),
              help="JSON or YAML mapping of config values.")
@click.option("--input", "input_arg", metavar="JSON|@PATH|-", help="Workflow input.")
@click.option("--base-dir", type=click.Path(file_okay=False),
              help="Base directory for relative paths.")
@click.option("--allow-any-path", is_flag=True, help="Disable path confinement.")
@click.option("--no-persist", is_flag=True, help="Do not write a state file.")
@click.option("--dry-run", is_flag=True, help="Resolve everything and print the plan.")
@click.option("--strict", is_flag=True, help="Refuse to run when there are warnings.")
@_run_options
def run(file: str, **options: object) -> None:
    """Run a workflow (SPEC §10.2)."""
    from .execute import run_command

    raise click.exceptions.Exit(run_command(file, options))


@app.command()
@click.argument("target", metavar="STATE|RUN_ID")
@click.option("--force", is_flag=True, help="Resume even if the workflow file changed.")
@click.option("--workflow", "workflow_path", type=click.Path(dir_okay=False),
              help="The workflow file, when it moved.")
@click.option("-c", "--config", "config_pairs", multiple=True, hidden=True)
@click.option("--input", "input_arg", hidden=True)
@_run_options
def resume(target: str, **options: object) -> None:
    """Continue a failed, cancelled, waiting or killed run (SPEC §10.5)."""
    from .execute import resume_command

    raise click.exceptions.Exit(resume_command(target, options))


@app.command()
@click.option("--workflow", "workflow_name", metavar="NAME", help="Only runs of this workflow.")
@click.option("--status", type=click.Choice(
    ["pending", "running", "completed", "failed", "waiting", "cancelled"]))
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--state-dir", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=FORMAT_TEXT_JSON, default="text", show_default=True)
def runs(workflow_name: str | None, status: str | None, limit: int, state_dir: str | None,
         fmt: str) -> None:
    """List runs found in the state directory, newest first (SPEC §10.6)."""
    from .execute import runs_command

    raise click.exceptions.Exit(runs_command(workflow_name, status, limit, state_dir, fmt))
