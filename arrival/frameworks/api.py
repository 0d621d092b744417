"""GET-only API of the frameworks: items with their framework version, the crosswalk, one item in full."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from arrival.core.api import PageNumberWithTotal
from arrival.frameworks import selectors
from arrival.frameworks.models import FrameworkKind
from arrival.frameworks.schemas import CrosswalkRowOut, FrameworkOut, ItemDetailOut, ItemOut, SdgTargetOut

router = Router(tags=["frameworks"])


class VersionFilter(Schema):
    version: str | None = None


def _items(kind: str, filters: VersionFilter) -> Any:
    if filters.version:
        selectors.framework_get(kind=kind, version=filters.version)  # an unknown version is a 404, not an empty list
    return selectors.framework_items(kind=kind, version=filters.version)


@router.get("/", response=list[FrameworkOut], summary="Framework versions with their item counts")
@paginate(PageNumberWithTotal)
def framework_list(request: HttpRequest) -> Any:
    return selectors.framework_list()


@router.get("/gcm-objectives", response=list[ItemOut], summary="The 23 objectives of the Global Compact for Migration")
@paginate(PageNumberWithTotal)
def gcm_objectives(request: HttpRequest, filters: Query[VersionFilter]) -> Any:
    return _items(FrameworkKind.GCM_OBJECTIVE, filters)


@router.get("/gcm-principles", response=list[ItemOut], summary="The 10 guiding principles of the Global Compact for Migration")
@paginate(PageNumberWithTotal)
def gcm_principles(request: HttpRequest, filters: Query[VersionFilter]) -> Any:
    return _items(FrameworkKind.GCM_PRINCIPLE, filters)


@router.get("/sdg-goals", response=list[ItemOut], summary="The 17 Sustainable Development Goals")
@paginate(PageNumberWithTotal)
def sdg_goals(request: HttpRequest, filters: Query[VersionFilter]) -> Any:
    return _items(FrameworkKind.SDG_GOAL, filters)


@router.get("/sdg-targets", response=list[SdgTargetOut], summary="SDG targets most used in migration work, with their goal")
@paginate(PageNumberWithTotal)
def sdg_targets(request: HttpRequest, filters: Query[VersionFilter]) -> Any:
    return _items(FrameworkKind.SDG_TARGET, filters)


@router.get("/nua-paragraphs", response=list[ItemOut], summary="New Urban Agenda paragraphs on migrants, refugees and displaced persons")
@paginate(PageNumberWithTotal)
def nua_paragraphs(request: HttpRequest, filters: Query[VersionFilter]) -> Any:
    return _items(FrameworkKind.NUA_PARAGRAPH, filters)


@router.get("/domains", response=list[ItemOut], summary="The six migration governance domains (IOM MiGOF)")
@paginate(PageNumberWithTotal)
def domains(request: HttpRequest, filters: Query[VersionFilter]) -> Any:
    return _items(FrameworkKind.DOMAIN, filters)


@router.get(
    "/crosswalk",
    response=list[CrosswalkRowOut],
    summary="Crosswalk: each governance domain with its GCM objectives, SDG targets and NUA paragraphs",
    description="Arrival's own proposal, not an official table. One row per governance domain.",
)
@paginate(PageNumberWithTotal)
def crosswalk(request: HttpRequest, filters: Query[VersionFilter]) -> Any:
    if filters.version:
        selectors.framework_get(kind=FrameworkKind.DOMAIN, version=filters.version)
    return [
        {
            "domain": row.domain,
            "gcm_objectives": [item.code for item in row.gcm_objectives],
            "sdg_targets": [item.code for item in row.sdg_targets],
            "nua_paragraphs": [item.code for item in row.nua_paragraphs],
            "status": selectors.CROSSWALK_STATUS,
        }
        for row in selectors.crosswalk_table(version=filters.version)
    ]


@router.get("/items/{kind}/{code}", response=ItemDetailOut, summary="One framework item with its crosswalk links")
def item_detail(request: HttpRequest, kind: str, code: str, filters: Query[VersionFilter]) -> Any:
    if kind not in FrameworkKind.values:
        raise Http404(f"No framework kind {kind!r}; the kinds are {', '.join(FrameworkKind.values)}.")
    # The schema reads these computed lists from the item, as it reads annotations from a queryset.
    item: Any = selectors.item_get(kind=kind, code=code, version=filters.version)
    item.children_items = list(selectors.item_children(item=item))
    item.crosswalk_items = list(selectors.crosswalk_links_for(item=item))
    item.crosswalk_status = selectors.CROSSWALK_STATUS
    return item
