"""The city's position in its default peer group (same population band): a percentile interval, cached."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from arrival.assessments import scores
from arrival.assessments.models import ScoreRecord
from arrival.assessments.selectors import peer_position_group
from arrival.assessments.selectors.records import indicator_list
from arrival.assessments.services import answers_save_many, assessment_update_settings
from tests.actors.factories import LocalGovernmentFactory
from tests.assessments.factories import AssessmentFactory, load_lmgf, officer_for, publish

pytestmark = pytest.mark.django_db


def _published(levels: tuple[int, int], *, population: int = 120_000, cycle: int = 2024):
    """A published assessment whose indicators alternate between the two levels (the two of each sub-category)."""
    government = LocalGovernmentFactory(population=population).actor
    assessment = AssessmentFactory(government=government, cycle=cycle, framework=load_lmgf())
    officer = officer_for(government)
    rows = [
        {"indicator_code": i.code, "value": levels[n % 2], "evidence_reference": f"Council decision {i.code}"}
        for n, i in enumerate(indicator_list(framework=assessment.framework))
    ]
    answers_save_many(user=officer, assessment=assessment, rows=rows)
    return publish(assessment, team=officer)


@pytest.fixture
def group():
    """Seven governments of 50,000–250,000 inhabitants and one larger city. The city (levels 2 and 3, 62.5)
    ties with a peer answering levels 1 and 4 (also 62.5), whom geometric draws pull down: a wide interval."""
    city = _published((2, 3))
    peers = [_published(levels) for levels in ((0, 1), (1, 1), (1, 2), (1, 4), (3, 3), (3, 4))]
    _published((4, 4), population=2_000_000)  # another band: not a peer
    return city, peers


def test_position_is_a_percentile_interval_over_the_other_peers_and_is_cached(group):
    city, _peers = group
    position = scores.peer_position(assessment=city)
    assert position.shown and position.others == 6
    assert "50,000 to 250,000" in position.group
    # Three of the six others score lower (12.5, 25, 37.5; the tie at 62.5 is not lower): percentile 50.
    assert position.percentile == 50.0
    assert position.low == 50.0 and position.high == pytest.approx(66.7)
    cached = ScoreRecord.objects.get(assessment=city).uncertainty["peer_position"]
    assert cached["low"] == position.low and cached["high"] == position.high and len(cached["key"]) == 64
    # The domain and overall intervals stored at publication are kept beside it.
    assert ScoreRecord.objects.get(assessment=city).uncertainty["overall"] is not None
    with mock.patch.object(scores, "rank_interval") as computed:
        assert scores.peer_position(assessment=city) == position
    computed.assert_not_called()


def test_same_group_same_interval_and_a_new_peer_recomputes(group):
    city, _peers = group
    first = scores.peer_position(assessment=city)
    ScoreRecord.objects.filter(assessment=city).update(uncertainty={
        **ScoreRecord.objects.get(assessment=city).uncertainty, "peer_position": None})
    assert scores.peer_position(assessment=city) == first  # recomputed from scratch: identical
    _published((4, 4))
    again = scores.peer_position(assessment=city)
    assert again.others == 7 and again.percentile == pytest.approx(300 / 7, abs=0.05)  # 3 of 7


def test_opted_out_other_cycles_and_partial_scores_are_not_peers(group):
    city, peers = group
    officer = officer_for(peers[0].government)
    assessment_update_settings(user=officer, assessment=peers[0], benchmark_opt_in=False)
    _published((1, 1), cycle=2023)
    ScoreRecord.objects.filter(assessment=peers[1]).update(partial=True)
    position = scores.peer_position(assessment=city)
    assert position.others == 4 and not position.shown  # below the minimum group of 5
    assert position.low is None and position.percentile is None
    members = {a for _g, a, _sha in peer_position_group(assessment=city).rows}
    assert peers[0].pk not in members and peers[1].pk not in members and city.pk in members


def test_no_position_without_population_or_with_a_partial_overall_score(group):
    city, _peers = group
    ScoreRecord.objects.filter(assessment=city).update(partial=True)
    city.score.refresh_from_db()
    assert scores.peer_position(assessment=city) is None
    lonely = _published((2, 2), population=10_000_000)
    lonely.government.population = None
    lonely.government.save()
    assert peer_position_group(assessment=lonely) is None


def test_profile_section_and_benchmark_page_show_the_interval_never_a_rank_list(client, group):
    city, peers = group
    position = scores.peer_position(assessment=city)
    profile = client.get(reverse("actors:actor_detail", args=[city.government.slug])).content.decode()
    benchmark = client.get(reverse("assessments:benchmark", args=[city.pk])).content.decode()
    for html in (profile, benchmark):
        assert "Position in its peer group" in html
        assert f"percentile of {position.others} comparable governments" in html
        assert "This is not a ranking." in html
        assert not any(peer.government.name in html for peer in peers)  # no peer is named


def test_too_small_a_group_says_so(client):
    city = _published((2, 2))
    html = client.get(reverse("assessments:benchmark", args=[city.pk])).content.decode()
    assert "Fewer than 5 comparable governments" in html and "no position is shown" in html
