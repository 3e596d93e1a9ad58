"""Issue 16 item 3: the portal serves each published edition's signed receipt."""

from __future__ import annotations

import json

from nevindex import signing
from nevindex.store import receipts

API = "/api/v1"


def test_receipt_of_a_published_edition_is_served_and_checks(client, seeded_folder) -> None:  # noqa: ANN001
    from nevindex.store import editions as ed
    from nevindex.store.db import open_store

    r = client.get(f"{API}/editions/t2024/receipt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.headers["etag"] and "max-age" in r.headers["cache-control"]
    document = r.json()
    body = document["receipt"]
    assert body["edition"]["label"] == "t2024" and body["format"] == receipts.FORMAT
    trusted = signing.fingerprint(signing.public_key_text(signing.load_key()))  # the key the fixtures published with
    assert receipts.check(document, trusted) == trusted
    with open_store(f"sqlite:///{seeded_folder / 'store.db'}") as store:
        assert document == ed.stored_receipt(store, "t2024")
        assert body["hashes"]["result_sha256"] == ed.get_edition(store, "t2024").result_sha256
        ed.verify_receipt(store, document)
    assert client.get(f"{API}/editions/latest/receipt").json()["receipt"]["edition"]["label"] == "t2024"
    assert client.get(f"{API}/editions/t2024/receipt", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_no_receipt_for_a_draft_or_an_unknown_edition(client) -> None:  # noqa: ANN001
    for ref in ("d2024", "nope"):
        r = client.get(f"{API}/editions/{ref}/receipt")
        assert r.status_code == 404 and set(json.loads(r.text)) == {"error"}


def test_the_receipt_route_is_documented(client) -> None:  # noqa: ANN001
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert "receipt" in paths["/api/v1/editions/{edition}/receipt"]["get"]["summary"]


def test_the_static_export_ships_each_receipt(read_app, tmp_path) -> None:  # noqa: ANN001
    from nevindex.web.site import export_site

    export_site(read_app.state.portal, tmp_path / "site")
    for label in ("t2023", "t2024"):
        document = receipts.read(tmp_path / "site" / "data" / label / "receipt.json")
        assert document["receipt"]["edition"]["label"] == label
        receipts.check(document, document["receipt"]["signer"]["fingerprint"])
