"""The Atom feed of newly published practices: `LatestPracticesFeed`, mounted by urls.py as `practices:feed`."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from arrival.practices.models import Practice
from arrival.practices.selectors import practice_list_published

FEED_LENGTH = 50


class LatestPracticesFeed(Feed):
    feed_type = Atom1Feed
    title = _("Arrival: newly published practices")
    subtitle = _("Good practices of local governments, peer-reviewed by other cities.")

    def link(self) -> str:
        return reverse("practices:list")

    def items(self) -> QuerySet[Practice]:
        return practice_list_published()[:FEED_LENGTH]

    def item_title(self, item: Practice) -> str:
        prefix = f"[{_('Demo')}] " if item.is_demo else ""
        return f"{prefix}{item.title}"

    def item_description(self, item: Practice) -> str:
        return item.summary

    def item_link(self, item: Practice) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Practice) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Practice) -> datetime | None:
        return item.updated_at

    def item_author_name(self, item: Practice) -> str:
        return ", ".join(government.name for government in item.governments.all())

    def item_categories(self, item: Practice) -> list[str]:
        return list(item.themes)
