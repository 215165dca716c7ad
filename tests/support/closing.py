"""Fixtures for what a test starts and must stop: local servers, a browser, a database server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any, Literal, Protocol, TypeVar

import pytest


class Closable(Protocol):
    def close(self) -> None: ...


T = TypeVar("T", bound=Closable)


def closing_fixture(
    make: Callable[[], T], doc: str, scope: Literal["function", "module", "session"] = "function"
) -> Any:
    """A pytest fixture (named by the variable it is assigned to) that makes one `make()` for each test, module or
    session (`scope`) and closes it when that ends, even when a test failed."""

    def fixture() -> Iterator[T]:
        with closing(make()) as thing:
            yield thing

    fixture.__doc__ = doc
    return pytest.fixture(scope=scope)(fixture)
