"""Turning option values into Python values without importing pydantic.

Typer (0.29 and later) coerces every value of a command it runs through a pydantic TypeAdapter
built for the parameter: importing pydantic and building the adapters costs more CPU than the
rest of a cold ``ikg query`` (bench/RESULTS.md). The values of ikg's options are plain: strings,
paths, whole numbers, decimals and the members of an Enum. Those are coerced here, the way typer
coerces them (for a path and a choice with typer's own functions, after the one step for which
typer asks pydantic: a string made a ``Path``). Anything else (a value that does not read as the
type, an annotation or a parameter setting not handled here) goes to typer's own coercion, so
every error message stays typer's. With a typer that coerces otherwise, nothing is changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

try:
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer._param_types import coerce_cli_choice, coerce_cli_path
except ImportError:  # a typer that does not coerce with pydantic: nothing to do
    RuntimeParam = None  # type: ignore[assignment,misc]

# Numbers as every reader writes them (anything else, such as "+5", "007" or "1e3", goes to typer).
_WHOLE = re.compile(r"-?(0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")


class _NotPlain(Exception):
    """A value or parameter that typer's own coercion must handle."""


def _plain_parameter(descriptor: Any) -> bool:
    info = descriptor.parameter_info
    return (
        info.parser is None
        and info.min is None
        and info.max is None
        and not info.clamp
        and not info.allow_dash
        and not info.resolve_path
        and info.path_type is None
        and descriptor.file_annotation is None
    )


def _leaf(annotation: Any, value: Any, info: Any, param: Any, ctx: Any) -> Any:
    if annotation is bool and type(value) is bool:
        return value
    if annotation is str and isinstance(value, str):
        return value
    if annotation is Path and isinstance(value, str | Path):
        return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
    if annotation is int and type(value) is int:
        return value
    if annotation is int and isinstance(value, str) and _WHOLE.fullmatch(value):
        return int(value)
    if annotation is float and type(value) in (int, float):
        return float(value)
    if annotation is float and isinstance(value, str) and _DECIMAL.fullmatch(value):
        return float(value)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        try:
            return coerce_cli_choice(
                value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx
            )
        except ValueError:
            raise _NotPlain from None
    raise _NotPlain


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        """Coerces plain values itself and hands everything else to typer's coercion."""

        descriptor: TypeDescriptor

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            annotation, info = self.annotation, self.parameter_info
            try:
                if get_origin(annotation) is list and isinstance(value, list | tuple):  # type: ignore[comparison-overlap]
                    (item_type,) = get_args(annotation)
                    return [_leaf(item_type, item, info, param, ctx) for item in value]
                return _leaf(annotation, value, info, param, ctx)
            except _NotPlain:
                typer_own = build_runtime_param(self.descriptor)
                return typer_own._coerce_value(value, param=param, ctx=ctx)


def coerce_plainly(command: Any, ctx: Any) -> None:
    """Give each parameter of ``command`` (its help option too) that has only plain values the
    coercion above, before typer builds its own for it (when the command first runs)."""
    if RuntimeParam is None:
        return
    for param in command.get_params(ctx):
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", False) is not None:
            continue
        if _plain_parameter(descriptor):
            param._runtime_param = PlainRuntimeParam(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
            )
