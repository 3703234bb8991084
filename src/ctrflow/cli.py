"""The project's ``kedro run`` (Kedro takes a project's ``cli.py`` commands over
its own): Kedro's run command with the same options, plus

- a log file: every run writes its whole log, and the traceback of an error, to
  ``logs/ctrflow.log`` in the project (the last runs' logs are kept as
  ``ctrflow.log.1`` ... ``.4``);
- errors a person can read: an error ends the run with one block (what failed,
  where, what to do, where the log is) and exit code 1, no traceback on the
  console; ``--traceback`` or ``CTRFLOW_TRACEBACK=1`` prints it too;
- ``--pipeline=<name>`` as Kedro's ``--pipelines=<name>``, without Kedro's
  deprecation warning for it.

and ``kedro serve``, the HTTP scorer (``ctrflow.serving.cli``, also ``ctrflow serve``).

The summary a successful run ends with comes from ``ctrflow.hooks``.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback as tb
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import click
from kedro.framework.cli.project import run as kedro_run
from kedro.framework.cli.utils import CONTEXT_SETTINGS
from kedro.framework.project import settings
from kedro.io import DatasetError
from kedro.validation.exceptions import ParameterValidationError

from ctrflow.hooks import RunReportHooks, Step
from ctrflow.schema import where_to_set
from ctrflow.serving.cli import serve

TRACEBACK_ENV = "CTRFLOW_TRACEBACK"
LOG_FILE = Path("logs") / "ctrflow.log"
_KEPT_LOGS = 4
# the console gets the error block; this logger writes the traceback to the file only
_file_log = logging.getLogger("ctrflow.run_log")
_file_log.propagate = False
_RULE = "-" * 72
_LOG_HANDLER = "ctrflow_log_file"
# the root and the two loggers that do not propagate (the summary prints plainly,
# the traceback only goes to the file)
_FILE_LOGGERS = ("", "ctrflow.run_summary", _file_log.name)


@click.group(context_settings=CONTEXT_SETTINGS, name=__file__)
def cli() -> None:
    """ctrflow's project commands (they replace Kedro's of the same name)."""


def stop_log_file() -> None:
    """Close the log file ``start_log_file`` opened (if any)."""
    for name in _FILE_LOGGERS:
        target = logging.getLogger(name)
        for handler in [h for h in target.handlers if h.get_name() == _LOG_HANDLER]:
            target.removeHandler(handler)
            handler.close()


def start_log_file(project_path: Path) -> Path:
    """Send every log record of this process to ``<project>/logs/ctrflow.log``,
    the previous run's log moving to ``ctrflow.log.1`` (four are kept)."""
    stop_log_file()
    path = project_path / LOG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        path, backupCount=_KEPT_LOGS, encoding="utf-8", delay=True
    )
    if path.exists() and path.stat().st_size:
        handler.doRollover()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    )
    handler.set_name(_LOG_HANDLER)
    for name in _FILE_LOGGERS:
        logging.getLogger(name).addHandler(handler)
    if _file_log.level == logging.NOTSET:
        _file_log.setLevel(logging.INFO)
    return path


# the error block repeats what these loggers' errors say: the console leaves them
# out, the log file keeps them
_REPEATED_BY_THE_BLOCK = ("kedro.pipeline.node", "kedro.validation.parameter_validator")


class _LeaveOutRepeatedErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.levelno >= logging.ERROR and record.name in _REPEATED_BY_THE_BLOCK
        )


def quiet_repeated_errors() -> None:
    """Leave the errors the block repeats out of the console handlers."""
    for handler in logging.getLogger().handlers:
        if handler.get_name() == _LOG_HANDLER:
            continue
        if not any(isinstance(f, _LeaveOutRepeatedErrors) for f in handler.filters):
            handler.addFilter(_LeaveOutRepeatedErrors())


