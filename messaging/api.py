"""/api/v1/{orders,rfqs,shipments}/<id>/messages: the conversation of a subject. Its parties
only; anyone else gets 404, as for an id that does not exist."""

import marshmallow as ma
from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint

from core.auth import api_auth, api_user
from core.errors import ValidationFailed
from messaging import schemas as s
from messaging import services

blp = Blueprint("messages_api", __name__, url_prefix="/api/v1", description="Conversations")

BAD_MESSAGE = "Empty, over 5,000 characters, or an attachment that is not a PDF or image"
_POST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/MessageIn"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "body": {"type": "string", "minLength": 1, "maxLength": 5000},
                    "attachment": {"type": "string", "format": "binary"},
                },
                "required": ["body"],
            }
        },
    },
}


def register_schemas(api) -> None:
    api.spec.components.schema("MessageIn", schema=s.MessageInSchema)


def message_json(message) -> dict:
    sender = message.sender
    return {
        "id": message.id,
        "sender": {"id": sender.id, "name": sender.name, "role": sender.role} if sender else None,
        "body": message.body,
        "language": message.language,
        "created_at": message.created_at,
        "attachment": {
            "url": url_for("messages_api.message_attachment", message_id=message.id),
            "content_type": message.attachment_type,
            "name": message.attachment_original or "",
        }
        if message.attachment_name
        else None,
    }


def _read(kind: str, subject_id: int) -> dict:
    thread = services.conversation(api_user(), kind, subject_id)
    return {
        "kind": kind,
        "subject_id": subject_id,
        "unread": thread["unread"],
        "items": [message_json(m) for m in thread["messages"]],
    }


def _post(kind: str, subject_id: int):
    if request.mimetype == "multipart/form-data":
        raw, file = request.form.to_dict(), request.files.get("attachment")
    else:
        raw, file = request.get_json(silent=True), None
        if not isinstance(raw, dict):
            message = _l("Send a JSON object with a body.")
            raise ValidationFailed(message, fields={"body": [message]})
    try:
        data = s.MessageInSchema().load(raw)
    except ma.ValidationError as exc:
        fields = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.messages.items()}
        raise ValidationFailed(fields=fields) from None
    return message_json(services.post_message(api_user(), kind, subject_id, data["body"], file)), 201


def _thread_routes(kind: str, collection: str, noun: str, parties: str) -> None:
    """GET and POST ``/<collection>/<id>/messages`` for one kind of subject: the same rules
    (parties only, 404 otherwise) for orders, RFQs and shipments."""
    not_a_party = f"No such {noun}, or the caller is not one of its parties"

    def read(**ids):
        return _read(kind, ids[f"{kind}_id"])

    def post(**ids):
        return _post(kind, ids[f"{kind}_id"])

    read.__name__, post.__name__ = f"{kind}_messages", f"post_{kind}_message"
    read.__doc__ = (
        f"The {noun}'s conversation, oldest first; reading marks it read. {parties}"
        "\n\n:raise 404: not a party"
    )
    post.__doc__ = (
        f"Write to the {noun}'s conversation (JSON, or multipart with an ``attachment``). "
        "Its parties.\n\n:raise 404: not a party\n:raise 422: empty or too long; a bad attachment"
    )
    path = f"/{collection}/<id:{kind}_id>/messages"
    blp.get(path)(
        api_auth()(blp.response(200, s.ThreadSchema)(blp.alt_response(404, description=not_a_party)(read)))
    )
    post = blp.alt_response(422, description=BAD_MESSAGE)(post)
    post = blp.alt_response(413, description="The attachment is too large")(post)
    post = blp.alt_response(404, description=not_a_party)(post)
    post = blp.response(201, s.MessageSchema)(post)
    post = blp.doc(requestBody=_POST_BODY)(post)
    blp.post(path)(api_auth()(post))


_thread_routes("order", "orders", "order", "The buyer, the farmer, and an admin while the order is disputed.")
_thread_routes("rfq", "rfqs", "request", "The buyer and the farmers it is addressed to.")
_thread_routes(
    "shipment",
    "shipments",
    "shipment",
    "Operators, the buyers and farmers of the orders on board, and an admin while one of them is disputed.",
)


@blp.get("/messages/<id:message_id>/attachment")
@api_auth()
@blp.response(200, description="The attached file")
@blp.alt_response(404, description="No attachment, or the caller is not a party")
def message_attachment(message_id):
    """A message's attachment. The thread's parties.

    :raise 404: not a party
    """
    from core.security import no_store
    from core.uploads import storage

    key, message = services.message_attachment(api_user(), message_id)
    return no_store(
        storage().response(
            key,
            mimetype=message.attachment_type,
            as_attachment=True,
            download_name=message.attachment_original or key.rsplit("/", 1)[-1],
        )
    )
