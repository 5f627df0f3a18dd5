r"""Drawing trade documents in one process: how long each PDF takes.

    DATABASE_URL=sqlite:////tmp/font_seed.db .venv/bin/flask db upgrade
    DATABASE_URL=sqlite:////tmp/font_seed.db .venv/bin/flask seed-demo
    .venv/bin/python bench/trade_pdfs.py --database-url sqlite:////tmp/font_seed.db --n 20

Draws again the first N documents the database has issued (proformas, commercial invoices,
packing lists, label sheets, in the order they were issued), exactly as issuing draws them
(``trade.issuing._render``), and prints the time of the first (which parses the font in a
fresh process) and of the others. Nothing is written: the drawings are thrown away.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a database filled by `flask seed-demo`")
    parser.add_argument("--n", type=int, default=20, help="how many documents to draw")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url

    from sqlalchemy import select

    from app import create_app
    from catalog.models import Product
    from core.extensions import db
    from logistics.models import Shipment
    from marketplace.models import Order
    from trade.issuing import _render
    from trade.models import TradeDocument

    app = create_app()
    with app.app_context(), app.test_request_context():
        documents = db.session.scalars(select(TradeDocument).order_by(TradeDocument.id).limit(args.n)).all()
        if not documents:
            sys.exit("No issued documents: run `flask seed-demo` on this database first.")
        times, sizes = [], []
        for document in documents:
            subjects = [
                db.session.get(model, key) if key is not None else None
                for model, key in (
                    (Order, document.order_id),
                    (Shipment, document.shipment_id),
                    (Product, document.product_id),
                )
            ]
            started = time.perf_counter()
            body = _render(document, *subjects)
            times.append(time.perf_counter() - started)
            sizes.append(len(body))
        kinds = sorted({d.kind for d in documents})
        db.session.rollback()
    print(
        f"{len(documents)} documents ({', '.join(kinds)}), {statistics.mean(sizes) / 1024:.0f} KiB on average"
    )
    print(f"total {sum(times):.2f} s; first {times[0] * 1000:.0f} ms", end="")
    if len(times) > 1:
        rest = times[1:]
        print(f"; the others: mean {statistics.mean(rest) * 1000:.0f} ms, max {max(rest) * 1000:.0f} ms")
    else:
        print()


if __name__ == "__main__":
    main()
