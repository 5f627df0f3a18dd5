r"""The framework floor: a bare Flask app doing one indexed SELECT on PostgreSQL.

What the machine can serve with Flask, gunicorn and psycopg and nothing of AgroBridge: the
yardstick ``bench/throughput.py`` divides the app's figures by. Run it under the same
gunicorn settings as the app::

    FLOOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ab_bench \
        .venv/bin/gunicorn -w 2 -b 127.0.0.1:7401 bench.floor_app:app

``GET /pk/<id>``: one product row by primary key, as JSON.
``GET /fts?q=...``: the top 20 listed products whose search vector matches ``q`` (the
``simple`` configuration over the words as typed; ``@@`` on the same GIN index the app uses),
newest first, as JSON.
"""

import os

import psycopg
from flask import Flask, abort, jsonify, request

app = Flask(__name__)
app.json.ensure_ascii = False

_conn = None


def conn():
    """One connection per worker process, opened on first use (after gunicorn's fork)."""
    global _conn
    if _conn is None or _conn.closed:
        url = os.environ.get("FLOOR_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ab_bench")
        _conn = psycopg.connect(url.replace("+psycopg", ""), autocommit=True)
    return _conn


@app.get("/pk/<int:product_id>")
def by_primary_key(product_id):
    row = (
        conn()
        .execute(
            "SELECT id, name_zh, name_ru, name_en, price_min_cny, unit FROM catalog_products WHERE id = %s",
            (product_id,),
        )
        .fetchone()
    )
    if row is None:
        abort(404)
    return jsonify(
        id=row[0], name={"zh": row[1], "ru": row[2], "en": row[3]}, price_min_cny=str(row[4]), unit=row[5]
    )


@app.get("/fts")
def full_text():
    rows = (
        conn()
        .execute(
            "SELECT id, name_zh, name_ru, name_en, price_min_cny FROM catalog_products"
            " WHERE listed AND search_vector @@ plainto_tsquery('simple', %s)"
            " ORDER BY created_at DESC, id DESC LIMIT 20",
            (request.args.get("q", ""),),
        )
        .fetchall()
    )
    return jsonify(
        items=[
            {"id": r[0], "name": {"zh": r[1], "ru": r[2], "en": r[3]}, "price_min_cny": str(r[4])}
            for r in rows
        ]
    )
