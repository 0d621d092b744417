"""Pages of the frameworks browser: read-only, over the selectors."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from arrival.frameworks import selectors
from arrival.frameworks.models import FrameworkKind

TAGGED_PAGE_SIZE = 25


def _kind_or_404(kind: str) -> FrameworkKind:
    if kind not in FrameworkKind.values:
        raise Http404(f"No framework kind {kind!r}.")
    return FrameworkKind(kind)


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "frameworks/index.html", {"frameworks": selectors.framework_list()})


def framework_detail(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    framework = selectors.framework_get(kind=kind, version=request.GET.get("version") or None)
    return render(
        request,
        "frameworks/framework_detail.html",
        {
            "framework": framework,
            "kind_label": kind.label,
            "items": selectors.framework_items(kind=kind, version=framework.version),
            "versions": [f for f in selectors.framework_list() if f.kind == kind],
        },
    )


def _tagged_page(request: HttpRequest, refs: QuerySet[Any], parameter: str) -> Page[Any]:
    return Paginator(refs, TAGGED_PAGE_SIZE).get_page(request.GET.get(parameter))


def item_detail(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    item = selectors.item_get(kind=kind, code=code, version=request.GET.get("version") or None)
    direct_page = _tagged_page(request, selectors.tagged_record_refs(item=item), "page")
    related_page = _tagged_page(request, selectors.tagged_record_refs(item=item, related=True), "related_page")
    return render(
        request,
        "frameworks/item_detail.html",
        {
            "item": item,
            "framework": item.framework,
            "kind_label": item.kind_label,
            "children": selectors.item_children(item=item),
            "crosswalk_links": selectors.crosswalk_links_for(item=item),
            "neighbours": selectors.crosswalk_neighbours(item=item),
            "item_version": "" if item.framework.is_current else item.framework.version,
            "direct_page": direct_page,
            "direct_records": selectors.tagged_records_resolve(direct_page.object_list),
            "related_page": related_page,
            "related_records": selectors.tagged_records_resolve(related_page.object_list, via_item=item),
            "crosswalk_status": selectors.CROSSWALK_STATUS,
        },
    )


def crosswalk(request: HttpRequest) -> HttpResponse:
    domains = selectors.framework_get(kind=FrameworkKind.DOMAIN)
    return render(
        request,
        "frameworks/crosswalk.html",
        {"rows": selectors.crosswalk_table(), "domains": domains},
    )
