"""The index directory: layout, store, vectors, keyword index, writer, migrations, checks."""
