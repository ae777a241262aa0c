"""Written SQL for the hot paths: fixed-shape queries, and many rows in one statement.

On this hardware Django compiles a queryset in ~0.3 ms and the database runs it in ~0.02 ms;
``bulk_update`` builds a ``CASE WHEN`` per row and field, which on a 50-transfer batch cost more
than everything else. The transfer actions and the audit chain therefore use these helpers, in
the caller's transaction, through Django's connection (so the test tools still see every query):

- ``fetch``/``execute`` run a statement written once with bound parameters; ``in_list`` makes the
  ``IN (…)`` placeholders and ``for_update`` the row-lock clause where the database has one.
- ``insert_rows``/``insert_objects``: one multi-row ``INSERT … RETURNING id`` per chunk.
- ``update_rows``/``update_objects``: one ``executemany`` UPDATE by primary key.
- ``copy_rows``/``reserve_ids``: bulk loads of hundreds of thousands of rows (a set-off run's
  agreements): ``COPY … FROM STDIN`` on PostgreSQL, one prepared ``executemany`` on SQLite, with
  primary keys reserved beforehand instead of returned.
- ``write_blob``: one large binary value (a run's snapshot) sent as a bound binary parameter on
  PostgreSQL, not spelled out in hex inside the statement as Django's client-side binding does.
- ``load``/``build``/``columns``: model instances from written SELECTs, and unsaved ones, without
  the per-instance cost of ``Model.__init__`` (see below).

Values are given per field name or *attname* (``piece_id``) and adapted the way Django's own
field would (dates, datetimes, JSON, decimals); everything else goes to the driver as is.
Identifiers always come from model metadata or the code itself, never from input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from operator import itemgetter

from django.db import connection, models
from django.db.models import signals


class JsonText(str):
    """JSON already serialised by the caller (e.g. the audit chain's canonical form): stored as is."""


def _json_adapter(field: models.Field) -> Callable:
    def adapt(value):
        return str(value) if isinstance(value, JsonText) else field.get_db_prep_save(value, connection)

    return adapt


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    by_name = {}
    for f in model._meta.concrete_fields:
        by_name[f.name] = by_name[f.attname] = f
    return [by_name[n] for n in names]


def _memo(adapt: Callable) -> Callable:
    """Batch rows share their timestamp and date: adapt each distinct value once."""
    seen: dict = {}

    def adapted(value):
        if value not in seen:
            seen[value] = adapt(value)
        return seen[value]

    return adapted


def _adapters(fields: list[models.Field]) -> list[Callable | None]:
    ops = connection.ops
    out: list[Callable | None] = []
    for field in fields:
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            out.append(_memo(ops.adapt_datetimefield_value))
        elif kind == "DateField":
            out.append(_memo(ops.adapt_datefield_value))
        elif kind == "JSONField":
            out.append(_json_adapter(field))
        elif kind == "DecimalField":
            out.append(lambda v, f=field: f.get_db_prep_save(v, connection))
        else:
            out.append(None)
    return out


def _columns(fields: list[models.Field]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(f.column) for f in fields)


def _adapt(rows: Sequence[Sequence], adapters: list[Callable | None]) -> list:
    """Rows with each value passed through its column's adapter; columns without one are left alone."""
    todo = [(i, a) for i, a in enumerate(adapters) if a is not None]
    if not todo:
        return rows if isinstance(rows, list) else list(rows)
    out = []
    for row in rows:
        row = list(row)
        for i, adapt in todo:
            if row[i] is not None:
                row[i] = adapt(row[i])
        out.append(row)
    return out


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """Insert ``rows`` (values in ``fields`` order) and return their primary keys, in order."""
    if not rows:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("insert_rows() must run inside the action's transaction")
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    model_fields = _fields(model, fields)
    cols = _columns(model_fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = _adapt(rows, _adapters(model_fields))
    chunk = max(1, min(500, 30000 // len(fields)))  # under SQLite's bound-variable limit
    ids: list[int] = []
    with connection.cursor() as cur:
        for start in range(0, len(values), chunk):
            part = values[start:start + chunk]
            # identifiers come from model metadata, quoted; every value is a bound parameter
            sql = f"INSERT INTO {table} ({cols}) VALUES {', '.join([one] * len(part))} RETURNING {pk}"  # noqa: S608
            cur.execute(sql, [v for row in part for v in row])
            ids.extend(r[0] for r in cur.fetchall())
    if len(ids) != len(values):  # pragma: no cover - the database returned fewer ids than rows
        raise RuntimeError("insert_rows: row count mismatch")
    return ids


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]) -> None:
    """``UPDATE … SET f1 = %s, … WHERE pk = %s`` once per row; each row is ``(*values, pk)``."""
    if not rows:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("update_rows() must run inside the action's transaction")
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    model_fields = _fields(model, fields)
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in model_fields)
    values = _adapt(rows, [*_adapters(model_fields), None])
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", values)  # noqa: S608 - as in insert_rows


def _getter(attnames: list[str]) -> Callable[[dict], tuple]:
    """Values of ``attnames`` from an instance's ``__dict__`` as a tuple. Reading ``__dict__``
    skips the descriptor that attribute access runs for every foreign key."""
    if len(attnames) == 1:
        name = attnames[0]
        return lambda d: (d[name],)
    return itemgetter(*attnames)


def insert_objects(objs: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model (every concrete field but the pk) and set their pks."""
    if not objs:
        return
    fields = [f for f in type(objs[0])._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    values = _getter(names)
    ids = insert_rows(type(objs[0]), names, [values(o.__dict__) for o in objs])
    alias = connection.alias
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def update_objects(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write ``fields`` (names or attnames) of saved instances of one model, one statement per row."""
    if not objs:
        return
    attnames = [f.attname for f in _fields(type(objs[0]), fields)]
    values = _getter([*attnames, type(objs[0])._meta.pk.attname])
    update_rows(type(objs[0]), attnames, [values(o.__dict__) for o in objs])


# --- model instances without the per-instance cost of ``Model.__init__`` ---------------------
# A locking read of 50 pieces through ``raw()`` built each instance through ``__init__`` (signals,
# a descriptor per foreign key) and the compiler's converter loop: about 15 µs a row, a tenth of
# a batched transfer. ``load`` and ``build`` make the instances the way unpickling does
# (``__new__``, then the field values into ``__dict__``), with the same converters the ORM
# applies. Only for models without ``pre_init``/``post_init`` receivers.


def _concrete(model: type[models.Model]) -> list[models.Field]:
    return model._meta.concrete_fields


def columns(model: type[models.Model]) -> str:
    """Every concrete column of ``model``, in field order, for ``load``'s SELECT list."""
    quote = connection.ops.quote_name
    return ", ".join(quote(f.column) for f in _concrete(model))


_CONVERTERS: dict[tuple[str, type[models.Model]], list[tuple[int, list, object]]] = {}


def _converters(model: type[models.Model]) -> list[tuple[int, list, object]]:
    """(column index, the ORM's converters for it, its Col) for the columns that have any."""
    key = (connection.alias, model)
    if key not in _CONVERTERS:
        _CONVERTERS[key] = _find_converters(model)
    return _CONVERTERS[key]


def _find_converters(model: type[models.Model]) -> list[tuple[int, list, object]]:
    out = []
    for i, field in enumerate(_concrete(model)):
        col = field.get_col(model._meta.db_table)
        convs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if convs:
            out.append((i, convs, col))
    return out


_checked: set[type[models.Model]] = set()


def _instance(model: type[models.Model], values: dict, db: str | None, adding: bool) -> models.Model:
    if model not in _checked:  # skipping __init__ skips its signals: refuse models that listen to them
        if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
            raise RuntimeError(f"{model.__name__} has pre_init/post_init receivers; use the ORM for it")
        _checked.add(model)
    obj = model.__new__(model)
    obj.__dict__.update(values)
    obj._state = models.base.ModelState()
    obj._state.adding = adding
    obj._state.db = db
    return obj


def load(model: type[models.Model], sql: str, params: Sequence = ()) -> list[models.Model]:
    """Instances of ``model`` from ``sql``, which selects ``columns(model)`` (in that order)."""
    attnames = [f.attname for f in _concrete(model)]
    convert = _converters(model)
    out = []
    alias = connection.alias
    for row in fetch(sql, params):
        if convert:
            row = list(row)
            for i, convs, col in convert:
                for conv in convs:
                    row[i] = conv(row[i], col, connection)
        out.append(_instance(model, dict(zip(attnames, row, strict=True)), alias, adding=False))
    return out


@cache
def _build_plan(model: type[models.Model]) -> tuple[dict[str, tuple[str, models.Field | None]], list[models.Field]]:
    """name or attname -> (attname, the foreign key if named by its relation), and the fields."""
    names: dict[str, tuple[str, models.Field | None]] = {}
    for field in _concrete(model):
        names[field.attname] = (field.attname, None)
        if field.is_relation:
            names[field.name] = (field.attname, field)
    return names, list(_concrete(model))


def build(model: type[models.Model], **values) -> models.Model:
    """An unsaved instance (as ``model(**values)`` gives): fields by attname (``piece_id``) or, for a
    foreign key, by name with the related instance, which is then cached on the new one."""
    names, fields = _build_plan(model)
    data, related = {}, []
    for name, value in values.items():
        attname, fk = names[name]
        if fk is not None:
            data[attname] = None if value is None else value.pk
            if value is not None:
                related.append((fk, value))
        else:
            data[attname] = value
    for field in fields:
        if field.attname not in data:
            data[field.attname] = field.get_default()
    obj = _instance(model, data, None, adding=True)
    for field, value in related:
        field.set_cached_value(obj, value)
    return obj


def for_update() -> str:
    """`` FOR UPDATE`` where the database has row locks (PostgreSQL); SQLite's ``BEGIN IMMEDIATE``
    already holds the whole database for the writer."""
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def fetch(sql: str, params: Sequence = ()) -> list[tuple]:
    """Run a fixed hot-path query (written once, parameters bound) and return its rows."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def execute(sql: str, params: Sequence = ()) -> int:
    """Run a fixed hot-path statement; return the number of rows it changed."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def in_list(values: Sequence) -> str:
    """Placeholders for ``IN (…)`` with one bound parameter per value."""
    return "(" + ", ".join(["%s"] * len(values)) + ")"


BIGINT_MAX = 2**63 - 1


def keys(values) -> list[int]:
    """Distinct candidate primary keys for ``IN (…)``, sorted. Values no row can have (not a
    positive 64-bit integer) are dropped rather than sent, since the driver would raise on them;
    if none is left the list is ``[0]``, which matches nothing."""
    found = sorted({v for v in values if type(v) is int and 0 < v <= BIGINT_MAX})
    return found or [0]


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` fresh primary keys for rows the caller will insert with ``copy_rows`` in this transaction.

    PostgreSQL draws them from the table's sequence (safe beside concurrent inserts). On SQLite the
    writer holds the database (``BEGIN IMMEDIATE``), so the keys after the largest ever issued are free.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("reserve_ids() must run inside the action's transaction")
    if n <= 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n])
            return [r[0] for r in cur.fetchall()]
        quoted = connection.ops.quote_name(table)
        cur.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM {quoted}")  # noqa: S608 - metadata
        top = cur.fetchone()[0]
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        start = max(top, row[0] if row else 0) + 1
    return list(range(start, start + n))


def copy_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]) -> int:
    """Load many rows fast, in the caller's transaction; returns how many. No keys come back:
    give the primary key as a field (from ``reserve_ids``) when the caller needs it.

    PostgreSQL: ``COPY … FROM STDIN`` (psycopg writes the rows in C). SQLite: one ``executemany``
    of a single-row INSERT on the driver's cursor, prepared once. Values are adapted as in
    ``insert_rows``.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("copy_rows() must run inside the action's transaction")
    if not rows:
        return 0
    model_fields = _fields(model, fields)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = _columns(model_fields)
    values = _adapt(rows, _adapters(model_fields))
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    else:
        one = "(" + ", ".join(["?"] * len(fields)) + ")"
        cur = raw.cursor()
        try:
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES {one}", values)  # noqa: S608 - metadata
        finally:
            cur.close()
    return len(values)


def write_blob(model: type[models.Model], pk: int, field: str, data: bytes) -> None:
    """Store ``data`` in one binary field of one row, in the caller's transaction.

    Django's PostgreSQL backend binds parameters on the client: a 30 MB ``bytes`` becomes 60 MB of
    hex inside the SQL text, which psycopg then parses for placeholders (seconds). A server-side
    binding cursor on the same connection sends it as a binary parameter instead.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("write_blob() must run inside the action's transaction")
    f = _fields(model, [field])[0]
    table = connection.ops.quote_name(model._meta.db_table)
    col = connection.ops.quote_name(f.column)
    pk_col = connection.ops.quote_name(model._meta.pk.column)
    sql = f"UPDATE {table} SET {col} = %s WHERE {pk_col} = %s"  # noqa: S608 - identifiers from metadata
    if connection.vendor != "postgresql":
        execute(sql, [data, pk])
        return
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cur:
        cur.execute(sql, [data, pk])
