"""Account JSON shapes."""

import marshmallow as ma


class TokenRequestSchema(ma.Schema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=254))
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024))


class TokenSchema(ma.Schema):
    token = ma.fields.String(
        required=True, metadata={"description": "Send as `Authorization: Bearer <token>`"}
    )
    expires_at = ma.fields.AwareDateTime(required=True)


class MeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"enum": ["farmer", "buyer", "operator", "admin"]})
    name = ma.fields.String(required=True)
    language = ma.fields.String(required=True, metadata={"enum": ["zh", "ru", "en"]})
    company = ma.fields.String()


class UserSchema(MeSchema):
    phone = ma.fields.String()
    active = ma.fields.Boolean(required=True)
    created_at = ma.fields.AwareDateTime(required=True)


class UserQuerySchema(ma.Schema):
    role = ma.fields.String(validate=ma.validate.OneOf(["farmer", "buyer", "operator", "admin"]))
    q = ma.fields.String(validate=ma.validate.Length(max=100))
