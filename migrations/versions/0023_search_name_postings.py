"""catalog: name postings — each listed product's name lexemes in a B-tree, kept by triggers

A broad word (荞麦, гречка: one product in ten) matched through the GIN index still reads every
matching row of ``catalog_products`` — thousands of wide heap pages — to check the weight
and to rank. ``catalog_name_postings`` holds, for each listed product, one row per name lexeme
(weight A) with how often the name has it, and the facet keys; its primary key covers every
column, so the names round of a search is an index-only scan over a few hundred pages.

PostgreSQL only (SQLite searches with LIKE). Triggers on ``catalog_products`` keep it in step
whatever writes a product — the app, a bulk ``UPDATE`` when a producer is verified or
suspended, COPY, ``TRUNCATE`` — and a product that is not listed has no rows.

Revision ID: 0023_search_name_postings
Revises: 0022_words_packaging
Create Date: 2026-12-02 19:00:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0023_search_name_postings"
down_revision = "0022_words_packaging"
branch_labels = None
depends_on = None

# The rows of one product: its name lexemes of weight A, with their number of positions of
# weight A (what ts_rank_cd adds up for a query of alternatives).
POSTINGS_OF = """
    SELECT u.lexeme, {p}.id,
           (SELECT count(*) FROM unnest(u.weights) AS w WHERE w = 'A')::smallint,
           {p}.category_code, {p}.producer_id, {p}.organic_claim
      FROM unnest({p}.name_vector) AS u
     WHERE 'A' = ANY (u.weights)
"""

SYNC = f"""
CREATE FUNCTION catalog_name_postings_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.name_vector IS NOT NULL THEN
        DELETE FROM catalog_name_postings
         WHERE product_id = OLD.id AND lexeme = ANY (tsvector_to_array(OLD.name_vector));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.listed AND NEW.name_vector IS NOT NULL THEN
        INSERT INTO catalog_name_postings
               (lexeme, product_id, hits, category_code, producer_id, organic_claim)
        {POSTINGS_OF.format(p="NEW")};
    END IF;
    RETURN NULL;
END $$
"""

TRUNCATE = """
CREATE FUNCTION catalog_name_postings_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE catalog_name_postings;
    RETURN NULL;
END $$
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE TABLE catalog_name_postings (
            lexeme text COLLATE "C" NOT NULL,
            product_id integer NOT NULL,
            hits smallint NOT NULL,
            category_code varchar(32) NOT NULL,
            producer_id integer NOT NULL,
            organic_claim boolean NOT NULL,
            CONSTRAINT pk_catalog_name_postings PRIMARY KEY (lexeme, product_id)
                INCLUDE (hits, category_code, producer_id, organic_claim)
        )
        """
    )
    op.execute(SYNC)
    op.execute(TRUNCATE)
    op.execute(
        "CREATE TRIGGER catalog_name_postings_write AFTER INSERT OR DELETE ON catalog_products "
        "FOR EACH ROW EXECUTE FUNCTION catalog_name_postings_sync()"
    )
    # Only when something the postings hold changes: stock and price updates leave them alone.
    op.execute(
        "CREATE TRIGGER catalog_name_postings_update AFTER UPDATE ON catalog_products FOR EACH ROW "
        "WHEN (OLD.name_vector IS DISTINCT FROM NEW.name_vector OR OLD.listed IS DISTINCT FROM NEW.listed "
        "OR OLD.category_code IS DISTINCT FROM NEW.category_code OR OLD.producer_id IS DISTINCT FROM "
        "NEW.producer_id OR OLD.organic_claim IS DISTINCT FROM NEW.organic_claim) "
        "EXECUTE FUNCTION catalog_name_postings_sync()"
    )
    op.execute(
        "CREATE TRIGGER catalog_name_postings_truncate AFTER TRUNCATE ON catalog_products "
        "FOR EACH STATEMENT EXECUTE FUNCTION catalog_name_postings_truncate()"
    )
    op.execute(
        "INSERT INTO catalog_name_postings (lexeme, product_id, hits, category_code, producer_id, organic_claim) "
        + POSTINGS_OF.format(p="p").replace(
            "FROM unnest(p.name_vector)", "FROM catalog_products AS p, unnest(p.name_vector)"
        )
        + " AND p.listed"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS catalog_name_postings_truncate ON catalog_products")
    op.execute("DROP TRIGGER IF EXISTS catalog_name_postings_update ON catalog_products")
    op.execute("DROP TRIGGER IF EXISTS catalog_name_postings_write ON catalog_products")
    op.execute("DROP FUNCTION IF EXISTS catalog_name_postings_truncate()")
    op.execute("DROP FUNCTION IF EXISTS catalog_name_postings_sync()")
    op.execute("DROP TABLE IF EXISTS catalog_name_postings")
