"""The /api/v1 base: flask-smorest with our error shape, bearer auth and the docs page."""

import marshmallow as ma
from flask import Blueprint as FlaskBlueprint
from flask import render_template
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint  # noqa: F401  (re-exported for the modules)

from core.errors import http_error_response


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Machine-readable error code"})
    message = ma.fields.String(required=True, metadata={"description": "In the caller's language"})
    fields = ma.fields.Dict(metadata={"description": "Per-field messages for invalid input"})
    # What some errors add, so that every error body stays within this schema.
    index = ma.fields.Integer(metadata={"description": "The item of a batch that was refused"})
    invalid_indexes = ma.fields.List(ma.fields.Integer(), metadata={"description": "Every refused item"})
    limit = ma.fields.Integer(metadata={"description": "The most items one request may carry"})
    current_status = ma.fields.String(metadata={"description": "The order's status now"})
    product_id = ma.fields.Integer(metadata={"description": "The product the error is about"})
    moq = ma.fields.String(allow_none=True, metadata={"description": "Minimum order quantity (decimal)"})
    below_moq = ma.fields.List(ma.fields.Dict(), metadata={"description": "Lines below their MOQ"})
    short_lines = ma.fields.List(ma.fields.Dict(), metadata={"description": "Lines short of stock"})
    orders = ma.fields.List(ma.fields.Dict(), metadata={"description": "Orders in the wrong state"})
    unknown_order_ids = ma.fields.List(ma.fields.Integer(), metadata={"description": "Orders not found"})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorDetailSchema, required=True)


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        # Keeps werkzeug's headers (Allow on 405, Retry-After on 429) and our shape.
        return http_error_response(error)


api = Api()

docs_bp = FlaskBlueprint("api_docs", __name__)


@docs_bp.get("/api/v1/docs")
def api_docs():
    """Human API documentation (Swagger UI served from our own static files). Anyone."""
    return render_template("core/api_docs.html")


def init_api(app):
    api.init_app(app, spec_kwargs={"info": {"description": "AgroBridge wholesale marketplace API."}})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token"}
    )
    app.register_blueprint(docs_bp)