def format_error(
    error: BaseException, step: Step | None, log_path: Path | str | None
) -> str:
    """The block a failed run ends with: what failed, where, what to do, the log.

    Example::

        >>> print(format_error(ValueError("bad\\nvalue"),
        ...     Step("running", "ingestion.split_logs_node"), "logs/ctrflow.log"))
        ------------------------------------------------------------------------
        kedro run failed: ValueError
          what   bad
                 value
          where  node ingestion.split_logs_node
          do     fix what the message names, then run the command again
          log    logs/ctrflow.log (the full traceback; --traceback or CTRFLOW_TRACEBACK=1 prints it here)
        ------------------------------------------------------------------------
    """
    what, where, advice = _explain(error, step)
    lines = [_RULE, f"kedro run failed: {type(error).__name__}"]
    lines += _field("what", what)
    lines += _field("where", where)
    lines += _field("do", advice)
    if log_path is not None:
        lines += _field(
            "log",
            f"{log_path} (the full traceback; --traceback or {TRACEBACK_ENV}=1 "
            "prints it here)",
        )
    lines.append(_RULE)
    return "\n".join(lines)


def _field(label: str, text: str) -> list[str]:
    first, *rest = text.splitlines() or [""]
    return [f"  {label:<7}{first}", *(f"         {line}" for line in rest)]


def _explain(error: BaseException, step: Step | None) -> tuple[str, str, str]:
    message = str(error).strip() or repr(error)
    if isinstance(error, ParameterValidationError):
        return (
            readable_parameter_error(message),
            "parameters (no node ran)",
            parameter_advice(parameter_keys(message)),
        )
    where = step.describe() if step else "before the pipeline started"
    if isinstance(error, DatasetError) and step and step.dataset:
        advice = (
            f"check the catalog entry {step.dataset!r} (conf/base/catalog.yml, "
            "overridden in conf/<env>/catalog.yml) and the file it names"
        )
    else:
        advice = "fix what the message names, then run the command again"
    return message, where, advice


def parameter_advice(keys: list[str]) -> str:
    """Where to set each parameter key (``training`` alone: a key of that block).

    Example::

        >>> parameter_advice(["training.batch_size"])
        'set training.batch_size in conf/<env>/parameters_training.yml (<env>: the environment you run with --env, local by default), or pass --params training.batch_size=<value>'
    """
    if not keys:
        return "fix the parameters named above"
    dotted = [key if "." in key else f"{key}.<key>" for key in keys]
    return "; ".join(where_to_set(key) for key in dotted) + (
        f", or pass --params {dotted[0]}=<value>"
    )


# pydantic names the member of a union a value failed (`batch_size.constrained-int`,
# `batch_size.literal['auto']`): the key is the part before it
_UNION_MEMBER = re.compile(
    r"(\.(constrained-\w+|literal\[.*\]|int|float|str|bool|none))+$"
)


_PYDANTIC_INPUT = re.compile(r"\s*\[type=(\w+), input_value=(.*), input_type=\w+\]$")
_KEDRO_HEADER = re.compile(
    r"^- Parameter '([^']+)': Failed to instantiate (\w+) for parameter '[^']+': "
    r"(\d+ validation errors?) for \w+$"
)
_MAX_SHOWN_VALUE = 60


def readable_parameter_error(message: str) -> str:
    """Kedro's parameter validation message without pydantic's reference links
    and type tags (the bad value stays when it is short).

    Example::

        >>> print(readable_parameter_error(
        ...     "Parameter validation failed:\\n- Parameter 'training': Failed to "
        ...     "instantiate TrainingParams for parameter 'training': 1 validation "
        ...     "error for TrainingParams\\nbatch_size\\n  Input should be greater "
        ...     "than or equal to 1 [type=greater_than_equal, input_value=0, "
        ...     "input_type=int]\\n    For further information visit "
        ...     "https://errors.pydantic.dev/2.14/v/greater_than_equal"))
        parameters 'training' (TrainingParams): 1 validation error
        batch_size
          Input should be greater than or equal to 1 (got 0)
    """
    lines = []
    for raw in message.splitlines():
        if raw.strip().startswith("For further information visit") or (
            raw.strip() == "Parameter validation failed:"
        ):
            continue
        text = _KEDRO_HEADER.sub(r"parameters '\1' (\2): \3", raw)
        if text and not text[0].isspace():
            text = _UNION_MEMBER.sub(" (one of its forms)", text)
        match = _PYDANTIC_INPUT.search(text)
        if match:
            kind, value = match.groups()
            text = text[: match.start()]
            if kind != "value_error" and len(value) <= _MAX_SHOWN_VALUE:
                text += f" (got {value})"
        lines.append(text)
    return "\n".join(lines)


