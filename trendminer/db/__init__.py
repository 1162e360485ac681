"""Database access: URLs (configured or embedded), engines, migrations, bulk writes."""
