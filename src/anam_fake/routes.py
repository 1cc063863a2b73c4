"""How a request finds its endpoint: each API area registers its routes (method and path pattern) here.

An endpoint gets the account the key opened and the request, and returns an Answer: the status, the JSON
body and any extra headers. Requests no route claims get Anam's 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .account import Account

Answer = tuple[int, Any, dict[str, str]]


@dataclass(frozen=True)
class Call:
    """A well-formed request as an endpoint sees it: `params` are the groups its route's pattern captured;
    `origin` is where the fake was reached (for URLs that point back at it); `body` is decoded JSON, or a
    `forms.Form` for a multipart body."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    params: tuple[str, ...]
    origin: str = ""


Endpoint = Callable[["Account", Call], Answer]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    endpoint: Endpoint


class Routes:
    """One area's routes, in the order they are tried, registered with `@routes.get(pattern)` and the like.

    A pattern must match the whole path; put a narrower one before a broader one that also matches it.
    """

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def __iter__(self) -> Iterator[Route]:
        return iter(self.routes)

    def add(self, method: str, pattern: str) -> Callable[[Endpoint], Endpoint]:
        def register(endpoint: Endpoint) -> Endpoint:
            self.routes.append(Route(method, re.compile(pattern), endpoint))
            return endpoint

        return register

    def get(self, pattern: str) -> Callable[[Endpoint], Endpoint]:
        return self.add("GET", pattern)

    def post(self, pattern: str) -> Callable[[Endpoint], Endpoint]:
        return self.add("POST", pattern)

    def put(self, pattern: str) -> Callable[[Endpoint], Endpoint]:
        return self.add("PUT", pattern)

    def delete(self, pattern: str) -> Callable[[Endpoint], Endpoint]:
        return self.add("DELETE", pattern)


def route(
    routes: Iterable[Route],
    account: Account,
    method: str,
    path: str,
    query: dict[str, str],
    body: Any,
    origin: str = "",
) -> Answer:
    """The answer of the first route that takes `method` and matches `path`, or Anam's 404."""
    for candidate in routes:
        if candidate.method == method and (match := candidate.pattern.fullmatch(path)):
            return candidate.endpoint(account, Call(method, path, query, body, match.groups(), origin))
    return 404, error("Not found", f"Cannot {method} {path}"), {}


def error(title: str, message: str) -> dict[str, str]:
    """An error body the way Anam writes them."""
    return {"error": title, "message": message}
