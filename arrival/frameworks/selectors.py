"""Reads of frameworks, the crosswalk and tags.

"Related through the crosswalk" is one hop through the governance domains: an item → the domains linked
to it → the other items linked to those domains (and those domains themselves). Records tagged with
those items are kept apart from records tagged with the item directly, and never counted twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.http import Http404

from arrival.core.models import Translatable
from arrival.core.translations import Localized, localized
from arrival.frameworks.models import CrosswalkLink, Framework, FrameworkItem, FrameworkKind, Tag

CROSSWALK_STATUS = "Arrival's own proposal, not an official table"

_INTEGER_KEYS = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
}


# --- Frameworks and items ----------------------------------------------------------------------------


def _kind_order(path: str) -> Case:
    """Sort by FrameworkKind's order; `path` leads to the kind, e.g. "item__framework__kind"."""
    return Case(*[When(**{path: kind}, then=Value(i)) for i, kind in enumerate(FrameworkKind.values)])


def framework_list() -> QuerySet[Framework]:
    """Every framework version with its `item_count`, in the order of FrameworkKind, current version first."""
    frameworks = Framework.objects.annotate(item_count=Count("items"), kind_order=_kind_order("kind"))
    return frameworks.order_by("kind_order", "-is_current", "-version")


def framework_get(*, kind: str, version: str | None = None) -> Framework:
    """The framework of `kind` in `version`, or its current version; Http404 when there is none."""
    lookup = {"version": version} if version else {"is_current": True}
    try:
        return Framework.objects.get(kind=kind, **lookup)
    except Framework.DoesNotExist:
        raise Http404(f"No framework {kind} {version or '(current version)'}.") from None


def framework_items(*, kind: str, version: str | None = None) -> QuerySet[FrameworkItem]:
    """Items of one framework kind in `version` (the current version by default), in their order."""
    items = FrameworkItem.objects.filter(framework__kind=kind)
    items = items.filter(framework__version=version) if version else items.filter(framework__is_current=True)
    return items.select_related("framework", "parent__framework").order_by("position")


def item_get(*, kind: str, code: str, version: str | None = None) -> FrameworkItem:
    """One item by kind and code, in `version` or the current version; Http404 when there is none."""
    try:
        return framework_items(kind=kind, version=version).get(code=code)
    except FrameworkItem.DoesNotExist:
        raise Http404(f"No item {code!r} in {kind} {version or '(current version)'}.") from None


def item_children(*, item: FrameworkItem) -> QuerySet[FrameworkItem]:
    return item.children.select_related("framework").order_by("framework__version", "position")


def crosswalk_links_for(*, item: FrameworkItem) -> QuerySet[FrameworkItem]:
    """The items directly linked to `item` in the crosswalk: its items if it is a domain, else its domains."""
    if item.framework.kind == FrameworkKind.DOMAIN:
        linked = FrameworkItem.objects.filter(crosswalk_in__domain=item)
    else:
        linked = FrameworkItem.objects.filter(crosswalk_out__item=item)
    return linked.select_related("framework").annotate(kind_order=_kind_order("framework__kind")).order_by(
        "kind_order", "position"
    )


def items_related_through_crosswalk(*, item: FrameworkItem) -> QuerySet[FrameworkItem]:
    """Items one hop away through the governance domains, `item` itself excluded, each once."""
    if item.framework.kind == FrameworkKind.DOMAIN:
        domains = Q(pk=item.pk)
    else:
        domains = Q(crosswalk_out__item=item)
    domain_ids = FrameworkItem.objects.filter(domains).values("pk")
    related = FrameworkItem.objects.filter(
        Q(pk__in=domain_ids) | Q(pk__in=CrosswalkLink.objects.filter(domain__in=domain_ids).values("item"))
    ).exclude(pk=item.pk)
    return related.select_related("framework").annotate(kind_order=_kind_order("framework__kind")).order_by(
        "kind_order", "position"
    )


@dataclass(frozen=True)
class CrosswalkNeighbour:
    item: FrameworkItem
    domains: list[FrameworkItem]

    @property
    def domain_codes(self) -> str:
        return ", ".join(domain.code for domain in self.domains)


def crosswalk_neighbours(*, item: FrameworkItem) -> list[CrosswalkNeighbour]:
    """The other items that share a governance domain with `item`, each with those domains. One query.

    Empty for a domain: everything one hop from a domain is linked to it directly.
    """
    if item.framework.kind == FrameworkKind.DOMAIN:
        return []
    links = (
        CrosswalkLink.objects.filter(domain__crosswalk_out__item=item)
        .exclude(item=item)
        .select_related("item__framework", "domain")
        .annotate(kind_order=_kind_order("item__framework__kind"))
        .order_by("kind_order", "item__position", "domain__position")
    )
    neighbours: dict[int, CrosswalkNeighbour] = {}
    for link in links:
        neighbour = neighbours.setdefault(link.item_id, CrosswalkNeighbour(item=link.item, domains=[]))
        if link.domain not in neighbour.domains:
            neighbour.domains.append(link.domain)
    return list(neighbours.values())


