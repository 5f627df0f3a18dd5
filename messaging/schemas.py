"""Conversation JSON: a message as every party sees it, and what a party may post."""

import marshmallow as ma

from messaging.models import BODY_MAX, LANGUAGES


class SenderSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    role = ma.fields.String(required=True)


class AttachmentSchema(ma.Schema):
    url = ma.fields.String(required=True)
    content_type = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class MessageSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    sender = ma.fields.Nested(SenderSchema, allow_none=True, required=True)
    body = ma.fields.String(required=True)
    language = ma.fields.String(
        required=True, metadata={"enum": list(LANGUAGES), "description": "The language it was written in"}
    )
    created_at = ma.fields.DateTime(required=True)
    attachment = ma.fields.Nested(AttachmentSchema, allow_none=True, required=True)


class ThreadSchema(ma.Schema):
    kind = ma.fields.String(required=True, metadata={"enum": ["order", "rfq", "shipment"]})
    subject_id = ma.fields.Integer(required=True)
    #: How many of ``items`` the caller had not read before this call (reading marks them read).
    unread = ma.fields.Integer(required=True)
    items = ma.fields.List(ma.fields.Nested(MessageSchema), required=True)


class MessageInSchema(ma.Schema):
    """JSON, or a multipart form with the same field plus ``attachment`` (a PDF or an image)."""

    body = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=BODY_MAX))
