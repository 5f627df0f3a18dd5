"""Photos of products and producers (content-checked, re-encoded, with thumbnails)."""

from flask_babel import lazy_gettext as _l

from catalog import uploads
from catalog.models import Photo, Producer, Product
from catalog.services.producers import check_owner
from core.errors import Conflict, Forbidden, ValidationFailed
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
    names = (photo.file_name, photo.thumb_name, photo.mini_name)
    siblings = photo.product.photos if photo.product else photo.producer.photos
    db.session.delete(photo)
    _renumber([p for p in siblings if p is not photo])
    db.session.commit()
    uploads.remove_files("photos", *names)


def _renumber(photos: list[Photo]) -> None:
    for position, photo in enumerate(photos):
        photo.position = position


def move_photo(user, product: Product, photo: Photo, direction: str) -> list[Photo]:
    """Move a product photo one place ``up`` (towards first, the one buyers see in the
    catalog) or ``down``. At either end it stays put.

    :raise 403: not the product's producer
    """
    if not product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    ordered = sorted(product.photos, key=lambda p: (p.position, p.id))
    index = ordered.index(photo)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    _renumber(ordered)
    db.session.commit()
    db.session.refresh(product, ["photos"])
    return product.photos


def reorder_photos(user, product: Product, photo_ids: list[int]) -> list[Photo]:
    """Put the product's photos in the order given (every photo once).

    :raise 403: not the product's producer; :raise 422: the ids are not exactly its photos
    """
    if not product.owned_by(user):
        raise Forbidden(_l("Only the producer who lists this product may change it."))
    by_id = {p.id: p for p in product.photos}
    if sorted(photo_ids) != sorted(by_id) or len(set(photo_ids)) != len(photo_ids):
        message = _l("List each of the product's photos exactly once.")
        raise ValidationFailed(message, fields={"photo_ids": [message]})
    _renumber([by_id[i] for i in photo_ids])
    db.session.commit()
    db.session.refresh(product, ["photos"])
    return product.photos


def photo_visible_to(photo: Photo, user) -> bool:
    return photo.product.visible_to(user) if photo.product else photo.producer.visible_to(user)