@dataclass(frozen=True)
class CrosswalkRow:
    domain: FrameworkItem
    gcm_objectives: list[FrameworkItem] = field(default_factory=list)
    sdg_targets: list[FrameworkItem] = field(default_factory=list)
    nua_paragraphs: list[FrameworkItem] = field(default_factory=list)


def crosswalk_table(*, version: str | None = None) -> list[CrosswalkRow]:
    """One row per governance domain (current version by default) with its linked items by kind. Two queries."""
    domains = list(framework_items(kind=FrameworkKind.DOMAIN, version=version))
    links = (
        CrosswalkLink.objects.filter(domain__in=domains)
        .select_related("item__framework")
        .order_by("item__framework__kind", "item__position")
    )
    columns: dict[str, str] = {
        FrameworkKind.GCM_OBJECTIVE: "gcm_objectives",
        FrameworkKind.SDG_TARGET: "sdg_targets",
        FrameworkKind.NUA_PARAGRAPH: "nua_paragraphs",
    }
    rows = {domain.pk: CrosswalkRow(domain=domain) for domain in domains}
    for link in links:
        column = columns.get(link.item.framework.kind)
        if column:
            getattr(rows[link.domain_id], column).append(link.item)
    return list(rows.values())


# --- Tags ---------------------------------------------------------------------------------------------


def tags_for(*, record: models.Model) -> QuerySet[Tag]:
    """The tags on one record, with their items and framework versions."""
    return (
        Tag.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk))
        .select_related("item__framework")
        .annotate(kind_order=_kind_order("item__framework__kind"))
        .order_by("kind_order", "item__position")
    )


def _records_in(model: type[models.Model], tags: QuerySet[Tag]) -> QuerySet[Any]:
    """Records of `model` whose keys are the `object_id`s of `tags`, as one query with a subquery."""
    key: Any = model._meta.pk
    while key.is_relation:  # a one-to-one primary key takes the type of the key it points to
        key = key.target_field
    if key.get_internal_type() in _INTEGER_KEYS:
        # object_id is text; cast it so the database compares numbers and can use the model's key index.
        return model._default_manager.filter(
            pk__in=tags.annotate(key=Cast("object_id", BigIntegerField())).values("key")
        )
    return model._default_manager.filter(pk__in=[key.to_python(value) for value in tags.values_list("object_id", flat=True)])


def records_tagged(*, item: FrameworkItem, model: type[models.Model]) -> QuerySet[Any]:
    """Records of `model` tagged with `item` directly."""
    return _records_in(model, Tag.objects.filter(item=item, content_type=ContentType.objects.get_for_model(model)))


def _related_tags(item: FrameworkItem) -> QuerySet[Tag]:
    """Tags on items related through the crosswalk, leaving out records tagged with `item` itself."""
    direct = Tag.objects.filter(item=item, content_type=OuterRef("content_type"), object_id=OuterRef("object_id"))
    return Tag.objects.filter(item__in=items_related_through_crosswalk(item=item).values("pk")).exclude(Exists(direct))


def records_related_through_crosswalk(*, item: FrameworkItem, model: type[models.Model]) -> QuerySet[Any]:
    """Records of `model` related to `item` through the crosswalk and not tagged with it directly."""
    tags = _related_tags(item).filter(content_type=ContentType.objects.get_for_model(model))
    return _records_in(model, tags)


# How a tagged record names itself in lists: its code (a public id, an indicator's code) and its text in the
# reader's language. User content (core's Translatable) with a title needs nothing; other models register.
RecordLabel = tuple[str, Localized]
_RECORD_LABELS: dict[type[models.Model], Callable[[list[Any]], dict[Any, RecordLabel]]] = {}


def register_record_labels(model: type[models.Model], labels: Callable[[list[Any]], dict[Any, RecordLabel]]) -> None:
    """`labels(records)` gives {pk: (code, text)} for a page of records of `model` (one call per page)."""
    _RECORD_LABELS[model] = labels


def _default_label(record: Any) -> RecordLabel:
    code = str(getattr(record, "public_id", "") or "")
    if isinstance(record, Translatable) and hasattr(record, "title"):
        return code, localized(record, "title")
    text = str(record)
    return "", Localized(text=text, language="", original_language="", is_translation=False)


