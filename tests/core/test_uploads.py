"""The upload storage: keys cannot leave their folder, files go and come back by key, a file
gone from the storage is a 404 (never a 500), and an unknown backend stops the app at start."""

import io

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from core.extensions import db
from core.uploads import FilesystemStorage, init_uploads, storage
from logistics.models import ShipmentDocument
from tests import factories
from tests.logistics.helpers import operator_api, shipment_with


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
def test_a_key_outside_the_storage_is_refused(tmp_path, key):
    backend = FilesystemStorage(tmp_path)
    with pytest.raises(ValueError):
        backend.save(b"x", key)
    with pytest.raises(ValueError):
        backend.open(key)


def test_bytes_and_streams_are_saved_opened_and_deleted_by_key(tmp_path):
    backend = FilesystemStorage(tmp_path)
    assert backend.save(b"%PDF-1.4 one", "logistics/documents/a.pdf") == "logistics/documents/a.pdf"
    backend.save(io.BytesIO(b"%PDF-1.4 two"), "logistics/documents/b.pdf")
    with backend.open("logistics/documents/a.pdf") as one, backend.open("logistics/documents/b.pdf") as two:
        assert (one.read(), two.read()) == (b"%PDF-1.4 one", b"%PDF-1.4 two")
    backend.delete("logistics/documents/a.pdf")
    backend.delete("logistics/documents/a.pdf")  # already gone: no error
    with pytest.raises(NotFound):
        backend.open("logistics/documents/a.pdf")


def test_a_document_whose_file_is_gone_answers_404(app, client):
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
