"""Reads behind the posting and team pages: a category, neighbourhood or status only of its own process/city."""

from __future__ import annotations

from arrival.participation import selectors, services
from arrival.participation.models import Neighbourhood
from tests.participation.factories import city_with_officer, open_process


def test_lookups_by_id_stay_inside_their_process_or_city() -> None:
    city, officer = city_with_officer()
    process = open_process(officer=officer, city=city)
    other = open_process(title="Another city's process")
    housing = selectors.category_list(process=process).get(name="Housing")
    assert selectors.category_get(process=process, pk=housing.pk) == housing
    assert selectors.category_get(process=other, pk=housing.pk) is None

    market = Neighbourhood.objects.create(owner=city, name="Market quarter")
    assert selectors.neighbourhood_get(owner=city, pk=market.pk) == market
    assert selectors.neighbourhood_get(owner=other.owner, pk=market.pk) is None

    services.answer_statuses_ensure(owner=city)
    status = selectors.answer_status_list(owner=city).first()
    assert selectors.answer_status_get(owner=city, pk=status.pk) == status
    assert selectors.answer_status_get(owner=other.owner, pk=status.pk) is None
    assert selectors.answer_status_get(owner=city, pk=None) is None
