"""Photos of products and producers (content-checked, re-encoded, with thumbnails)."""

from flask_babel import lazy_gettext as _l

from catalog import uploads
from catalog.models import Photo, Producer, Product
from catalog.services.producers import check_owner
from core.errors import Conflict, Forbidden
from core.extensions import db

MAX_PHOTOS = 12


def add_product_photo(user, product: Product, file) -> Photo:
    if not product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    return _add_photo(product.photos, file, product=product)


def add_producer_photo(user, producer: Producer, file) -> Photo:
    check_owner(user, producer)
    return _add_photo(producer.photos, file, producer=producer)


def _add_photo(existing: list, file, **owner) -> Photo:
    if len(existing) >= MAX_PHOTOS:
        raise Conflict(_l("At most %(n)d photos.", n=MAX_PHOTOS))
    stored = uploads.save_photo(file)
    position = max((p.position for p in existing), default=-1) + 1
    photo = Photo(position=position, **stored, **owner)
    db.session.add(photo)
    db.session.commit()
    return photo


def delete_photo(user, photo: Photo) -> None:
    owner_id = photo.product.producer.owner_id if photo.product else photo.producer.owner_id
    if user is None or user.id != owner_id:
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    names = (photo.file_name, photo.thumb_name)
    db.session.delete(photo)
    db.session.commit()
    uploads.remove_files("photos", *names)


def photo_visible_to(photo: Photo, user) -> bool:
    return photo.product.visible_to(user) if photo.product else photo.producer.visible_to(user)
