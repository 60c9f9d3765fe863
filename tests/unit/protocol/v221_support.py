"""Helpers for the OCPI 2.2.1 wire-model tests: where the corpus and the OpenAPI schemas are.

``shared/`` (spec text, OpenAPI descriptions) lives beside the repository: ``/work/shared`` next
to ``/work/main`` on a workstation, a copy beside the clone in CI. Tests that need it skip with
a reason when it is missing; the copied spec examples under ``tests/data`` are always there.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ocpikit.types import format_datetime, parse_datetime

REPO = Path(__file__).resolve().parents[3]
SHARED = (REPO / ".." / "shared").resolve()
SPEC_EXAMPLES = SHARED / "ocpi-spec" / "2.2.1" / "examples"
OPENAPI = SHARED / "ocpi-openapi"
CORPUS = REPO / "tests" / "data" / "spec_examples" / "2.2.1"

needs_shared: pytest.MarkDecorator = pytest.mark.skipif(
    not (SHARED / "ocpi-openapi").is_dir() or not SPEC_EXAMPLES.is_dir(),
    reason=f"shared/ (OCPI spec text and OpenAPI schemas) not found at {SHARED}",
)


@functools.cache
def _retrieve(uri: str) -> Resource:
    doc = yaml.safe_load(Path(unquote(urlparse(uri).path)).read_text(encoding="utf-8"))
    return Resource.from_contents(doc, default_specification=DRAFT202012)


@functools.cache
def openapi_validator(file: str, name: str) -> Draft202012Validator:
    """Validator for ``components/schemas/<name>`` of the 2.2.1 OpenAPI ``file``."""
    uri = f"{(OPENAPI / '2.2.1' / file).resolve().as_uri()}#/components/schemas/{name}"
    return Draft202012Validator(
        {"$ref": uri}, registry=Registry(retrieve=_retrieve), format_checker=FormatChecker()
    )


def schema_errors(file: str, name: str, payload: Any) -> list[str]:
    """Return the OpenAPI validation errors of ``payload`` as ``path -> message`` lines."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'} -> {e.message}"
        for e in openapi_validator(file, name).iter_errors(payload)
    ]


_DATETIME_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$")


def normalise(value: Any) -> Any:
    """Make two JSON documents comparable: datetimes in OCPI's emitted form, numbers as Decimal."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Decimal(repr(value))
    if isinstance(value, str) and _DATETIME_TEXT.match(value):
        return format_datetime(parse_datetime(value))
    return value
