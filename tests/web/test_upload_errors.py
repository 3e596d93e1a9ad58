"""Upload errors name the file the analyst uploaded, never the server's working copy (issue 16, item 8)."""

from __future__ import annotations

import re
import tempfile

import pytest

from .test_auth import bearer, csrf_from, sign_in

API = "/api/v1"
GOOD = b"unit,year,indicator,value\na,2024,sales,1\n"
#: (file name, bytes, what the message must still say) for files the store cannot take
BAD = [
    ("my data.csv", b"foo,bar\n1,2\n", "cannot find the unit code column"),
    ("Q3 sales.xlsx", b"PK\x03\x04garbage", "cannot be read"),
    ("export.parquet", b"PAR1garbage", "cannot be read"),
    ("twice.csv", b"unit,year,indicator,value\na,2024,sales,1\na,2024,sales,2\n", "duplicate value"),
]


def server_paths(text: str) -> list[str]:
    """Anything in ``text`` that looks like a path on the server."""
    temp = re.escape(tempfile.gettempdir())
    return re.findall(rf"{temp}\S*|nevindex-upload-\S*|/(?:tmp|var|private)/\S+", text)


@pytest.mark.parametrize(("name", "content", "says"), BAD, ids=[b[0] for b in BAD])
def test_api_upload_errors_name_the_uploaded_file(fresh, name, content, says) -> None:  # noqa: ANN001
    r = fresh.post(f"{API}/admin/datasets", headers=bearer(fresh), files={"file": (name, content, "text/csv")})
    assert r.status_code == 400
    message = r.json()["error"]["message"]
    assert not server_paths(message), message
    assert message.startswith(name), message
    assert says in message


def test_an_error_in_the_units_table_names_that_file(fresh) -> None:  # noqa: ANN001
    r = fresh.post(f"{API}/admin/datasets", headers=bearer(fresh),
                   files={"file": ("obs.csv", GOOD, "text/csv"), "units": ("brands list.csv", b"zzz\n", "text/csv")})
    assert r.status_code == 400
    message = r.json()["error"]["message"]
    assert not server_paths(message) and message.startswith("brands list.csv"), message


def test_the_admin_page_shows_the_uploaded_file_name(fresh) -> None:  # noqa: ANN001
    csrf = sign_in(fresh)
    r = fresh.post("/admin/import", data={"csrf_token": csrf},
                   files={"file": ("my data.csv", b"foo,bar\n1,2\n", "text/csv")})
    assert r.status_code == 400
    assert "my data.csv" in r.text and not server_paths(r.text), server_paths(r.text)
    assert csrf_from(fresh.get("/admin/").text)  # still signed in


def test_a_hostile_file_name_is_shown_escaped_and_without_folders(fresh) -> None:  # noqa: ANN001
    csrf = sign_in(fresh)
    name = "../../etc/<img src=x onerror=alert(1)>.csv"
    r = fresh.post("/admin/import", data={"csrf_token": csrf}, files={"file": (name, b"foo,bar\n1,2\n", "text/csv")})
    assert r.status_code == 400
    assert "<img src=x" not in r.text and "&lt;img src=x onerror=alert(1)&gt;.csv" in r.text
    assert "../" not in r.text.split("<main", 1)[1], "only the file's own name is shown"
