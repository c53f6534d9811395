"""Fixtures shared by every test package: the corpus HTTP server on 127.0.0.1, one per
session, and ``server``, the same with an empty route table and fresh counters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.run.support import HttpServer


@pytest.fixture(scope="session")
def http_server() -> Iterator[HttpServer]:
    server = HttpServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def server(http_server: HttpServer) -> HttpServer:
    """The session's server with an empty route table and fresh counters."""
    http_server.routes({})
    return http_server
