"""The practice workflow through the services: draft → submit → screening → peer review → decision."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from arrival.core.models import AuditEvent
from arrival.practices import selectors, services
from arrival.practices.models import ReviewAssignmentStatus, ReviewStage
from tests.practices.factories import (
    assign_and_accept,
    curator,
    draft_practice,
    gcm_objective,
    government,
    in_review_practice,
    officer_for,
    published_practice,
    review,
    team_of,
)


def test_create_makes_a_sanitised_tagged_draft_and_audits() -> None:
    city = government()
    user = officer_for(city)
    practice = draft_practice(user=user, government=city, problem='<p onclick="x()">Long waits<script>x</script></p>')
    assert practice.stage == ReviewStage.DRAFT
    assert practice.problem == "<p>Long waits</p>"
    assert list(practice.governments.all()) == [city]
    assert practice.created_by == user
    assert AuditEvent.objects.filter(action="practices.practice_create", target_id=str(practice.pk)).exists()


def test_submit_lists_what_is_missing_and_changes_nothing() -> None:
    practice = draft_practice(complete=False)
    with pytest.raises(ValidationError) as error:
        services.practice_submit(user=team_of(practice), practice=practice)
    message = " ".join(error.value.messages)
    for part in ("problem", "approach", "results", "GCM objective"):
        assert part in message
    practice.refresh_from_db()
    assert practice.stage == ReviewStage.DRAFT


def test_submit_needs_a_gcm_objective_not_only_other_tags() -> None:
    from arrival.frameworks.models import FrameworkItem, FrameworkKind

    gcm_objective(1)
    sdg = FrameworkItem.objects.filter(framework__kind=FrameworkKind.SDG_TARGET).first()
    practice = draft_practice(tags=[sdg])
    with pytest.raises(ValidationError, match="GCM objective"):
        services.practice_submit(user=team_of(practice), practice=practice)


def test_full_workflow_publishes_after_two_peer_reviews() -> None:
    practice = published_practice()
    assert practice.stage == ReviewStage.PUBLISHED
    assert practice.published_at is not None
    assert selectors.practice_list_published().filter(pk=practice.pk).exists()
    actions = set(AuditEvent.objects.filter(target_id=str(practice.pk)).values_list("action", flat=True))
    assert {"practices.practice_submit", "practices.practice_screen", "practices.practice_decide"} <= actions


def test_screening_rejection_needs_a_note_and_returns_to_authors() -> None:
    practice = draft_practice()
    services.practice_submit(user=team_of(practice), practice=practice)
    by = curator()
    with pytest.raises(ValidationError):
        services.practice_screen(user=by, practice=practice, accept=False)
    services.practice_screen(user=by, practice=practice, accept=False, note="Add the results' sources.")
    practice.refresh_from_db()
    assert practice.stage == ReviewStage.REVISION_REQUESTED
    # The team can edit and resubmit.
    services.practice_update(user=team_of(practice), practice=practice, results="<p>Sourced results.</p>")
    services.practice_submit(user=team_of(practice), practice=practice)
    practice.refresh_from_db()
    assert practice.stage == ReviewStage.SUBMITTED


def test_publish_needs_two_submitted_peer_reviews() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    review(assign_and_accept(practice, by=by))
    assign_and_accept(practice, by=by)  # accepted but not yet submitted
    with pytest.raises(ValidationError, match="two submitted peer reviews"):
        services.practice_decide(user=by, practice=practice, decision="publish")
    practice.refresh_from_db()
    assert practice.stage == ReviewStage.IN_REVIEW


def test_an_expert_review_does_not_count_as_a_peer_review() -> None:
    from tests.actors.factories import OrganisationFactory

    by = curator()
    practice = in_review_practice(by=by)
    review(assign_and_accept(practice, by=by))
    organisation = OrganisationFactory().actor
    expert = officer_for(organisation, kind="reviewer")
    review(assign_and_accept(practice, by=by, role="expert", reviewer=(expert, organisation)))
    assert selectors.submitted_peer_review_count(practice=practice) == 1
    with pytest.raises(ValidationError):
        services.practice_decide(user=by, practice=practice, decision="publish")


def test_disagreement_of_two_points_needs_an_extra_reviewer() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    review(assign_and_accept(practice, by=by), score=5)
    assert not selectors.needs_extra_reviewer(practice=practice)
    review(assign_and_accept(practice, by=by), score=3)  # 5.0 vs 3.0: exactly two points apart
    assert selectors.needs_extra_reviewer(practice=practice)
    with pytest.raises(ValidationError, match="disagree"):
        services.practice_decide(user=by, practice=practice, decision="publish")
    review(assign_and_accept(practice, by=by), score=4)
    assert not selectors.needs_extra_reviewer(practice=practice)
    services.practice_decide(user=by, practice=practice, decision="publish")


def test_less_than_two_points_apart_is_no_disagreement() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    review(assign_and_accept(practice, by=by), score=5)
    # overall 3.1666…: 1.83 points below 5.0
    review(assign_and_accept(practice, by=by), score=3, relevance=4)
    assert not selectors.needs_extra_reviewer(practice=practice)


def test_decline_and_revise_need_reasons() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    for decision in ("decline", "revise"):
        with pytest.raises(ValidationError):
            services.practice_decide(user=by, practice=practice, decision=decision)
    services.practice_decide(user=by, practice=practice, decision="decline", reasons="Out of scope.")
    practice.refresh_from_db()
    assert practice.stage == ReviewStage.DECLINED
    assert practice.decision_reasons == "Out of scope."


def test_reviewer_must_declare_conflicts_before_accepting_and_reviewing() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    from tests.practices.factories import peer_reviewer

    user, actor = peer_reviewer()
    assignment = services.review_assign(user=by, practice=practice, reviewer=user, reviewer_actor=actor)
    with pytest.raises(ValidationError, match="conflicts of interest"):
        review(assignment)
    with pytest.raises(ValidationError, match="conflicts of interest"):
        services.review_respond(user=user, assignment=assignment, accept=True)
    services.review_respond(user=user, assignment=assignment, accept=True,
                            conflicts_declared="I worked with their NGO partner in 2021.")
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignmentStatus.ACCEPTED
    result = review(assignment, score=2)
    assert result.overall == 2
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignmentStatus.SUBMITTED


@pytest.mark.parametrize("bad", [0, 6, "4.5", None, "x"])
def test_scores_outside_one_to_five_are_refused(bad: object) -> None:
    by = curator()
    practice = in_review_practice(by=by)
    assignment = assign_and_accept(practice, by=by)
    with pytest.raises(ValidationError):
        review(assignment, relevance=bad)
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignmentStatus.ACCEPTED


def test_declined_invitation_lets_the_curator_invite_again() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    from tests.practices.factories import peer_reviewer

    user, actor = peer_reviewer()
    assignment = services.review_assign(user=by, practice=practice, reviewer=user, reviewer_actor=actor)
    with pytest.raises(ValidationError, match="already reviewing"):
        services.review_assign(user=by, practice=practice, reviewer=user, reviewer_actor=actor)
    services.review_respond(user=user, assignment=assignment, accept=False)
    services.review_assign(user=by, practice=practice, reviewer=user, reviewer_actor=actor)


def test_results_links_and_adaptation() -> None:
    source = published_practice()
    city = government()
    team = officer_for(city)
    practice = draft_practice(user=team, government=city)
    services.result_add(user=team, practice=practice, label="Waiting time", value="12", unit="days",
                        source="City register 2024")
    with pytest.raises(ValidationError):
        services.result_add(user=team, practice=practice, label="x", value="many", unit="u", source="s")
    services.link_add(user=team, practice=practice, url="https://example.org/report", label="Report")
    with pytest.raises(ValidationError):
        services.link_add(user=team, practice=practice, url="javascript:alert(1)", label="Bad")
    with pytest.raises(ValidationError, match="what changed"):
        services.practice_set_adapted_from(user=team, practice=practice, source=source)
    services.practice_set_adapted_from(user=team, practice=practice, source=source, note="Smaller team.")
    assert practice.quantitative_results.get().value == 12
    assert practice.links.count() == 1
    practice.refresh_from_db()
    assert practice.adapted_from == source


def test_adaptation_must_name_a_published_practice_of_another_government() -> None:
    city = government()
    team = officer_for(city)
    draft_source = draft_practice(government=city)
    practice = draft_practice(user=team, government=city)
    with pytest.raises(ValidationError, match="published"):
        services.practice_set_adapted_from(user=team, practice=practice, source=draft_source, note="x")
    own = published_practice(practice=draft_practice(government=city))
    with pytest.raises(ValidationError, match="another government"):
        services.practice_set_adapted_from(user=team, practice=practice, source=own, note="x")
    with pytest.raises(ValidationError, match="itself"):
        services.practice_set_adapted_from(user=team, practice=practice, source=practice, note="x")


def test_joint_practice_keeps_the_editor_in_the_team() -> None:
    city, partner_city = government(), government()
    team = officer_for(city)
    practice = draft_practice(user=team, government=city)
    services.practice_update(user=team, practice=practice, governments=[city, partner_city])
    assert set(practice.governments.all()) == {city, partner_city}
    with pytest.raises(ValidationError, match="Keep at least one"):
        services.practice_update(user=team, practice=practice, governments=[partner_city])
    assert set(practice.governments.all()) == {city, partner_city}


def test_unknown_fields_and_bad_language_are_refused() -> None:
    practice = draft_practice()
    with pytest.raises(ValidationError, match="stage"):
        services.practice_update(user=team_of(practice), practice=practice, stage="published")
    with pytest.raises(ValidationError, match="language"):
        services.practice_update(user=team_of(practice), practice=practice, language="klingon")
    practice.refresh_from_db()
    assert practice.stage == ReviewStage.DRAFT
