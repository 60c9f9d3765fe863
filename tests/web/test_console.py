"""The web console: served at /console, static, and using only operator API endpoints."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from tests.support import Databases, RunningNode, running_node

# Endpoints the console uses only when they exist (it hides the panel on a 404).
OPTIONAL = {"/api/cdrs/disputes"}


@pytest.fixture
async def node(databases: Databases) -> AsyncIterator[RunningNode]:
    async with running_node(
        await databases.new(), [("NL", "CPO", "CPO")], admin_token="console-admin"
    ) as running:
        yield running


async def _page(node: RunningNode) -> tuple[str, str]:
    html = await node.client.get("/console")
    js = await node.client.get("/console/static/console.js")
    assert html.status_code == 200 and js.status_code == 200
    return html.text, js.text


async def test_console_page_is_served_with_a_strict_policy(node: RunningNode):
    r = await node.client.get("/console")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert r.headers["x-content-type-options"] == "nosniff"
    assert '<script src="/console/static/console.js" defer></script>' in r.text
    assert '<link rel="stylesheet" href="/console/static/console.css">' in r.text
    # no inline script nor handler: everything is in console.js
    assert re.findall(r"<script(?![^>]*\ssrc=)", r.text) == []
    assert not re.search(r"\son[a-z]+=", r.text)
    assert "console-admin" not in r.text
    css = await node.client.get("/console/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


async def test_only_the_console_files_are_served(node: RunningNode):
    for path in ("/console/static/nope.js", "/console/static/..%2Fconsole.py"):
        assert (await node.client.get(path)).status_code == 404
    assert "/console" not in (await node.client.get("/openapi.json")).json()["paths"]


def _template(path: str) -> str:
    return re.sub(r"\$\{[^}]*\}", "{}", path)


def _matches(path: str, templates: set[str]) -> bool:
    pattern = re.escape(path).replace(r"\{\}", "[^/]+")
    for template in templates:
        concrete = re.sub(r"\{[^}/]+\}", "x", template)
        if re.fullmatch(pattern, concrete):
            return True
    return False


async def test_console_calls_only_existing_operator_endpoints(node: RunningNode):
    _, js = await _page(node)
    used = {_template(p) for p in re.findall(r"[\"'`](/api/[^\"'`?]*)", js)}
    assert used >= {
        "/api/node",
        "/api/parties",
        "/api/peers",
        "/api/peers/{}/sync",
        "/api/peers/{}/update",
        "/api/peers/{}",
        "/api/tokens/registration",
        "/api/objects/{}",
        "/api/locations/{}/{}/{}/evses/{}",
        "/api/commands",
        "/api/commands/{}",
        "/api/outbox",
        "/api/outbox/replay",
        "/api/events",
        "/api/cdrs/disputes",
    }
    paths = set((await node.client.get("/openapi.json")).json()["paths"])
    missing = {p for p in used - OPTIONAL if not _matches(p, paths)}
    assert missing == set()


async def test_console_renders_data_as_text_only(node: RunningNode):
    html, js = await _page(node)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in js, sink
    assert "sessionStorage" in js and "localStorage" not in js
    assert '"Bearer " + token' in js
    assert "createTextNode" in js
    # every element the script looks up exists in the page
    ids = set(re.findall(r'\$\("([a-z-]+)"\)', js))
    assert ids and ids <= set(re.findall(r'id="([a-z-]+)"', html))


async def test_console_api_calls_need_the_token(node: RunningNode):
    assert (await node.client.get("/api/node")).status_code == 401
    r = await node.client.get("/api/node", headers={"Authorization": "Bearer console-admin"})
    assert r.status_code == 200
