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
    time_zone = ma.fields.String(
        required=True,
        metadata={"description": "IANA zone every time is shown in", "example": "Asia/Shanghai"},
    )
    company = ma.fields.String()


class MeUpdateSchema(ma.Schema):
    """What the caller may change on their own account."""

    language = ma.fields.String(validate=ma.validate.OneOf(["zh", "ru", "en"]))
    time_zone = ma.fields.String(
        validate=ma.validate.Length(min=1, max=64), metadata={"example": "Asia/Yekaterinburg"}
    )


class UserSchema(MeSchema):
    phone = ma.fields.String()
    active = ma.fields.Boolean(required=True)
    created_at = ma.fields.AwareDateTime(required=True)


class UserQuerySchema(ma.Schema):
    role = ma.fields.String(validate=ma.validate.OneOf(["farmer", "buyer", "operator", "admin"]))
    q = ma.fields.String(validate=ma.validate.Length(max=100))


def _text(max_length):
    return ma.fields.String(validate=ma.validate.Length(max=max_length))


class ZhEnSchema(ma.Schema):
    zh = _text(300)
    en = _text(300)


class ContactSchema(ma.Schema):
    name = _text(120)
    phone = _text(40)
    email = ma.fields.String(validate=ma.validate.Length(max=254))


class CompanySchema(ma.Schema):
    """A buyer's company: the importer of record."""

    name = ma.fields.Nested(ZhEnSchema, required=True)
    uscc = ma.fields.String(required=True, metadata={"description": "Unified Social Credit Code, GB 32100"})
    customs_code = ma.fields.String(required=True, metadata={"description": "Customs registration code"})
    address = ma.fields.Nested(ZhEnSchema, required=True)
    contact = ma.fields.Nested(ContactSchema, required=True)
    complete = ma.fields.Boolean(required=True)
    missing = ma.fields.List(ma.fields.String(), required=True)


class CompanyInSchema(ma.Schema):
    """Any subset of the company's fields; ``complete`` and ``missing`` echoed back are ignored."""

    name = ma.fields.Nested(ZhEnSchema)
    uscc = _text(40)
    customs_code = _text(40)
    address = ma.fields.Nested(ZhEnSchema)
    contact = ma.fields.Nested(ContactSchema)

    @ma.pre_load
    def drop_read_only(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in ("complete", "missing")}
        return data
