"""``ctrflow serve`` (also ``kedro serve``): the HTTP scorer on a trained model.

Its flags are ``ServeParams``' fields (``--max-body-bytes`` ...), with that model's
defaults; only ``--model`` and ``--log-level`` are the command's own. FastAPI,
uvicorn, torch and the Scorer load when the command runs, not when it registers.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from ctrflow.serving.params import ServeParams

# the catalog's `model` entry (conf/base/catalog.yml, data_root `data`)
DEFAULT_MODEL = Path("data") / "06_models" / "model.pt"


def resolve_model(path: Path) -> tuple[Path, str | None]:
    """The model file to load and its version.

    Args:
        path: a model file, or a versioned catalog entry's folder
            (``data/06_models/model.pt/<version>/model.pt``), whose latest version
            is taken (versions sort by their timestamp names, as Kedro sorts them).

    Returns:
        The file and its version (the name of its version folder; None for a file
        outside one).

    Raises:
        FileNotFoundError: when the path does not exist or holds no version.
    """
    if path.is_file():
        inside_a_version = path.parent.parent.name == path.name
        return path, path.parent.name if inside_a_version else None
    if path.is_dir():
        versions = sorted(p for p in path.glob(f"*/{path.name}") if p.is_file())
        if not versions:
            raise FileNotFoundError(
                f"{path} holds no saved version (<version>/{path.name}): train a "
                "model first (kedro run) or pass --model <file>"
            )
        return versions[-1], versions[-1].parent.name
    raise FileNotFoundError(
        f"{path} does not exist: train a model first (kedro run) or pass "
        "--model <model.pt file or its versioned folder>"
    )


def serve_params(values: dict[str, Any]) -> ServeParams:
    """``ServeParams`` from the command's flags, a bad value as a usage error.

    Raises:
        click.UsageError: naming each flag whose value is out of range.
    """
    try:
        return ServeParams(**values)
    except ValidationError as error:
        problems = "; ".join(
            f"--{str(e['loc'][0]).replace('_', '-')}: {e['msg']}"
            for e in error.errors()
        )
        raise click.UsageError(problems) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _run(model: Path, log_level: str, **values: Any) -> None:
    params = serve_params(values)
    try:
        file, version = resolve_model(model)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    # the heavy part: torch, the Scorer, FastAPI and uvicorn
    from ctrflow.scoring.scorer import Scorer  # noqa: PLC0415
    from ctrflow.serving.app import create_app  # noqa: PLC0415

    try:
        # weights and data only: TorchModelDataset's torch.load(weights_only=True)
        scorer = Scorer.from_artifact(file)
    except Exception as error:  # noqa: BLE001 - any load failure ends the command
        raise click.ClickException(f"cannot load the model {file}: {error}") from None
    app = create_app(scorer, params, model_version=version)
    if not _is_loopback(params.host):
        click.echo(
            f"warning: --host {params.host} opens the scorer to other machines; it "
            "has no authentication (put it behind a proxy that has)",
            err=True,
        )
    where = (
        f"http://{params.host}:{params.port}"
        if params.port
        else f"{params.host}, any free port (uvicorn names it below)"
    )
    click.echo(
        f"serving {file} (version {version or 'unknown'}) on {where} "
        "(POST /predict, GET /health)",
        err=True,
    )
    import uvicorn  # noqa: PLC0415

    uvicorn.run(
        app,
        host=params.host,
        port=params.port,
        log_level=log_level,
        limit_concurrency=params.max_concurrent_connections,
        timeout_keep_alive=5,
        server_header=False,
    )


def _limit_options() -> list[click.Option]:
    options = []
    for name, field in ServeParams.model_fields.items():
        options.append(
            click.Option(
                [f"--{name.replace('_', '-')}", name],
                type=type(field.default),
                default=field.default,
                show_default=True,
                help=field.description,
            )
        )
    return options


serve = click.Command(
    name="serve",
    callback=_run,
    params=[
        click.Option(
            ["--model", "model"],
            type=click.Path(path_type=Path),
            default=DEFAULT_MODEL,
            show_default=True,
            help="a model.pt file, or its versioned folder (the latest version "
            "inside is served)",
        ),
        *_limit_options(),
        click.Option(
            ["--log-level"],
            type=click.Choice(["critical", "error", "warning", "info", "debug"]),
            default="info",
            show_default=True,
            help="uvicorn's log level",
        ),
    ],
    help="Serve a trained model over HTTP: POST /predict with "
    '{"rows": [{field: value, ...}, ...]} answers {"probabilities": [...]}; '
    "GET /health. Binds to 127.0.0.1 unless --host says otherwise. "
    "See docs/serving.md.",
)
