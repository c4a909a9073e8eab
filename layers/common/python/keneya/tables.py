"""The single-table layout every service's PynamoDB models share.

Each service keeps one DynamoDB table. Its models derive from `keyed_item(table_name)`, which
carries the table's `Meta` and the two keys, and name the one secondary index as `gsi1()`:

    @cache
    def models_for(table_name: str) -> Models:
        Item = keyed_item(table_name)

        class Account(Item):
            user_id = UnicodeAttribute()
            ...
"""

from __future__ import annotations

from functools import cache

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from keneya.aws import table_meta


@cache
def keyed_item(table_name: str) -> type[Model]:
    """The base model of items in `table_name`: its `Meta`, `pk` (hash) and `sk` (range)."""

    class KeyedItem(Model):
        Meta = table_meta(table_name)
        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)

    return KeyedItem


def gsi1() -> GlobalSecondaryIndex:
    """The table's one secondary index, `gsi1` (`gsi1pk`, `gsi1sk`, every attribute projected).

    A new index object each call: PynamoDB binds an index to the one model that declares it.
    The model also declares `gsi1pk` and `gsi1sk` as its own attributes (nullable when only
    some items are indexed)."""

    class Gsi1(GlobalSecondaryIndex):
        class Meta:
            index_name = "gsi1"
            projection = AllProjection()

        gsi1pk = UnicodeAttribute(hash_key=True)
        gsi1sk = UnicodeAttribute(range_key=True)

    return Gsi1()
