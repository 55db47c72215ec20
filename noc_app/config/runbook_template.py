"""The runbook template syntax: `{{ name }}` and nothing else (no expressions, filters or defaults).

Pure and shared: the config checks every placeholder names a declared parameter;
the runbook layer fills them with values that were validated first.  Filling is
context-aware: URL path segments and query values are percent-encoded (every
reserved character, '/' included), JSON bodies are encoded by json.dumps, argv
elements are passed as they are (never through a shell).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import quote

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_BRACES = re.compile(r"\{\{|\}\}")


class TemplateError(ValueError):
    """A template that is not `{{ name }}` syntax, or names something unknown."""


def placeholders(template: str) -> tuple[str, ...]:
    """The names a template uses, in order; raises TemplateError on stray or malformed braces."""
    names = []
    rest = PLACEHOLDER.sub("", template)
    if _BRACES.search(rest):
        raise TemplateError("only '{{ name }}' placeholders are allowed (a name of letters, digits and _)")
    for found in PLACEHOLDER.finditer(template):
        names.append(found.group(1))
    return tuple(names)


def body_strings(body: object) -> Iterator[str]:
    """Every string in a JSON-able body template (keys and values)."""
    stack = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, Mapping):
            for key, value in item.items():
                yield str(key)
                stack.append(value)
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def fill(template: str, values: Mapping[str, str], encode: Callable[[str], str] = lambda v: v) -> str:
    """Replace each placeholder with encode(value); an unknown name raises TemplateError."""
    def one(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in values:
            raise TemplateError(f"no value for '{{{{ {name} }}}}'")
        return encode(values[name])

    return PLACEHOLDER.sub(one, template)


def fill_url(template: str, values: Mapping[str, str]) -> str:
    """Fill a URL template: every value percent-encoded with no safe characters, in the path and the query alike.

    The template's scheme and host are fixed (checked in the config), so a value can
    neither change the host nor add a path segment or a query parameter.
    """
    return fill(template, values, lambda value: quote(value, safe=""))


def fill_body(body: object, values: Mapping[str, str]) -> object:
    """Fill every string of a body template (the result is JSON-encoded by the HTTP client)."""
    if isinstance(body, str):
        return fill(body, values)
    if isinstance(body, Mapping):
        return {fill(str(key), values): fill_body(value, values) for key, value in body.items()}
    if isinstance(body, (list, tuple)):
        return [fill_body(item, values) for item in body]
    return body


def authority_is_fixed(url_template: str) -> bool:
    """True when no placeholder comes before the path (scheme://host[:port]/ is written out)."""
    match = re.match(r"https?://[^/?#{}]+(/|$)", url_template)
    if match is None:
        return False
    first = PLACEHOLDER.search(url_template)
    return first is None or first.start() >= match.end()
