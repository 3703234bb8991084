"""The HTTP scorer's settings: where it listens and what a request may hold."""

from __future__ import annotations

from pydantic import Field

from ctrflow.schema import StrictParams

_MIB = 1024 * 1024


class ServeParams(StrictParams):
    """Where ``ctrflow serve`` listens and the limits every request is held to.

    These defaults are the only ones: ``ctrflow serve --help`` shows them and each
    is a flag of that command (``max_body_bytes`` is ``--max-body-bytes``).

    Example::

        >>> ServeParams().host, ServeParams(port=9000).port
        ('127.0.0.1', 9000)
        >>> ServeParams(max_rows_per_request=50).max_fields_per_row
        1000
    """

    host: str = Field(
        "127.0.0.1",
        min_length=1,
        description="address to bind; 127.0.0.1 keeps the service on this "
        "machine (0.0.0.0 opens it to the network, without authentication)",
    )
    port: int = Field(8000, ge=0, le=65535, description="TCP port (0: any free one)")
    max_body_bytes: int = Field(
        _MIB,
        ge=1,
        description="largest request body accepted (larger: 413, before parsing)",
    )
    max_rows_per_request: int = Field(
        1000, ge=1, description="most rows one POST /predict may hold (more: 422)"
    )
    max_fields_per_row: int = Field(
        1000, ge=1, description="most fields one row may hold (more: 422)"
    )
    max_string_length: int = Field(
        1000,
        ge=1,
        description="longest string value or field name, in characters (longer: 422)",
    )
    max_list_length: int = Field(
        1000,
        ge=1,
        description="longest list value (a sequence field's ids), in items "
        "(longer: 422)",
    )
    request_timeout_seconds: float = Field(
        5.0,
        gt=0,
        description="time for reading and scoring one request (body not read in "
        "time: 408; scoring not done in time: 503)",
    )
    scoring_threads: int = Field(
        1,
        ge=1,
        description="threads scoring requests at once (others wait their turn "
        "within their timeout); torch uses its own threads inside each",
    )
    max_concurrent_connections: int = Field(
        64,
        ge=1,
        description="open connections and tasks the server takes at once (more: 503)",
    )
