"""One PostgreSQL statement the ORM does not offer: insert a row unless a unique rule says it
is already there, and say which happened.

``INSERT … ON CONFLICT DO NOTHING RETURNING id`` replaces "savepoint, insert, catch
IntegrityError, roll back to the savepoint" (three round trips) on the webhook's hot path. A
concurrent twin waits for the first insert's transaction and then does nothing, exactly as
the unique index would make it fail.
"""

from __future__ import annotations

from django.db import connection, models


def insert_unless_conflict(instance: models.Model) -> bool:
    """Insert ``instance`` (a new row); ``False`` if a unique constraint already holds one.

    ``pre_save`` values (``auto_now_add``…) are filled in; ``save()`` and signals are not run,
    so use it only for append-only rows whose models do nothing else on save.
    """
    meta = instance._meta
    fields = [
        field for field in meta.concrete_fields if not field.primary_key or field.has_default()
    ]
    if meta.pk.has_default() and getattr(instance, meta.pk.attname) is None:
        setattr(instance, meta.pk.attname, meta.pk.get_default())
    columns, values = [], []
    for field in fields:
        value = field.pre_save(instance, add=True)
        columns.append(connection.ops.quote_name(field.column))
        values.append(field.get_db_prep_save(value, connection))
    table = connection.ops.quote_name(meta.db_table)
    pk_column = connection.ops.quote_name(meta.pk.column)
    placeholders = ", ".join(["%s"] * len(values))
    # Identifiers come from the model's own metadata, quoted; every value is a parameter.
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) "  # noqa: S608
    sql += f"ON CONFLICT DO NOTHING RETURNING {pk_column}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    setattr(instance, meta.pk.attname, row[0])
    instance._state.adding = False
    instance._state.db = connection.alias
    return True