@dataclass(frozen=True)
class TaggedRecord:
    """A record of any model, for pages that list tagged records generically."""

    record: Any
    via: list[FrameworkItem] = field(default_factory=list)  # the related items that bring it in
    label: RecordLabel = ("", Localized(text="", language="", original_language="", is_translation=False))

    @property
    def code(self) -> str:
        """A public id or an indicator's code, shown before the text; "" when the record has none."""
        return self.label[0]

    @property
    def text(self) -> Localized:
        """The record's title in the reader's language when it has one, else its original (with its language;
        "" when unknown)."""
        return self.label[1]

    @property
    def url(self) -> str:
        get_url = getattr(self.record, "get_absolute_url", None)
        return get_url() if callable(get_url) else ""

    @property
    def type_label(self) -> str:
        return str(self.record._meta.verbose_name)


# Apps whose tagged records are not all public (drafts, records in review) say which ones are, so the
# public lists of tagged records never show a draft's title. Models not registered are public.
_PUBLIC_RECORDS: dict[type[models.Model], Callable[[], QuerySet[Any]]] = {}


def register_public_records(model: type[models.Model], public: Callable[[], QuerySet[Any]]) -> None:
    """`public()` returns the records of `model` that anyone may see listed as tagged."""
    _PUBLIC_RECORDS[model] = public


def unregister_public_records(model: type[models.Model]) -> None:
    _PUBLIC_RECORDS.pop(model, None)


def _public_only(tags: QuerySet[Tag]) -> QuerySet[Tag]:
    for model, public in _PUBLIC_RECORDS.items():
        visible_keys = public().annotate(key_text=Cast("pk", CharField())).values("key_text")
        content_type = ContentType.objects.get_for_model(model)
        tags = tags.exclude(Q(content_type=content_type) & ~Q(object_id__in=visible_keys))
    return tags


def _refs_direct(item: FrameworkItem) -> QuerySet[Any]:
    tags = _public_only(Tag.objects.filter(item=item))
    return tags.values("content_type", "object_id").order_by("content_type", "object_id")


def _refs_related(item: FrameworkItem) -> QuerySet[Any]:
    return (
        _public_only(_related_tags(item))
        .values("content_type", "object_id")
        .distinct()
        .order_by("content_type", "object_id")
    )


def tagged_record_refs(*, item: FrameworkItem, related: bool = False) -> QuerySet[Any]:
    """(content_type, object_id) of every record tagged with `item` (or related to it through the crosswalk),
    each once, in a stable order; slice it to page through, then pass the page to `tagged_records_resolve`."""
    return _refs_related(item) if related else _refs_direct(item)


def tagged_records_resolve(
    refs: Iterable[dict[str, Any]], *, via_item: FrameworkItem | None = None
) -> list[TaggedRecord]:
    """Turn a page of refs into records: one query per model, plus one for the `via` items when asked.

    Records deleted since they were tagged are left out. With `via_item`, each record lists the items
    related to `via_item` through the crosswalk that it is tagged with.
    """
    refs = list(refs)
    ids_by_type: dict[int, list[str]] = defaultdict(list)
    for ref in refs:
        ids_by_type[ref["content_type"]].append(ref["object_id"])
    records: dict[tuple[int, str], Any] = {}
    labels: dict[tuple[int, str], RecordLabel] = {}
    for type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:  # the app that owned these records is gone
            continue
        key = model._meta.pk
        found = list(model._default_manager.filter(pk__in=[key.to_python(value) for value in ids]))
        for record in found:
            records[(type_id, str(record.pk))] = record
        if model in _RECORD_LABELS and found:
            labels.update({(type_id, str(pk)): label for pk, label in _RECORD_LABELS[model](found).items()})
    via: dict[tuple[int, str], list[FrameworkItem]] = defaultdict(list)
    if via_item is not None and records:
        match = Q()
        for type_id, ids in ids_by_type.items():
            match |= Q(content_type_id=type_id, object_id__in=ids)
        tags = (
            Tag.objects.filter(match, item__in=items_related_through_crosswalk(item=via_item).values("pk"))
            .select_related("item__framework")
            .annotate(kind_order=_kind_order("item__framework__kind"))
            .order_by("kind_order", "item__position")
        )
        for tag in tags:
            via[(tag.content_type_id, tag.object_id)].append(tag.item)
    result = []
    for ref in refs:
        ref_key = (ref["content_type"], ref["object_id"])
        if ref_key in records:
            record = records[ref_key]
            result.append(TaggedRecord(record=record, via=via.get(ref_key, []),
                                       label=labels.get(ref_key) or _default_label(record)))
    return result
