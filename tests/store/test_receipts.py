"""Issue 16 item 3: a signed receipt on publish, shipped with the open data, checked against a store
and, without any store, against a downloaded copy."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat

import pytest
from cryptography.hazmat.primitives import serialization

from nevindex import signing
from nevindex.framework import load_framework
from nevindex.store import editions as ed
from nevindex.store import opendata, receipts


def _key_fingerprint(path) -> str:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def test_first_publish_makes_a_private_key_file_0600_and_signs_with_it(published_edition, store, files, tmp_path,
                                                                      monkeypatch):
    path = tmp_path / "config" / "nevindex" / "signing-key.pem"
    monkeypatch.setenv("NEVINDEX_SIGNING_KEY", str(path))
    info = published_edition(store, files)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    body = ed.edition_receipt(store, "2024")["receipt"]
    assert body["signer"]["fingerprint"] == _key_fingerprint(path)
    # Every hash the published numbers depend on, each checked against its own source:
    assert body["hashes"] == {
        "methodology_sha256": load_framework(files["framework"]).sha256(),
        "dataset_sha256": info.dataset_sha256,
        "source_sha256": hashlib.sha256(files["data"].read_bytes()).hexdigest(),
        "units_sha256": hashlib.sha256(files["units"].read_bytes()).hexdigest(),
        "recipe_sha256": info.recipe_sha256, "data_sha256": info.data_sha256, "result_sha256": info.result_sha256}
    last = ed.activity(store, 1).iloc[0]
    assert last["action"] == "edition.publish" and body["log"]["entry"] == ed.counts(store)["activity_log"]
    assert (body["edition"]["label"], body["edition"]["published_by"]) == ("2024", "analyst")
    # the second publish uses the same key
    ed.create_edition(store, year=2023, methodology=files["framework"], dataset=1, label="2023")
    ed.build_edition(store, "2023")
    ed.publish(store, "2023")
    assert ed.edition_receipt(store, "2023")["receipt"]["signer"]["fingerprint"] == _key_fingerprint(path)


def test_a_key_others_can_read_is_refused_before_anything_is_published(store, files, tmp_path, monkeypatch):
    path = tmp_path / "signing-key.pem"
    monkeypatch.setenv("NEVINDEX_SIGNING_KEY", str(path))
    signing.load_or_create_key()
    path.chmod(0o644)
    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id)
    ed.build_edition(store, "2024")
    with pytest.raises(signing.SigningError, match="chmod 600"):
        ed.publish(store, "2024")
    assert ed.get_edition(store, "2024").status == "draft" and ed.counts(store)["receipts"] == 0


def test_a_receipt_signed_with_another_key_is_refused(published_edition, store, files, tmp_path):
    published_edition(store, files)
    document = ed.edition_receipt(store, "2024")
    other = signing.load_or_create_key(tmp_path / "other.pem")
    public = signing.public_key_text(other)
    body = dict(document["receipt"], signer={"algorithm": "Ed25519", "public_key": public,
                                             "fingerprint": signing.fingerprint(public)})
    forged = {"receipt": body, "signature": signing.sign(body, other)}  # the same content, another signer
    with pytest.raises(ed.VerificationError, match="not the trusted key"):
        ed.verify_receipt(store, forged)  # trusted: this machine's signing key
    with pytest.raises(ed.VerificationError, match="not the trusted key"):
        ed.verify_receipt(store, forged, key=document["receipt"]["signer"]["fingerprint"])
    ed.verify_receipt(store, document, key=document["receipt"]["signer"]["fingerprint"])  # the real one passes


def test_sql_alone_cannot_make_a_receipt_that_verifies(published_edition, store, files, drop_guards):
    """A forger who can write any row but has no key: a stored receipt whose numbers they changed no
    longer matches its signature; re-signed with their own key it is refused."""
    from sqlalchemy import text

    published_edition(store, files)
    document = ed.edition_receipt(store, "2024")
    document["receipt"]["hashes"]["result_sha256"] = "0" * 64
    drop_guards(store)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE receipts SET document = :d"), {"d": json.dumps(document)})
    with pytest.raises(ed.VerificationError, match="signature does not match its content"):
        ed.verify(store, "2024")


def test_export_ships_the_receipt_and_a_reader_checks_the_files_without_the_store(published_edition, store, files,
                                                                                   tmp_path, monkeypatch):
    published_edition(store, files)
    out = tmp_path / "download"
    written = ed.export_edition(store, "2024", out)
    assert receipts.FILE_NAME in written
    document = receipts.read(out / receipts.FILE_NAME)
    assert document == ed.edition_receipt(store, "2024")
    fingerprint = document["receipt"]["signer"]["fingerprint"]
    store.close()
    monkeypatch.setenv("NEVINDEX_SIGNING_KEY", str(tmp_path / "reader-has-no-key.pem"))
    monkeypatch.setenv("NEVINDEX_DB", str(tmp_path / "no-store-here.db"))
    report = ed.verify_export(document, out, key=fingerprint)
    assert report.result_sha256 == document["receipt"]["hashes"]["result_sha256"] and not report.notes
    assert any("rebuild" in c for c in report.checks) and any(f"{len(opendata.file_names('2024'))} files equal" in c for c in report.checks)
    assert not (tmp_path / "no-store-here.db").exists() and not (tmp_path / "reader-has-no-key.pem").exists()
    untrusted = ed.verify_export(document, out)  # no key to trust: it checks, and says so
    assert any("not checked against a trusted key" in n for n in untrusted.notes)
    with pytest.raises(ed.VerificationError, match="not the trusted key"):
        ed.verify_export(document, out, key="ab" * 32)


@pytest.mark.parametrize("name, change", [
    ("edition-2024.csv", lambda t: t.replace("acme,Acme Motors", "acme,Acme Motors ", 1)),
    ("edition-2024-results.json", lambda t: re.sub(r'(\["acme", "Index", \d+, )', r"\g<1>1", t, count=1)),
    ("edition-2024-dataset.json", lambda t: t.replace("120.0", "121.0", 1)),
    ("edition-2024-methodology.yaml", lambda t: t.replace("weight: 1", "weight: 2", 1)),
    ("edition-2024.json", lambda t: t.replace("Acme Motors", "Acme Motor", 1)),
])
def test_a_changed_downloaded_file_is_named(published_edition, store, files, tmp_path, name, change):
    published_edition(store, files)
    out = tmp_path / "download"
    ed.export_edition(store, "2024", out)
    path = out / name
    before = path.read_text(encoding="utf-8")
    path.write_text(change(before), encoding="utf-8")
    assert path.read_text(encoding="utf-8") != before
    with pytest.raises(ed.VerificationError, match="FAILED verification") as caught:
        ed.verify_export(receipts.read(out / receipts.FILE_NAME), out)
    assert any(word in str(caught.value) for word in (name, "methodology", "data set", "result rows"))


@pytest.mark.slow  # end to end: the command as a process
def test_cli_verify_receipt_and_export(published_edition, store, store_url, files, tmp_path, run_cli):
    published_edition(store, files)
    out = tmp_path / "download"
    ed.export_edition(store, "2024", out)
    receipt = out / receipts.FILE_NAME
    done = run_cli(store_url, "edition", "verify", "--receipt", str(receipt))
    assert done.returncode == 0 and "verified edition '2024'" in done.stdout, done.stderr
    done = run_cli(store_url, "edition", "verify", "--receipt", str(receipt), "--export", str(out),
                   NEVINDEX_DB=str(tmp_path / "nothing.db"))
    assert done.returncode == 0 and "files in" in done.stdout, done.stderr
    (out / "edition-2024.csv").write_text("unit\nforged\n")
    done = run_cli(store_url, "edition", "verify", "--receipt", str(receipt), "--export", str(out))
    assert done.returncode == 2 and "edition-2024.csv differs" in done.stderr and "Traceback" not in done.stderr
    bad = tmp_path / "not-a-receipt.json"
    bad.write_text("{}")
    done = run_cli(store_url, "edition", "verify", "--receipt", str(bad))
    assert done.returncode == 2 and "not a nevindex receipt" in done.stderr
    done = run_cli(store_url, "edition", "key")
    assert done.returncode == 0 and document_fingerprint(receipt) in done.stdout


def document_fingerprint(path) -> str:
    return json.loads(path.read_text())["receipt"]["signer"]["fingerprint"]


@pytest.mark.slow  # end to end: the command as a process
def test_forged_republication_fails_verify_against_the_kept_receipt(published_edition, store, store_url, files,
                                                                   drop_guards, tmp_path, run_cli):
    """The issue's check: with the triggers dropped by hand and the REPLACE chain replayed, `verify` fails
    and so does `verify --receipt` with the receipt the publisher kept."""
    from sqlalchemy import text

    published_edition(store, files)
    kept = tmp_path / "receipt.json"
    kept.write_text(json.dumps(ed.edition_receipt(store, "2024")))
    forged = ed.import_data(store, files["data_fixed"], units_file=files["units"], actor="mallory")
    drop_guards(store)
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("INSERT OR REPLACE INTO editions SELECT id,label,year,methodology_id," + str(forged.id)
                              + ",recipe,recipe_sha256,'draft',corrects_id,correction_reason,result_sha256,"
                              "data_sha256,package_version,created_at,created_by,built_at,NULL,NULL FROM editions "
                              "WHERE label='2024'"))
        else:
            conn.execute(text(f"UPDATE editions SET status = 'draft', dataset_id = {forged.id}, published_at = NULL,"
                              " published_by = NULL WHERE label = '2024'"))
        conn.execute(text("DELETE FROM receipts"))
    mallory = str(tmp_path / "mallory.pem")
    assert run_cli(store_url, "edition", "build", "2024", NEVINDEX_SIGNING_KEY=mallory).returncode == 0
    assert run_cli(store_url, "edition", "publish", "2024", NEVINDEX_SIGNING_KEY=mallory).returncode == 0
    plain = run_cli(store_url, "edition", "verify", "2024")
    assert plain.returncode == 2 and "FAILED verification" in plain.stderr
    assert "dataset_sha256 changed" in plain.stderr and "not the trusted key" in plain.stderr
    against = run_cli(store_url, "edition", "verify", "--receipt", str(kept))
    assert against.returncode == 2 and "FAILED verification against the receipt" in against.stderr
    assert "result_sha256" in against.stderr
    assert os.path.exists(mallory)
