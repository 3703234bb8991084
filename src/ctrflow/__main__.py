"""ctrflow file for ensuring the package is executable
as `ctrflow` and `python -m ctrflow`: ``ctrflow serve ...`` is the HTTP scorer
(``ctrflow.serving.cli``), anything else is the project's ``kedro run``.
"""

import sys
from pathlib import Path
from typing import Any


def main(*args, **kwargs) -> Any:
    interactive = hasattr(sys, "ps1")
    kwargs["standalone_mode"] = not interactive
    argv = list(args[0] if args else kwargs.get("args") or sys.argv[1:])
    if argv[:1] == ["serve"]:
        from ctrflow.serving.cli import serve  # noqa: PLC0415 - only for this command

        kwargs.pop("args", None)
        return serve.main(argv[1:], prog_name="ctrflow serve", **kwargs)

    # Kedro sets up its logging on import: `serve` leaves it to uvicorn
    from kedro.framework.cli.utils import find_run_command  # noqa: PLC0415
    from kedro.framework.project import configure_project  # noqa: PLC0415

    package_name = Path(__file__).parent.name
    configure_project(package_name)
    run = find_run_command(package_name)
    return run(*args, **kwargs)


if __name__ == "__main__":
    main()
