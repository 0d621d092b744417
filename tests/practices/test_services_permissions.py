"""Who may do what with a practice: no self-review, only the city's team edits, authors never see reviewers."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from arrival.accounts.models import RoleKind
from arrival.practices import selectors, services
from arrival.practices.models import PracticeImage, ReviewStage
from tests.accounts.factories import StaffFactory, UserFactory
from tests.practices.factories import (
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


def test_only_the_citys_officers_create_its_practices() -> None:
    city = government()
    for outsider in (UserFactory(), officer_for(government()), StaffFactory(), officer_for(city, kind=RoleKind.REVIEWER)):
        with pytest.raises(PermissionDenied):
            draft_practice(user=outsider, government=city)


def test_only_the_team_edits_and_only_while_a_draft() -> None:
    practice = draft_practice()
    for outsider in (UserFactory(), officer_for(government()), StaffFactory(), curator()):
        with pytest.raises(PermissionDenied):
            services.practice_update(user=outsider, practice=practice, title="Taken over")
        assert not selectors.can_edit(user=outsider, practice=practice)
    team = team_of(practice)
    services.practice_update(user=team, practice=practice, title="Renamed")
    services.practice_submit(user=team, practice=practice)
    with pytest.raises(PermissionDenied):
        services.practice_update(user=team, practice=practice, title="After submission")
    practice.refresh_from_db()
    assert practice.title == "Renamed"


def test_a_reviewer_never_comes_from_a_government_behind_the_practice() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    city = practice.governments.get()
    colleague = officer_for(city, kind=RoleKind.REVIEWER)
    with pytest.raises(ValidationError, match="government behind"):
        services.review_assign(user=by, practice=practice, reviewer=colleague, reviewer_actor=city)
    # Someone with a role in another city too, but also in the practice's city, is refused as well.
    other = government()
    officer_for(other)
    from tests.accounts.factories import RoleFactory

    RoleFactory(user=colleague, actor=other, kind=RoleKind.REVIEWER)
    with pytest.raises(ValidationError, match="works for a government behind"):
        services.review_assign(user=by, practice=practice, reviewer=colleague, reviewer_actor=other)


def test_a_joint_practice_excludes_reviewers_of_every_partner_government() -> None:
    city, partner = government(), government()
    team = officer_for(city)
    practice = draft_practice(user=team, government=city)
    services.practice_update(user=team, practice=practice, governments=[city, partner])
    by = curator()
    in_review_practice(practice=practice, by=by)
    reviewer = officer_for(partner, kind=RoleKind.REVIEWER)
    with pytest.raises(ValidationError):
        services.review_assign(user=by, practice=practice, reviewer=reviewer, reviewer_actor=partner)


def test_rule_blocks_self_review_even_if_a_role_is_granted_later() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    assignment = assign_and_accept(practice, by=by)
    from tests.accounts.factories import RoleFactory

    RoleFactory(user=assignment.reviewer, actor=practice.governments.get(), kind=RoleKind.OFFICER)
    with pytest.raises(PermissionDenied):
        review(assignment)


def test_peer_reviewer_must_hold_a_role_in_a_local_government() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    user = UserFactory()
    with pytest.raises(ValidationError, match="holds no role"):
        services.review_assign(user=by, practice=practice, reviewer=user, reviewer_actor=government())


def test_only_the_assigned_reviewer_answers_and_reviews() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    user, actor = peer_reviewer()
    assignment = services.review_assign(user=by, practice=practice, reviewer=user, reviewer_actor=actor)
    for other in (UserFactory(), by, team_of(practice), StaffFactory()):
        with pytest.raises(PermissionDenied):
            services.review_respond(user=other, assignment=assignment, accept=True, has_no_conflict=True)


def test_curators_are_network_or_site_staff_and_not_of_the_practice() -> None:
    practice = draft_practice()
    services.practice_submit(user=team_of(practice), practice=practice)
    for outsider in (UserFactory(), officer_for(government()), team_of(practice)):
        with pytest.raises(PermissionDenied):
            services.practice_screen(user=outsider, practice=practice, accept=True)
    # Network staff who also work for the practice's city do not curate it.
    own_curator = curator()
    from tests.accounts.factories import RoleFactory

    RoleFactory(user=own_curator, actor=practice.governments.get(), kind=RoleKind.OFFICER)
    with pytest.raises(PermissionDenied):
        services.practice_screen(user=own_curator, practice=practice, accept=True)
    assert not selectors.screening_queue(user=own_curator).filter(pk=practice.pk).exists()
    assert selectors.screening_queue(user=StaffFactory()).filter(pk=practice.pk).exists()
    services.practice_screen(user=StaffFactory(), practice=practice, accept=True)


def test_unpublished_practices_are_seen_by_team_curators_and_reviewers_only() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    assignment = assign_and_accept(practice, by=by)
    for allowed in (team_of(practice), by, assignment.reviewer, StaffFactory()):
        assert allowed.has_perm("practices.view_practice", practice)
    for outsider in (UserFactory(), officer_for(government())):
        assert not outsider.has_perm("practices.view_practice", practice)
    from django.contrib.auth.models import AnonymousUser

    assert not AnonymousUser().has_perm("practices.view_practice", practice)
    published = published_practice()
    assert AnonymousUser().has_perm("practices.view_practice", published)


def test_authors_see_reviews_without_reviewer_identities() -> None:
    by = curator()
    practice = in_review_practice(by=by)
    first = assign_and_accept(practice, by=by, named=True)
    second = assign_and_accept(practice, by=by)
    review(first)
    review(second)
    names = {first.reviewer.public_name, second.reviewer.public_name}
    author_rows = selectors.reviews_for_practice(practice=practice, viewer=team_of(practice))
    assert len(author_rows) == 2
    assert all(row["reviewer_name"] is None and row["reviewer_actor"] is None for row in author_rows)
    assert all(row["conflicts_declared"] is None for row in author_rows)
    assert not names & {str(v) for row in author_rows for v in row.values()}
    curator_rows = selectors.reviews_for_practice(practice=practice, viewer=by)
    assert {row["reviewer_name"] for row in curator_rows} == names
    # An assigned reviewer reads only their own review before publication.
    own_rows = selectors.reviews_for_practice(practice=practice, viewer=first.reviewer)
    assert [row["reviewer_name"] for row in own_rows] == [first.reviewer.public_name]
    assert selectors.reviews_for_practice(practice=practice, viewer=UserFactory()) == []
    services.practice_decide(user=by, practice=practice, decision="publish")
    practice.refresh_from_db()
    public_rows = selectors.reviews_for_practice(practice=practice, viewer=team_of(practice))
    # Once published, only the reviewer who chose to be named is named.
    assert sorted(filter(None, (row["reviewer_name"] for row in public_rows))) == [first.reviewer.public_name]


def test_reviewer_suggestions_exclude_the_team_and_rank_by_tags_language_region() -> None:
    from tests.actors.factories import CountryFactory

    country = CountryFactory(region="Africa", subregion="Northern Africa")
    practice = draft_practice(government=government(actor__country=country), language="fr")
    in_review_practice(practice=practice)
    team_of(practice)
    near_fr, near_actor = peer_reviewer(actor__country=CountryFactory(region="Africa", subregion="Northern Africa"))
    near_fr.preferred_language = "fr"
    near_fr.save()
    far, far_actor = peer_reviewer(actor__country=CountryFactory(region="Americas", subregion="South America"))
    # The far reviewer's city published a practice with the same GCM tag: expertise.
    published_practice(practice=draft_practice(government=far_actor))
    rows = selectors.reviewer_suggestions(practice=practice, limit=10)
    users = [row["user"] for row in rows]
    assert near_fr in users and far in users
    assert not set(users) & set(practice.governments.get().roles.values_list("user", flat=True))
    by_user = {row["user"]: row for row in rows}
    assert by_user[near_fr]["score"] == pytest.approx(2.5)
    assert by_user[far]["score"] >= 3.0
    assert all(row["reasons"] is not None for row in rows)


def test_workload_lowers_a_suggestion() -> None:
    by = curator()
    busy, busy_actor = peer_reviewer()
    idle, idle_actor = peer_reviewer()
    for _ in range(2):
        other = in_review_practice(by=by)
        services.review_assign(user=by, practice=other, reviewer=busy, reviewer_actor=busy_actor)
    practice = in_review_practice(by=by)
    rows = {row["user"]: row for row in selectors.reviewer_suggestions(practice=practice, limit=50)}
    assert rows[busy]["score"] == rows[idle]["score"] - 1.0
    assert rows[busy]["open_assignments"] == 2


# --- Images: type and size limits -------------------------------------------------------------------

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_image_add_accepts_a_png_with_alt_text() -> None:
    practice = draft_practice()
    image = services.image_add(user=team_of(practice), practice=practice,
                               file=SimpleUploadedFile("desk.png", PNG_BYTES), alt_text="The welcome desk")
    assert image.attachment.media_type == "image/png"
    assert practice.images.get().alt_text == "The welcome desk"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"%PDF-1.4 hello", "not accepted"),
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "not accepted"),
        ("page.html", b"<script>alert(1)</script>", "not accepted"),
        ("fake.png", b"GIF89a" + b"\x00" * 20, "ends in"),
        ("empty.png", b"", "empty"),
    ],
)
def test_image_add_refuses_other_types(name: str, content: bytes, message: str) -> None:
    practice = draft_practice()
    with pytest.raises(ValidationError, match=message):
        services.image_add(user=team_of(practice), practice=practice, file=SimpleUploadedFile(name, content),
                           alt_text="An image")
    assert not PracticeImage.objects.exists()


def test_image_add_refuses_files_over_the_limit(settings) -> None:
    settings.ARRIVAL_PRACTICE_IMAGE_MAX_BYTES = 1024
    practice = draft_practice()
    big = SimpleUploadedFile("big.png", PNG_BYTES + b"\x00" * 2048)
    with pytest.raises(ValidationError, match="at most"):
        services.image_add(user=team_of(practice), practice=practice, file=big, alt_text="Too big")
    assert not PracticeImage.objects.exists()


def test_image_add_needs_alt_text_and_the_team() -> None:
    practice = draft_practice()
    with pytest.raises(ValidationError, match="Alternative text"):
        services.image_add(user=team_of(practice), practice=practice, file=SimpleUploadedFile("a.png", PNG_BYTES),
                           alt_text=" ")
    with pytest.raises(PermissionDenied):
        services.image_add(user=UserFactory(), practice=practice, file=io.BytesIO(PNG_BYTES), alt_text="x")


def test_a_practice_in_review_is_no_longer_editable_by_anyone() -> None:
    practice = in_review_practice()
    assert practice.stage == ReviewStage.IN_REVIEW
    assert not selectors.can_edit(user=team_of(practice), practice=practice)
