"""Bad input to the operator API is a 4xx with ``{"detail": ...}``, never a 500.

DateTimes outside years 1000..9999 (or not strings), non-ASCII bearer tokens, ids beyond
64 bits, local party names that are not an OCPI ``string(100)``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.operator.conftest import Admin
from tests.transport.test_datetime_range import BAD as BAD_DATETIMES


@pytest.mark.parametrize("value", BAD_DATETIMES)
async def test_operator_put_with_a_bad_datetime_is_422(admin_cpo: Admin, value: Any):
    loc = factories.location("LOC1", last_updated="2026-01-01T00:00:00Z")
    loc["last_updated"] = value
    r = await admin_cpo.put("/locations/NL/CPO/LOC1", loc)
    assert r.status_code == 422, r.text
    assert any(e["loc"] == ["body", "last_updated"] for e in r.json()["detail"])
    assert (await admin_cpo.get("/objects/locations/NL/CPO/LOC1")).status_code == 404


@pytest.mark.parametrize("value", BAD_DATETIMES)
async def test_operator_patch_with_a_bad_datetime_is_422(admin_cpo: Admin, value: Any):
    r = await admin_cpo.put("/locations/NL/CPO/LOC1", factories.location("LOC1"))
    assert r.status_code == 201, r.text
    patch = {"status": "CHARGING", "last_updated": value}
    r = await admin_cpo.patch("/locations/NL/CPO/LOC1/evses/LOC1-1", patch)
    assert r.status_code == 422, r.text
    assert any(e["loc"] == ["body", "last_updated"] for e in r.json()["detail"])
    stored = (await admin_cpo.get("/objects/locations/NL/CPO/LOC1")).json()["data"]
    assert stored["evses"][0]["status"] == "AVAILABLE"
