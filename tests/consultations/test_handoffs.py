"""Every hand-off of a consultation (issue 12, §1–2): who is told and who is not, in the recipient's language (and
time zone), and what waits in whose "My work" until it is acted on."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from arrival.accounts.models import RoleKind
from arrival.accounts.selectors import user_time_zone
from arrival.consultations import services
from arrival.consultations.models import Access, CommentState
from arrival.core.time_zones import datetime_with_zone
from arrival.engagement.models import Notification
from arrival.engagement.services import comment_create, process_phases_set
from tests.accounts.factories import sign_in_as
from tests.consultations.factories import (
    ADOPTION,
    CALL,
    COMMENTS,
    START,
    SYNTHESIS,
    at,
    city,
    consultation,
    contribute,
    member_of,
    network,
    person,
    phase_specs,
)
from tests.engagement.handoffs import assert_in_work, assert_not_in_work, assert_notified, work_of


def _french(message: str, **values: object) -> str:
    with translation.override("fr"):
        return _(message) % values


def _organisers():  # noqa: ANN202
    owner = network("Cities Network")
    staff = person(owner, RoleKind.STAFF)
    french = person(owner, RoleKind.OFFICER, preferred_language="fr")
    return owner, staff, french


# --- A contribution comes in, a government co-signs --------------------------------------------------------


def test_a_contribution_is_handed_to_the_organisers_and_waits_for_the_synthesis() -> None:
    owner, staff, french = _organisers()
    cons = consultation(owner=owner, staff=staff)
    alpha, beta = city("Alpha"), city("Beta")
    author, colleague, stranger = person(alpha), person(alpha), person(beta)
    contribution = contribute(cons, alpha, author)
    sent = assert_notified("consultations.contribution_submitted", to=[staff, french],
                           not_to=[author, colleague, stranger], url=contribution.get_absolute_url())
    assert sent[french.pk].text == _french("%(actor)s contributed to “%(title)s”.", actor="Alpha", title=cons.title)
    # Nothing to do while the call for input runs; in synthesis it waits until a draft cites it.
    with at(CALL):
        assert_not_in_work(staff, "consultations.synthesis")
    with at(SYNTHESIS):
        item = assert_in_work(staff, "consultations.synthesis", url=contribution.get_absolute_url())
        assert item.deadline == START + dt.timedelta(days=15)
        assert_not_in_work(author, "consultations.synthesis")
        services.outcome_draft_compile(user=staff, consultation=cons)
        assert_not_in_work(staff, "consultations.synthesis")
        assert_not_in_work(french, "consultations.synthesis")


def test_a_contribution_dropped_from_the_draft_waits_again() -> None:
    owner, staff, _french_officer = _organisers()
    cons = consultation(owner=owner, staff=staff)
    alpha, beta = city("Alpha"), city("Beta")
    contribute(cons, alpha, person(alpha), gcm="15")
    dropped = contribute(cons, beta, person(beta), gcm="16")
    with at(SYNTHESIS):
        v1 = services.outcome_draft_compile(user=staff, consultation=cons)
        kept = v1.paragraphs.exclude(sources=dropped).get()
        services.document_version_create(user=staff, document=v1.document,
                                         paragraphs=[services.ParagraphEdit(key=kept.key, text=kept.text)])
        assert [item.url for item in work_of(staff, "consultations.synthesis")] == [dropped.get_absolute_url()]


def test_a_cosignature_is_handed_to_the_organisers_and_the_contributing_government() -> None:
    owner, staff, french = _organisers()
    cons = consultation(owner=owner, staff=staff)
    alpha, beta, gamma = city("Alpha"), city("Beta"), city("Gamma")
    author = person(alpha)
    french_colleague = person(alpha, preferred_language="fr")
    signer, signer_colleague, stranger = person(beta), person(beta), person(gamma)
    contribution = contribute(cons, alpha, author)
    with at(CALL):
        services.contribution_cosign(user=signer, contribution=contribution, actor=beta)
    sent = assert_notified("consultations.contribution_cosigned", to=[staff, french, author, french_colleague],
                           not_to=[signer, signer_colleague, stranger], url=contribution.get_absolute_url())
    assert sent[french_colleague.pk].text == _french(
        "%(cosigner)s co-signed the contribution of %(actor)s to “%(title)s”.", cosigner="Beta", actor="Alpha",
        title=cons.title)


# --- The invited governments' call ---------------------------------------------------------------------------


def test_an_invited_government_finds_the_call_in_my_work_until_it_contributes() -> None:
    owner, staff, _french_officer = _organisers()
    alpha, beta, outsider = city("Alpha"), city("Beta"), city("Outsider")
    alpha_officer, beta_officer, outsider_officer = person(alpha), person(beta), person(outsider)
    french = person(alpha, preferred_language="fr", time_zone="Europe/Paris")
    cons = consultation(owner=owner, staff=staff, access=Access.INVITED, invited=[alpha, beta])
    assert_notified("consultations.new_consultation", to=[alpha_officer, beta_officer, french],
                    not_to=[outsider_officer, staff])
    deadline = START + dt.timedelta(days=10)
    with at(CALL):
        item = assert_in_work(alpha_officer, "consultations.contribute", url=cons.get_absolute_url())
        assert item.deadline == deadline and item.for_actor == "Alpha"
        assert item.action == f"Contribute before {datetime_with_zone(deadline)}"
        assert_not_in_work(outsider_officer, "consultations.contribute")
        assert_not_in_work(staff, "consultations.contribute")
        contribution = services.contribution_create(user=alpha_officer, consultation=cons, actor=alpha,
                                                    title="Alpha's input", proposed_actions="A welcome desk.")
        assert_not_in_work(alpha_officer, "consultations.contribute")
        assert_not_in_work(french, "consultations.contribute")
        assert_in_work(beta_officer, "consultations.contribute")
        services.contribution_cosign(user=beta_officer, contribution=contribution, actor=beta)  # taking part too
        assert_not_in_work(beta_officer, "consultations.contribute")
    with at(SYNTHESIS):  # the call closed: nothing waits any more
        assert work_of(outsider_officer, "consultations.contribute") == []


def test_a_government_invited_later_is_told_and_finds_the_call() -> None:
    owner, staff, _french_officer = _organisers()
    alpha, late = city("Alpha"), city("Late")
    cons = consultation(owner=owner, staff=staff, access=Access.INVITED, invited=[alpha])
    late_officer = person(late, preferred_language="fr")
    alpha_officer = person(alpha)
    with at(CALL):
        services.consultation_update(user=staff, consultation=cons, invited=[alpha, late])
        assert_in_work(late_officer, "consultations.contribute")
    sent = assert_notified("consultations.new_consultation", to=[late_officer], not_to=[alpha_officer])
    assert sent[late_officer.pk].text == _french("%(owner)s opened a consultation: “%(title)s”.",
                                                 owner="Cities Network", title=cons.title)


# --- Comments on the draft and the editors' answers ---------------------------------------------------------


def _draft(owner, staff):  # noqa: ANN001, ANN202
    cons = consultation(owner=owner, staff=staff)
    alpha = city("Alpha")
    contributor = person(alpha)
    contribute(cons, alpha, contributor)
    with at(SYNTHESIS):
        version = services.outcome_draft_compile(user=staff, consultation=cons)
    return cons, version, contributor


def test_a_comment_on_the_draft_waits_on_the_organisers_until_they_answer_and_its_author_is_told() -> None:
    owner, staff, french = _organisers()
    cons, v1, contributor = _draft(owner, staff)
    paragraph = v1.paragraphs.get()
    gamma = city("Gamma")
    commenter = person(gamma, preferred_language="fr")
    other_commenter = person(city("Delta"))
    with at(COMMENTS):
        comment = comment_create(user=commenter, target=paragraph, body="Please add funding.", process=cons.process)
        comment_create(user=other_commenter, target=paragraph, body="Agreed.", process=cons.process, parent=comment)
    anchor = f"{v1.get_absolute_url()}#answer-{comment.pk}"
    sent = assert_notified("consultations.paragraph_commented", to=[staff, french],
                           not_to=[commenter, contributor, other_commenter], url=anchor)
    # The reply is no new comment for the organisers: one notification each.
    assert Notification.objects.filter(kind="consultations.paragraph_commented").count() == 2
    assert sent[french.pk].text == _french(
        "A comment on paragraph %(number)d of “%(document)s” awaits the editors' answer.", number=1,
        document=v1.document.title)
    with at(COMMENTS):
        item = assert_in_work(french, "consultations.comments", url=anchor)
        assert item.deadline == START + dt.timedelta(days=20)
        assert_not_in_work(commenter, "consultations.comments")
        # A new version moves the item to the paragraph the comment went to.
        v2 = services.document_version_create(user=staff, document=v1.document, paragraphs=[
            services.ParagraphEdit(text="Preamble.", editorial=True),
            services.ParagraphEdit(key=paragraph.key, text="Rewritten, with funding.")])
        assert_in_work(staff, "consultations.comments", url=f"{v2.get_absolute_url()}#answer-{comment.pk}")
        services.paragraph_comment_answer(user=staff, comment=comment, state=CommentState.PARTLY,
                                          reason="Funding is mentioned; amounts are for the ministry.")
        assert_not_in_work(staff, "consultations.comments")
        assert_not_in_work(french, "consultations.comments")
    sent = assert_notified("consultations.comment_answered", to=[commenter],
                           not_to=[staff, french, other_commenter, contributor],
                           url=f"{v2.get_absolute_url()}#answer-{comment.pk}")
    with translation.override("fr"):
        expected = _("The editors of “%(document)s” answered your comment on paragraph %(number)d (version "
                     "%(version)d): %(state)s.") % {"document": v1.document.title, "number": 1, "version": 1,
                                                   "state": CommentState.PARTLY.label}
    assert sent[commenter.pk].text == expected


def test_an_unanswered_comment_still_waits_in_the_adoption_phase_but_not_after() -> None:
    owner, staff, _french_officer = _organisers()
    cons, v1, _contributor = _draft(owner, staff)
    with at(COMMENTS):
        comment_create(user=person(city("Gamma")), target=v1.paragraphs.get(), body="A remark.", process=cons.process)
        mine = comment_create(user=staff, target=v1.paragraphs.get(), body="Editors' note.", process=cons.process)
    with at(ADOPTION):
        [item] = work_of(staff, "consultations.comments")
        assert item.deadline == START + dt.timedelta(days=25)
        assert f"#answer-{mine.pk}" not in item.url  # one's own comment waits on nobody
    with at(ADOPTION + dt.timedelta(days=10)):
        assert_not_in_work(staff, "consultations.comments")


def test_an_editors_reply_in_the_thread_is_told_to_the_comments_author_in_their_language() -> None:
    owner, staff, _french_officer = _organisers()
    cons, v1, _contributor = _draft(owner, staff)
    commenter = person(city("Gamma"), preferred_language="fr")
    with at(COMMENTS):
        comment = comment_create(user=commenter, target=v1.paragraphs.get(), body="Please add funding.",
                                 process=cons.process)
        comment_create(user=staff, target=v1.paragraphs.get(), body="We will.", process=cons.process, parent=comment)
    sent = assert_notified("engagement.reply", to=[commenter], not_to=[staff])
    assert sent[commenter.pk].text == _french("%(name)s answered your comment.", name=staff.public_name)


# --- New versions and adoption -------------------------------------------------------------------------------


def test_a_new_version_is_told_to_contributors_cosigners_and_commenters() -> None:
    owner, staff, french_organiser = _organisers()
    cons = consultation(owner=owner, staff=staff)
    alpha, beta, gamma, outsider = city("Alpha"), city("Beta"), city("Gamma"), city("Outsider")
    contributor = person(alpha, preferred_language="fr")
    cosigner, commenter, stranger = person(beta), person(gamma), person(outsider)
    contribution = contribute(cons, alpha, contributor)
    with at(CALL):
        services.contribution_cosign(user=cosigner, contribution=contribution, actor=beta)
    with at(SYNTHESIS):
        v1 = services.outcome_draft_compile(user=staff, consultation=cons)
    sent = assert_notified("consultations.document_version", to=[contributor, cosigner],
                           not_to=[staff, french_organiser, commenter, stranger], url=v1.get_absolute_url())
    assert sent[contributor.pk].text == _french(
        "Version %(number)d of “%(document)s” is out: see what became of your input.", number=1,
        document=v1.document.title)
    with at(COMMENTS):
        comment_create(user=commenter, target=v1.paragraphs.get(), body="A remark.", process=cons.process)
        v2 = services.document_version_create(user=staff, document=v1.document, paragraphs=[
            services.ParagraphEdit(key=v1.paragraphs.get().key, text="Rewritten.")])
    assert_notified("consultations.document_version", to=[contributor, cosigner, commenter], not_to=[stranger, staff],
                    url=v2.get_absolute_url())


def test_adoption_is_told_to_contributors_and_the_governments_that_may_endorse() -> None:
    owner, staff, french_organiser = _organisers()
    cons = consultation(owner=owner, staff=staff)
    alpha, member, outsider = city("Alpha"), city("Member"), city("Outsider")
    member_of(member, owner)
    contributor = person(alpha, preferred_language="fr", time_zone="Europe/Paris")
    member_officer, stranger = person(member), person(outsider)
    contribute(cons, alpha, contributor)
    with at(SYNTHESIS):
        version = services.outcome_draft_compile(user=staff, consultation=cons)
    with at(ADOPTION):
        services.document_adopt(user=staff, document=version.document, version=version)
    sent = assert_notified("consultations.document_adopted", to=[contributor, member_officer],
                           not_to=[staff, french_organiser, stranger], url=version.document.get_absolute_url())
    opens = START + dt.timedelta(days=25)
    with translation.override("fr"), timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
        expected = _("“%(document)s” was adopted (version %(number)d); it can be endorsed from %(date)s.") % {
            "document": version.document.title, "number": 1, "date": datetime_with_zone(opens)}
    assert sent[contributor.pk].text == expected and "(Europe/Paris)" in expected


def test_changing_the_phases_moves_the_deadlines_in_my_work() -> None:
    owner, staff, _french_officer = _organisers()
    alpha = city("Alpha")
    cons = consultation(owner=owner, staff=staff, access=Access.INVITED, invited=[alpha])
    officer = person(alpha)
    later = [spec if i else type(spec)(spec.phase_type, spec.starts_at, spec.ends_at + dt.timedelta(days=2))
             for i, spec in enumerate(phase_specs())]
    later[1] = type(later[1])(later[1].phase_type, later[0].ends_at, later[1].ends_at)
    with at(CALL):
        process_phases_set(user=staff, process=cons.process, phases=later)
        [item] = work_of(officer, "consultations.contribute")
    assert item.deadline == START + dt.timedelta(days=12)


# --- From "My work" to the page where the work is done; cheap counts for the header ---------------------------


def test_the_organisers_item_opens_the_contribution_with_what_to_do(client) -> None:  # noqa: ANN001
    owner, staff, _french_officer = _organisers()
    cons = consultation(owner=owner, staff=staff)
    alpha = city("Alpha")
    contribution = contribute(cons, alpha, person(alpha))
    sign_in_as(client, staff)
    with at(SYNTHESIS):
        [item] = work_of(staff, "consultations.synthesis")
        page = client.get(item.url).content.decode()
        assert "Not in the draft yet" in page and "Compile the contributions into a draft" in page
        client.post(f"/consultations/{cons.slug}/compile/")
        assert "Not in the draft yet" not in client.get(contribution.get_absolute_url()).content.decode()
        assert work_of(staff, "consultations.synthesis") == []


def test_each_count_for_the_header_is_one_query(django_assert_num_queries) -> None:  # noqa: ANN001
    from arrival.consultations import selectors

    owner, staff, _french_officer = _organisers()
    cons, v1, _contributor = _draft(owner, staff)
    with at(COMMENTS):
        comment_create(user=person(city("Gamma")), target=v1.paragraphs.get(), body="A remark.", process=cons.process)
        for count in (selectors.synthesis_work_count, selectors.comment_work_count, selectors.invitation_work_count):
            with django_assert_num_queries(1):
                counted = count(staff)
                assert (counted if isinstance(counted, int) else counted.count()) >= 0


def test_an_invited_officer_reads_the_call_on_the_my_work_page(client) -> None:  # noqa: ANN001
    owner, staff, _french_officer = _organisers()
    alpha = city("Alpha")
    officer = person(alpha)
    cons = consultation(owner=owner, staff=staff, access=Access.INVITED, invited=[alpha])
    sign_in_as(client, officer)
    with at(CALL):
        page = client.get("/engagement/work/").content.decode()
    assert "Consultations you are invited to" in page and cons.get_absolute_url() in page
    # The deadline in the officer's zone (their government's), named.
    deadline = datetime_with_zone(START + dt.timedelta(days=10), user_time_zone(officer))
    assert f"Contribute before {deadline}" in page and 'for <bdi translate="no">Alpha' in page and f"({user_time_zone(officer)})" in deadline
