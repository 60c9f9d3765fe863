"""Sample data of the demo: a CPO's sites in Amsterdam and Utrecht, its tariffs, an eMSP's tokens.

Every object is a valid OCPI 2.2.1 object (JSON as on the wire), stamped with ``last_updated``
at the moment the demo loads it. Prices are excl. VAT with ``vat`` 21 % (the Dutch rate), as
``mod_tariffs.asciidoc §PriceComponent class`` has it.

- ``AC-STANDARD``: 0.35/kWh, and a parking fee of 2.00/h (billed per 5 minutes) for the time
  a car stays connected without charging between 09:00 and 21:00 local time.
- ``DC-FAST``: a 0.50 start fee, 0.59/kWh, and 0.20/min once a session lasts 45 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AC_TARIFF",
    "CPO",
    "DC_TARIFF",
    "EMSP",
    "START_AT",
    "DemoParty",
    "locations",
    "start_token",
    "tariffs",
    "tokens",
]


@dataclass(frozen=True, slots=True)
class DemoParty:
    country_code: str
    party_id: str
    role: str
    name: str

    @property
    def label(self) -> str:
        """``NL*DMO``: how a party is written in EVSE and contract ids."""
        return f"{self.country_code}*{self.party_id}"

    @property
    def spec(self) -> str:
        """``CC:PARTY_ID:ROLE:NAME`` as ``ocpikit init --party`` takes it."""
        return f"{self.country_code}:{self.party_id}:{self.role}:{self.name}"


CPO = DemoParty("NL", "DMO", "CPO", "Demo Charging B.V.")
EMSP = DemoParty("NL", "MSP", "EMSP", "Demo Mobility B.V.")

AC_TARIFF = "AC-STANDARD"
DC_TARIFF = "DC-FAST"

# Where the eMSP starts its session: the first fast charger of the Utrecht hub.
START_AT = ("UTR-JAARBEURS", "UTR-JAARBEURS-1", "1")

_VAT = 21.0


def _connector(cid: str, kind: str, now: str) -> dict[str, Any]:
    shapes: dict[str, dict[str, Any]] = {
        # 3-phase 32 A: 22 kW
        "AC22": {
            "standard": "IEC_62196_T2",
            "format": "SOCKET",
            "power_type": "AC_3_PHASE",
            "max_voltage": 230,
            "max_amperage": 32,
            "max_electric_power": 22000,
            "tariff_ids": [AC_TARIFF],
        },
        "CCS50": {
            "standard": "IEC_62196_T2_COMBO",
            "format": "CABLE",
            "power_type": "DC",
            "max_voltage": 500,
            "max_amperage": 125,
            "max_electric_power": 50000,
            "tariff_ids": [DC_TARIFF],
        },
        "CHADEMO50": {
            "standard": "CHADEMO",
            "format": "CABLE",
            "power_type": "DC",
            "max_voltage": 500,
            "max_amperage": 125,
            "max_electric_power": 50000,
            "tariff_ids": [DC_TARIFF],
        },
        "CCS150": {
            "standard": "IEC_62196_T2_COMBO",
            "format": "CABLE",
            "power_type": "DC",
            "max_voltage": 920,
            "max_amperage": 200,
            "max_electric_power": 150000,
            "tariff_ids": [DC_TARIFF],
        },
    }
    return {"id": cid, **shapes[kind], "last_updated": now}


def _evse(
    location_id: str, number: int, evse_id: str, connectors: list[str], now: str, **extra: Any
) -> dict[str, Any]:
    dc = any(not c.startswith("AC") for c in connectors)
    capabilities = ["RFID_READER", "REMOTE_START_STOP_CAPABLE"]
    capabilities += (
        ["CREDIT_CARD_PAYABLE", "CONTACTLESS_CARD_SUPPORT"] if dc else ["UNLOCK_CAPABLE"]
    )
    return {
        "uid": f"{location_id}-{number}",
        "evse_id": f"{CPO.label}*E{evse_id}",
        "status": "AVAILABLE",
        "capabilities": capabilities,
        "connectors": [_connector(str(i), c, now) for i, c in enumerate(connectors, start=1)],
        "physical_reference": f"{number:02d}",
        "last_updated": now,
        **extra,
    }


def _location(
    lid: str,
    name: str,
    address: str,
    postal_code: str,
    city: str,
    coordinates: tuple[str, str],
    parking_type: str,
    facilities: list[str],
    evses: list[dict[str, Any]],
    now: str,
) -> dict[str, Any]:
    return {
        "country_code": CPO.country_code,
        "party_id": CPO.party_id,
        "id": lid,
        "publish": True,
        "name": name,
        "address": address,
        "city": city,
        "postal_code": postal_code,
        "country": "NLD",
        "coordinates": {"latitude": coordinates[0], "longitude": coordinates[1]},
        "parking_type": parking_type,
        "evses": evses,
        "operator": {"name": CPO.name, "website": "https://charging.example.com"},
        "facilities": facilities,
        "time_zone": "Europe/Amsterdam",
        "opening_times": {"twentyfourseven": True},
        "energy_mix": {"is_green_energy": True, "supplier_name": "Demo Groene Stroom"},
        "last_updated": now,
    }


def locations(now: str) -> list[dict[str, Any]]:
    """Three sites, nine EVSEs: street-side AC, a garage with AC and DC, a fast charging hub."""
    westerpark = "AMS-WESTERPARK"
    zuidas = "AMS-ZUIDAS"
    jaarbeurs = "UTR-JAARBEURS"
    return [
        _location(
            westerpark,
            "Westerpark",
            "Haarlemmerweg 8",
            "1014 BE",
            "Amsterdam",
            ("52.386600", "4.875100"),
            "ON_STREET",
            ["RECREATION_AREA", "TRAM_STOP"],
            [
                _evse(westerpark, 1, "10101", ["AC22"], now),
                _evse(westerpark, 2, "10102", ["AC22"], now),
            ],
            now,
        ),
        _location(
            zuidas,
            "Zuidas parking garage",
            "Gustav Mahlerlaan 10",
            "1082 PP",
            "Amsterdam",
            ("52.338900", "4.873000"),
            "PARKING_GARAGE",
            ["TRAIN_STATION", "METRO_STATION", "RESTAURANT"],
            [
                _evse(zuidas, 1, "20101", ["AC22"], now, floor_level="-1"),
                _evse(zuidas, 2, "20102", ["AC22"], now, floor_level="-1"),
                _evse(zuidas, 3, "20201", ["CCS50", "CHADEMO50"], now, floor_level="-1"),
            ],
            now,
        ),
        _location(
            jaarbeurs,
            "Jaarbeurs fast charging hub",
            "Jaarbeursplein 6",
            "3521 AL",
            "Utrecht",
            ("52.089400", "5.107700"),
            "PARKING_LOT",
            ["TRAIN_STATION", "CAFE", "WIFI"],
            [_evse(jaarbeurs, n, f"3020{n}", ["CCS150"], now) for n in range(1, 5)],
            now,
        ),
    ]


def _text(en: str, nl: str) -> list[dict[str, str]]:
    return [{"language": "en", "text": en}, {"language": "nl", "text": nl}]


def tariffs(now: str) -> list[dict[str, Any]]:
    """The AC tariff (energy + daytime parking fee) and the DC tariff (start fee + energy)."""
    owner = {"country_code": CPO.country_code, "party_id": CPO.party_id}
    return [
        {
            **owner,
            "id": AC_TARIFF,
            "currency": "EUR",
            "type": "REGULAR",
            "tariff_alt_text": _text(
                "EUR 0.35 per kWh; parking after charging EUR 2.00 per hour from 09:00 to 21:00"
                " (excl. 21% VAT)",
                "EUR 0,35 per kWh; parkeren na het laden EUR 2,00 per uur van 09:00 tot 21:00"
                " (excl. 21% btw)",
            ),
            "elements": [
                {
                    "price_components": [
                        {"type": "ENERGY", "price": 0.35, "vat": _VAT, "step_size": 1}
                    ]
                },
                {
                    "price_components": [
                        {"type": "PARKING_TIME", "price": 2.00, "vat": _VAT, "step_size": 300}
                    ],
                    "restrictions": {"start_time": "09:00", "end_time": "21:00"},
                },
            ],
            "last_updated": now,
        },
        {
            **owner,
            "id": DC_TARIFF,
            "currency": "EUR",
            "type": "REGULAR",
            "tariff_alt_text": _text(
                "EUR 0.50 per session, EUR 0.59 per kWh, EUR 0.20 per minute after 45 minutes"
                " (excl. 21% VAT)",
                "EUR 0,50 per sessie, EUR 0,59 per kWh, EUR 0,20 per minuut na 45 minuten"
                " (excl. 21% btw)",
            ),
            "elements": [
                {
                    "price_components": [
                        {"type": "FLAT", "price": 0.50, "vat": _VAT, "step_size": 1}
                    ]
                },
                {
                    "price_components": [
                        {"type": "ENERGY", "price": 0.59, "vat": _VAT, "step_size": 1}
                    ]
                },
                {
                    "price_components": [
                        {"type": "TIME", "price": 12.00, "vat": _VAT, "step_size": 60}
                    ],
                    "restrictions": {"min_duration": 2700},
                },
            ],
            "last_updated": now,
        },
    ]


def _token(
    uid: str, kind: str, contract: str, visual: str, now: str, **extra: Any
) -> dict[str, Any]:
    return {
        "country_code": EMSP.country_code,
        "party_id": EMSP.party_id,
        "uid": uid,
        "type": kind,
        "contract_id": contract,
        "visual_number": visual,
        "issuer": EMSP.name,
        "valid": True,
        "whitelist": "ALLOWED",
        "language": "nl",
        "last_updated": now,
        **extra,
    }


def tokens(now: str) -> list[dict[str, Any]]:
    """Two RFID cards and an app user of the eMSP."""
    return [
        _token("04A1B2C3D4E580", "RFID", "NL-MSP-C00012345-7", "NL-MSP-012345-7", now),
        _token(
            "04A1B2C3D4E581",
            "RFID",
            "NL-MSP-C00012346-5",
            "NL-MSP-012346-5",
            now,
            whitelist="ALLOWED_OFFLINE",
            group_id="NL-MSP-FLEET-001",
        ),
        _token(
            "APP-8F3A2C91D7",
            "APP_USER",
            "NL-MSP-C00012347-3",
            "Demo app: j.jansen",
            now,
            default_profile_type="REGULAR",
        ),
    ]


def start_token(now: str) -> dict[str, Any]:
    """The token the eMSP starts its session for: the app user's."""
    return next(t for t in tokens(now) if t["type"] == "APP_USER")
