"""Catalog rules, one module per use case: producers (profiles and their review), certificates,
products (and product_rules, the field checks they share with the bulk import), lots, photos.

Each public function takes the acting user, checks what that user may do, and owns the
transaction (commits, or raises a core.errors exception with nothing written).
"""
