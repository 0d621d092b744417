"""Tagging any record with framework items.

Permission (one choice, applied by every service here): the services take the acting `user` and check,
through `require`, both
- `frameworks.change_tag` on the record: may this person tag at all (the rule lives in accounts), and
- `<app_label>.change_<model>` on the record itself (e.g. `practices.change_practice`): a tag changes the
  record it is on, so only someone who may change the record may tag it.
An owning app's service that tags its own record in the same transaction passes its `user` along and gets
the same object-level checks as everywhere else; nothing here trusts the caller to have checked already.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from arrival.core.permissions import require
from arrival.core.services import audit_record
from arrival.frameworks.models import FrameworkItem, Tag


def _item_ref(item: FrameworkItem) -> str:
    """How an audit row names a tag: kind, version and code pin down one item of one version."""
    return f"{item.framework.kind}:{item.framework.version}:{item.code}"


def _check(user: Any, record: models.Model) -> ContentType:
    if record.pk is None:
        raise ValidationError("Save the record before tagging it.")
    if isinstance(record, Tag | FrameworkItem):
        raise ValidationError("Framework items and tags cannot be tagged.")
    require(user, "frameworks.change_tag", record)
    require(user, f"{record._meta.app_label}.change_{record._meta.model_name}", record)
    return ContentType.objects.get_for_model(record)


def _check_items(items: Iterable[Any]) -> list[FrameworkItem]:
    items = list(items)
    for item in items:
        if not isinstance(item, FrameworkItem) or item.pk is None:
            raise ValidationError(f"Not a framework item: {item!r}.")
    return items


def _current_refs(content_type: ContentType, record: models.Model) -> list[str]:
    tags = Tag.objects.filter(content_type=content_type, object_id=str(record.pk)).select_related("item__framework")
    return sorted(_item_ref(tag.item) for tag in tags)


def tag_add(*, user: Any, record: models.Model, item: FrameworkItem) -> Tag:
    """Tag `record` with `item`. Tagging twice is harmless: the existing tag is returned, nothing is logged."""
    content_type = _check(user, record)
    (item,) = _check_items([item])
    with transaction.atomic():
        tag, created = Tag.objects.get_or_create(item=item, content_type=content_type, object_id=str(record.pk))
        if created:
            audit_record(user=user, action="frameworks.tag_add", target=record, after={"tag": _item_ref(item)})
    return tag


def tag_remove(*, user: Any, record: models.Model, item: FrameworkItem) -> bool:
    """Remove the tag `item` from `record`. Returns whether there was one; removing a missing tag logs nothing."""
    content_type = _check(user, record)
    (item,) = _check_items([item])
    with transaction.atomic():
        deleted, _ = Tag.objects.filter(item=item, content_type=content_type, object_id=str(record.pk)).delete()
        if deleted:
            audit_record(user=user, action="frameworks.tag_remove", target=record, before={"tag": _item_ref(item)})
    return bool(deleted)


def tags_set(*, user: Any, record: models.Model, items: Iterable[FrameworkItem]) -> list[Tag]:
    """Make `items` exactly the tags of `record`, in one transaction and one audit row (none if nothing changed)."""
    content_type = _check(user, record)
    return _tags_write(user=user, content_type=content_type, record=record, items=items)


def tags_load(*, record: models.Model, items: Iterable[FrameworkItem]) -> list[Tag]:
    """`tags_set` for reference-data loaders run by `arrival setup`, where no person acts.

    Only for records an app loads from its own shipped files (e.g. the indicators of a framework file);
    the change is audited without a user. People's changes go through `tags_set` and its checks.
    """
    if record.pk is None:
        raise ValidationError("Save the record before tagging it.")
    content_type = ContentType.objects.get_for_model(record)
    return _tags_write(user=None, content_type=content_type, record=record, items=items)


def _tags_write(*, user: Any, content_type: ContentType, record: models.Model, items: Iterable[FrameworkItem]) -> list[Tag]:
    wanted = {item.pk: item for item in _check_items(items)}
    with transaction.atomic():
        before = _current_refs(content_type, record)
        tags = Tag.objects.filter(content_type=content_type, object_id=str(record.pk))
        tags.exclude(item_id__in=wanted).delete()
        have = set(tags.values_list("item_id", flat=True))
        Tag.objects.bulk_create(
            [Tag(item=item, content_type=content_type, object_id=str(record.pk)) for pk, item in wanted.items() if pk not in have]
        )
        after = _current_refs(content_type, record)
        if before != after:
            audit_record(
                user=user, action="frameworks.tags_set", target=record, before={"tags": before}, after={"tags": after}
            )
        return list(tags.select_related("item__framework").order_by("item__framework__kind", "item__position"))
