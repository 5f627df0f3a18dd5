"""The file storage, on both backends (the filesystem; PostgreSQL): keys cannot leave their
folder, files go and come back by key, an issued document is never replaced, a file gone from
the storage is a 404 (never a 500), and an unknown backend stops the app at start."""

import io

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from core.extensions import db
from core.uploads import AlreadyStored, DatabaseStorage, FilesystemStorage, init_uploads, storage
from logistics.models import ShipmentDocument
from tests import factories
from tests.logistics.helpers import operator_api, shipment_with


@pytest.fixture(params=["filesystem", "database"])
def backend(request, tmp_path):
    if request.param == "filesystem":
        return FilesystemStorage(tmp_path)
    request.getfixturevalue("postgres_only")
    return DatabaseStorage(chunk_size=5)  # tiny chunks: every file spans several


@pytest.fixture(params=["filesystem", "database"])
def app_storage(request, app):
    """The app's own storage for one test: as configured, or the database backend."""
    if request.param == "filesystem":
        yield storage()
        return
    request.getfixturevalue("postgres_only")
    saved = app.extensions["upload_storage"]
    app.extensions["upload_storage"] = DatabaseStorage(chunk_size=1000)
    try:
        yield app.extensions["upload_storage"]
    finally:
        app.extensions["upload_storage"] = saved


@pytest.mark.parametrize(
    "key",
    [
        "../secret",
        "catalog/../../etc/passwd",
        "/etc/passwd",
        "catalog",
        "catalog/photos/",
        "Catalog/x.jpg",
        "",
    ],
)
def test_a_key_outside_the_storage_is_refused(backend, key):
    with pytest.raises(ValueError):
        backend.save(b"x", key)
    with pytest.raises(ValueError):
        backend.open(key)


def test_bytes_and_streams_are_saved_opened_and_deleted_by_key(backend):
    assert backend.save(b"%PDF-1.4 one", "logistics/documents/a.pdf") == "logistics/documents/a.pdf"
    backend.save(io.BytesIO(b"%PDF-1.4 two"), "logistics/documents/b.pdf")
    with backend.open("logistics/documents/a.pdf") as one, backend.open("logistics/documents/b.pdf") as two:
        assert (one.read(), two.read()) == (b"%PDF-1.4 one", b"%PDF-1.4 two")
    backend.delete("logistics/documents/a.pdf")
    backend.delete("logistics/documents/a.pdf")  # already gone: no error
    with pytest.raises(NotFound):
        backend.open("logistics/documents/a.pdf")
    backend.save(b"replaced", "logistics/documents/b.pdf")
    with backend.open("logistics/documents/b.pdf") as two:
        assert two.read() == b"replaced"


def test_a_large_stream_comes_back_whole_in_small_reads(backend):
    data = bytes(range(256)) * 41 + b"tail"
    backend.save(io.BytesIO(data), "catalog/photos/big.jpg")
    with backend.open("catalog/photos/big.jpg") as fh:
        parts = []
        while part := fh.read(7):
            parts.append(part)
    assert b"".join(parts) == data


def test_an_exclusive_file_is_never_replaced(backend):
    backend.save(b"%PDF-1.4 issued", "documents/p.pdf", exclusive=True)
    with pytest.raises(AlreadyStored):
        backend.save(b"%PDF-1.4 forged", "documents/p.pdf", exclusive=True)
    with backend.open("documents/p.pdf") as fh:
        assert fh.read() == b"%PDF-1.4 issued"
    backend.delete("documents/p.pdf")  # a record rolled back: its file goes
    with pytest.raises(NotFound):
        backend.open("documents/p.pdf")


def test_files_are_served_with_length_and_validators(app, app_storage):
    app_storage.save(b"\xff\xd8 photo", "catalog/photos/s.jpg")
    with app.test_request_context():
        response = app_storage.response("catalog/photos/s.jpg", mimetype="image/jpeg", max_age=60)
        response.direct_passthrough = False
        assert response.get_data() == b"\xff\xd8 photo"
        assert response.content_length == len(b"\xff\xd8 photo")
        assert response.headers["ETag"] and response.headers["Last-Modified"]
        with pytest.raises(NotFound):
            app_storage.response("catalog/photos/none.jpg", mimetype="image/jpeg")


def test_a_document_whose_file_is_gone_answers_404(app, client, app_storage):
    shipment_id, _ = shipment_with(app)
    client.login(factories.UserFactory(role="operator"))
    client.post_form(
        f"/logistics/shipments/{shipment_id}/documents",
        {"kind": "invoice", "number": "INV-7", "file": (io.BytesIO(b"%PDF-1.4 test"), "invoice.pdf")},
        content_type="multipart/form-data",
    )
    api = operator_api(app)
    [document] = api.get(f"/api/v1/shipments/{shipment_id}").get_json()["documents"]
    assert api.get(document["url"]).status_code == 200
    stored = db.session.query(ShipmentDocument).one()
    storage().delete(f"logistics/documents/{stored.file_name}")
    response = api.get(document["url"])
    assert response.status_code == 404 and response.get_json()["error"]["code"]


def test_an_unknown_upload_storage_stops_the_app_at_start(tmp_path):
    bare = Flask(__name__)
    bare.config.update(UPLOAD_STORAGE="s3", UPLOAD_DIR=str(tmp_path))
    with pytest.raises(RuntimeError, match="UPLOAD_STORAGE"):
        init_uploads(bare)
