"""Every hand-off of a practice reaches the next person in their language and waits in their "My work" until they
act: submitted → curators; invited → the reviewer; declined → the curator who asked; review in → authors and
curator; decision → authors and the other curators; adapted → the source's team."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arrival.accounts.models import RoleKind
from arrival.core.time_zones import datetime_with_zone
from arrival.practices import selectors, services
from arrival.practices.models import ReviewStage
from tests.accounts.factories import StaffFactory
from tests.actors.factories import NetworkFactory, OrganisationFactory
from tests.engagement.handoffs import assert_in_work, assert_not_in_work, assert_notified, notified, work_of
from tests.practices.factories import (
    CallFactory,
    assign_and_accept,
    curator,
    draft_practice,
    government,
    in_review_practice,
    officer_for,
    peer_reviewer,
    published_practice,
    review,
    team_of,
)


def _french(message: str, **values: object) -> str:
    """`message` as a French reader gets it (the same gettext message, rendered under French)."""
    with translation.override("fr"):
        return _(message) % values


def _staff_of(actor, **user_fields):
    return officer_for(actor, kind=RoleKind.STAFF, **user_fields)


def _detail(practice) -> str:
    return reverse("practices:detail", args=[practice.slug])


# --- Submitted → the curators -------------------------------------------------------------------------------


def test_a_practice_answering_a_call_is_handed_to_the_calls_curators_in_their_language():
    network = NetworkFactory().actor
    call = CallFactory(owner=network, title="Housing newcomers")
    french_curator = _staff_of(network, preferred_language="fr")
    other_network_curator = curator()
    site_staff = StaffFactory()
    practice = draft_practice(title="Rent guarantee")
    author, colleague = team_of(practice), team_of(practice)

    services.practice_submit(user=author, practice=practice, call=call)

    practice.refresh_from_db()
    assert practice.curating_organisation == network
    sent = assert_notified("practices.submitted", to=[french_curator],
                           not_to=[other_network_curator, site_staff, author, colleague], url=_detail(practice))
    city = practice.governments.get().name
    assert sent[french_curator.pk].words == _french(
        "The practice “%(title)s” (%(governments)s) answers the call “%(call)s”: screen it.",
        title="Rent guarantee", governments=city, call="Housing newcomers")
    item = assert_in_work(french_curator, "practices.screen", url=_detail(practice))
    # The call's review phase ends when the curators should be done.
    assert item.deadline == call.process.phases.get(phase_type="practices.review").ends_at
    for person in (other_network_curator, site_staff, author):
        assert_not_in_work(person, "practices.screen")

    services.practice_screen(user=french_curator, practice=practice, accept=True)
    assert_not_in_work(french_curator, "practices.screen")
    # The authors learn it passed screening; the curator who did it is not told what they did.
    sent = assert_notified("practices.decided", to=[author, colleague], not_to=[french_curator])
    # The author reads English (their language), whoever screened it.
    assert sent[author.pk].words == "Your practice “Rent guarantee” passed screening and is now in peer review."


def test_without_a_call_the_chosen_organisation_screens_it_else_the_sites_staff():
    organisation = OrganisationFactory().actor
    chosen = _staff_of(organisation)
    site_staff = StaffFactory()
    first = draft_practice()
    services.practice_submit(user=team_of(first), practice=first, curating_organisation=organisation)
    assert_notified("practices.submitted", to=[chosen], not_to=[site_staff])
    assert_in_work(chosen, "practices.screen", url=_detail(first))
    assert_not_in_work(site_staff, "practices.screen")

    second = draft_practice()
    services.practice_submit(user=team_of(second), practice=second)
    assert_in_work(site_staff, "practices.screen", url=_detail(second))
    assert [item.url for item in work_of(chosen, "practices.screen")] == [_detail(first)]

    # A government cannot screen practices; a call's practice goes to the call's organiser, not another.
    third = draft_practice()
    with pytest.raises(ValidationError, match="network or an organisation"):
        services.practice_submit(user=team_of(third), practice=third, curating_organisation=government())
    with pytest.raises(ValidationError, match="call's organiser"):
        services.practice_submit(user=team_of(third), practice=third, call=CallFactory(),
                                 curating_organisation=organisation)
    third.refresh_from_db()
    assert third.stage == ReviewStage.DRAFT


def test_a_returned_practice_waits_on_its_authors_and_goes_back_to_the_same_curators():
    organisation = OrganisationFactory().actor
    by = _staff_of(organisation)
    practice = draft_practice(title="Night school")
    author = team_of(practice)
    french_author = officer_for(practice.governments.get(), preferred_language="fr")
    stranger = officer_for(government())
    services.practice_submit(user=author, practice=practice, curating_organisation=organisation)

    services.practice_screen(user=by, practice=practice, accept=False, note="Add your results with sources.")
    sent = assert_notified("practices.decided", to=[author, french_author], not_to=[by, stranger])
    assert sent[french_author.pk].words == _french(
        "The curator returned your practice “%(title)s” before peer review: read why on its page, revise it and "
        "submit it again.", title="Night school")
    assert_in_work(french_author, "practices.revise", url=_detail(practice))
    assert_not_in_work(stranger, "practices.revise")

    services.practice_submit(user=french_author, practice=practice)
    assert_not_in_work(french_author, "practices.revise")
    practice.refresh_from_db()
    assert practice.curating_organisation == organisation
    assert notified("practices.submitted")[by.pk].words == _(
        "The practice “%(title)s” (%(governments)s) was revised and submitted again: screen it.") % {
        "title": "Night school", "governments": practice.governments.get().name}
    assert_in_work(by, "practices.screen", url=_detail(practice))


# --- Invited → the reviewer; declined → the curator ------------------------------------------------------------


def test_an_invited_reviewer_is_told_in_french_with_the_due_date_in_their_zone_and_finds_the_invitation():
    by = curator()
    practice = in_review_practice(by=by)
    reviewer, actor = peer_reviewer()
    reviewer.preferred_language, reviewer.time_zone = "fr", "Europe/Paris"
    reviewer.save()
    other_reviewer, _other_actor = peer_reviewer()
    due = timezone.now() + dt.timedelta(days=21)

    assignment = services.review_assign(user=by, practice=practice, reviewer=reviewer, reviewer_actor=actor,
                                        due_at=due)

    review_url = reverse("practices:review", args=[assignment.pk])
    sent = assert_notified("practices.review_invited", to=[reviewer], not_to=[by, other_reviewer, team_of(practice)],
                           url=review_url)
    with translation.override("fr"), timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
        expected = _("You are invited to review the practice “%(title)s” for %(actor)s, by %(due)s. Accept or "
                     "decline.") % {"title": practice.title, "actor": actor.name, "due": datetime_with_zone(due)}
    assert sent[reviewer.pk].words == expected and "(Europe/Paris)" in expected
    item = assert_in_work(reviewer, "practices.invitation", url=review_url)
    assert item.deadline == due and item.for_actor == actor.name
    assert_not_in_work(other_reviewer, "practices.invitation")

    services.review_respond(user=reviewer, assignment=assignment, accept=True, has_no_conflict=True)
    assert_not_in_work(reviewer, "practices.invitation")
    assert_in_work(reviewer, "practices.review", url=review_url)
    review(assignment)
    assert_not_in_work(reviewer, "practices.review")


def test_a_reviewer_who_declines_is_replaced_by_the_curator_who_asked_and_their_declared_conflict_holds():
    by = curator()
    other_curator = curator()
    practice = in_review_practice(by=by)
    by.preferred_language = "fr"
    by.save()
    reviewer, actor = peer_reviewer()
    assignment = services.review_assign(user=by, practice=practice, reviewer=reviewer, reviewer_actor=actor)
    assert_not_in_work(by, "practices.decide")  # the invitation is open: nothing waits on the curator

    services.review_respond(user=reviewer, assignment=assignment, accept=False,
                            conflicts_declared="I advised this city's housing office last year.")

    sent = assert_notified("practices.review_declined", to=[by], not_to=[reviewer, other_curator, team_of(practice)],
                           url=reverse("practices:reviewers", args=[practice.slug]))
    assert sent[by.pk].words == _french(
        "%(name)s declined to review “%(title)s”, declaring a conflict of interest: invite another reviewer.",
        name=reviewer.public_name, title=practice.title)
    assert_not_in_work(reviewer, "practices.invitation")
    item = assert_in_work(by, "practices.decide", url=reverse("practices:reviewers", args=[practice.slug]))
    assert item.action == "Invite peer reviewers"
    with pytest.raises(ValidationError, match="declaring a conflict of interest"):
        services.review_assign(user=by, practice=practice, reviewer=reviewer, reviewer_actor=actor)


# --- Review in → authors and curator; decision → authors and curators ------------------------------------------


def test_reviews_reach_the_authors_and_the_curator_and_once_all_are_in_the_practice_waits_on_the_decision():
    organisation = OrganisationFactory().actor
    by, colleague = _staff_of(organisation), _staff_of(organisation)
    outsider = curator()
    practice = draft_practice(title="Welcome desk")
    author = team_of(practice)
    french_author = officer_for(practice.governments.get(), preferred_language="fr")
    services.practice_submit(user=author, practice=practice, curating_organisation=organisation)
    services.practice_screen(user=by, practice=practice, accept=True)
    first = assign_and_accept(practice, by=by)
    second = assign_and_accept(practice, by=by)

    review(first)
    sent = assert_notified("practices.review_submitted", to=[author, french_author, by],
                           not_to=[first.reviewer, second.reviewer, outsider])
    assert sent[french_author.pk].words == _french(
        "A peer review of your practice “%(title)s” was submitted: read it on its page.", title="Welcome desk")
    assert first.reviewer.public_name not in sent[author.pk].words  # the authors never learn who reviewed
    assert sent[by.pk].words == _("%(name)s reviewed “%(title)s”.") % {"name": first.reviewer.public_name,
                                                                      "title": "Welcome desk"}
    assert_not_in_work(by, "practices.decide")  # one review is still open

    review(second)
    assert notified("practices.review_submitted")[by.pk].words == _(
        "%(name)s reviewed “%(title)s”; all its reviews are in and it waits on your decision.") % {
        "name": second.reviewer.public_name, "title": "Welcome desk"}
    item = assert_in_work(by, "practices.decide", url=_detail(practice))
    assert item.action == "Decide: publish, request a revision or decline"
    assert_in_work(colleague, "practices.decide", url=_detail(practice))  # the organisation's curators
    assert_not_in_work(outsider, "practices.decide")
    assert_not_in_work(author, "practices.decide")

    services.practice_decide(user=by, practice=practice, decision="publish")
    sent = assert_notified("practices.decided", to=[author, french_author, colleague],
                           not_to=[outsider, first.reviewer])
    assert sent[french_author.pk].words == _french(
        "Your practice “%(title)s” is published as a peer-reviewed practice.", title="Welcome desk")
    assert sent[colleague.pk].words == _("%(name)s decided on the practice “%(title)s”: %(stage)s.") % {
        "name": by.public_name, "title": "Welcome desk", "stage": "Published, peer-reviewed"}
    # The curator who decided was told of the screening (by nobody) and not of their own decision.
    assert by.pk not in notified("practices.decided")
    for person in (by, colleague):
        assert_not_in_work(person, "practices.decide")


def test_a_revision_request_and_a_decline_reach_the_authors_and_only_a_revision_waits_on_them():
    by = curator()
    revised = in_review_practice(by=by)
    review(assign_and_accept(revised, by=by))
    author = team_of(revised)
    author.preferred_language = "fr"
    author.save()
    services.practice_decide(user=by, practice=revised, decision="revise", reasons="Add the costs.")
    assert notified("practices.decided")[author.pk].words == _french(
        "A revision of your practice “%(title)s” is requested: read the reasons on its page, revise it and submit "
        "it again.", title=revised.title)
    assert_in_work(author, "practices.revise", url=_detail(revised))

    declined = in_review_practice(by=by)
    declined_author = team_of(declined)
    services.practice_decide(user=by, practice=declined, decision="decline", reasons="Not a local practice.")
    assert notified("practices.decided")[declined_author.pk].words == _(
        "Your practice “%(title)s” was declined: the reasons are on its page.") % {"title": declined.title}
    assert_not_in_work(declined_author, "practices.revise")
    assert_not_in_work(by, "practices.decide")


def test_an_invitation_left_open_leaves_my_work_when_the_curator_decides_anyway():
    by = curator()
    practice = in_review_practice(by=by)
    reviewer, actor = peer_reviewer()
    services.review_assign(user=by, practice=practice, reviewer=reviewer, reviewer_actor=actor)
    assert_in_work(reviewer, "practices.invitation")
    services.practice_decide(user=by, practice=practice, decision="decline", reasons="Out of scope.")
    assert_not_in_work(reviewer, "practices.invitation")


# --- Adapted after publication → the source's team ----------------------------------------------------------


def test_an_adaptation_is_recorded_after_publication_shown_on_both_and_told_to_the_source():
    source = published_practice(practice=draft_practice(title="Language cafés"))
    source_team = team_of(source)
    source_team.preferred_language = "fr"
    source_team.save()
    adaptation = published_practice(practice=draft_practice(title="Conversation tables"))
    adapter = team_of(adaptation)
    stranger = officer_for(government())

    with pytest.raises(PermissionDenied):
        services.practice_set_adapted_from(user=stranger, practice=adaptation, source=source, note="Ours.")
    services.practice_set_adapted_from(user=adapter, practice=adaptation, source=source,
                                       note="Weekly tables in the library instead of cafés.")

    adaptation.refresh_from_db()
    assert adaptation.adapted_from == source and adaptation.stage == ReviewStage.PUBLISHED
    assert selectors.practice_travels(practice=adaptation)["adapted_from"]["source"] == source
    assert [hop["practice"] for hop in selectors.practice_travels(practice=source)["adaptations"]] == [adaptation]
    sent = assert_notified("practices.adapted", to=[source_team], not_to=[adapter, stranger], url=_detail(adaptation))
    assert sent[source_team.pk].words == _french(
        "%(governments)s adapted your practice “%(title)s”: see “%(adaptation)s”.",
        governments=adaptation.governments.get().name, title="Language cafés", adaptation="Conversation tables")


def test_an_adaptation_named_in_a_draft_tells_the_source_only_once_it_is_published():
    source = published_practice()
    source_team = team_of(source)
    draft = draft_practice()
    services.practice_set_adapted_from(user=team_of(draft), practice=draft, source=source, note="Smaller.")
    assert_notified("practices.adapted", to=[], not_to=[source_team])
    in_review = in_review_practice(practice=draft)
    # Under review the record is the reviewers' to read: its origin is not changed then.
    with pytest.raises(PermissionDenied):
        services.practice_set_adapted_from(user=team_of(in_review), practice=in_review, source=None)
    by = curator()
    for _n in range(2):
        review(assign_and_accept(in_review, by=by))
    services.practice_decide(user=by, practice=in_review, decision="publish")
    assert_notified("practices.adapted", to=[source_team])


def test_my_work_counts_are_one_query_each(django_assert_num_queries):
    by = curator()
    practice = in_review_practice(by=by)
    reviewer = assign_and_accept(practice, by=by).reviewer
    for count in (selectors.screening_work_count, selectors.decision_work_count, selectors.invitation_work_count,
                  selectors.review_work_count, selectors.revision_work_count):
        for person in (by, reviewer, team_of(practice)):
            with django_assert_num_queries(1):
                counted = count(person)
                assert (counted if isinstance(counted, int) else counted.count()) >= 0


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_gives_call_practices_their_organiser_and_every_practice_its_stage_time():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from arrival.core.models import AuditEvent
    from arrival.practices.models import Practice

    call = CallFactory()
    answered = draft_practice()
    services.practice_submit(user=team_of(answered), practice=answered, call=call)
    screened = in_review_practice()
    draft = draft_practice()
    screening = AuditEvent.objects.filter(action="practices.practice_screen", target_id=str(screened.pk)).get()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([("practices", "0006_call_deadline_from_phase")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    rows = {p.pk: p for p in Practice.objects.filter(pk__in=[answered.pk, screened.pk, draft.pk])}
    assert rows[answered.pk].curating_organisation_id == call.owner_id
    assert rows[answered.pk].stage_changed_at == AuditEvent.objects.get(
        action="practices.practice_submit", target_id=str(answered.pk)).at
    assert rows[screened.pk].curating_organisation_id is None
    assert rows[screened.pk].stage_changed_at == screening.at
    assert rows[draft.pk].stage_changed_at == rows[draft.pk].updated_at
