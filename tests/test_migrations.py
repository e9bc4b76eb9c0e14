"""The Alembic migrations build exactly the schema the models describe, on every backend."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from vocapp import create_app
from vocapp.extensions import db
from vocapp.services.database import current_revision, upgrade_database


def test_migrations_match_the_models(backend, databases, tmp_path):
    url = databases.new_database(backend)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url}, instance_path=str(tmp_path))
    with app.app_context():
        assert current_revision() is None
        revision = upgrade_database()
        assert revision != "base" and current_revision() == revision
        db.engine.dispose()
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    engine.dispose()
    assert differences == [], f"models and migrations differ; write a migration for: {differences}"