_PARAMETER = re.compile(r"^- Parameter '([^']+)'")
_PYDANTIC_HEADER = re.compile(r"^\d+ validation errors? for \w+$")


def parameter_keys(message: str) -> list[str]:
    """The dotted parameter keys a validation message names (the block alone when
    pydantic gives no field).

    Example::

        >>> parameter_keys("Parameter validation failed:\\n- Parameter 'training':"
        ...     " Failed to instantiate TrainingParams for parameter 'training': 1 "
        ...     "validation error for TrainingParams\\nbatch_size\\n  Input should be"
        ...     " greater than or equal to 1 [type=greater_than_equal]")
        ['training.batch_size']
    """
    keys: list[str] = []
    block = None
    for line in message.splitlines():
        found = _PARAMETER.match(line)
        if found:
            block = found.group(1)
            keys.append(block)
        elif (
            block
            and line
            and not line[0].isspace()
            and not _PYDANTIC_HEADER.match(line)
        ):
            key = _UNION_MEMBER.sub("", f"{block}.{line.strip()}")
            if keys and keys[-1] == block:
                keys[-1] = key  # the block's first field replaces the bare block
            else:
                keys.append(key)
    return list(dict.fromkeys(keys))


def _project_path(obj: Any) -> Path:
    return Path(getattr(obj, "project_path", None) or Path.cwd())


def _report_hooks() -> RunReportHooks | None:
    return next((h for h in settings.HOOKS if isinstance(h, RunReportHooks)), None)


def _run(traceback: bool, **options: Any) -> dict[str, Any]:
    if options["pipeline"]:
        if options["pipelines"]:
            raise click.UsageError(
                "Options '--pipeline' and '--pipelines' cannot be used together"
            )
        options["pipelines"], options["pipeline"] = [options["pipeline"]], None
    project_path = _project_path(click.get_current_context().obj)
    log_path = start_log_file(project_path)
    quiet_repeated_errors()
    _file_log.info("kedro %s", " ".join(sys.argv[1:]))
    hooks = _report_hooks()
    if hooks:
        hooks.reset()
    try:
        return kedro_run.callback(**options)
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except Exception as error:
        _file_log.error("kedro run failed", exc_info=error)
        if traceback or os.environ.get(TRACEBACK_ENV, "") not in ("", "0"):
            click.echo("".join(tb.format_exception(error)), err=True, nl=False)
        step = hooks.failed_step if hooks else None
        shown_log = _relative(log_path, Path.cwd())
        click.echo(format_error(error, step, shown_log), err=True)
        raise SystemExit(1) from None
    finally:
        stop_log_file()


def _relative(path: Path, start: Path) -> str:
    try:
        return path.relative_to(start).as_posix()
    except ValueError:
        return str(path)


run = click.Command(
    name="run",
    callback=_run,
    params=[
        *kedro_run.params,
        click.Option(
            ["--traceback"],
            is_flag=True,
            help=f"Print the full traceback of an error (also: {TRACEBACK_ENV}=1); "
            "it is always in logs/ctrflow.log.",
        ),
    ],
    help=kedro_run.help,
    context_settings=CONTEXT_SETTINGS,
)
cli.add_command(run)
# `kedro serve`, the same command as `ctrflow serve` (ctrflow.serving.cli)
cli.add_command(serve)
