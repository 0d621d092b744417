"""The job page and its polled partial: who sees it, what it shows, when polling stops."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arrival.core.models import Job, JobStatus
from tests.accounts.factories import sign_in_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(make_user):
    return make_user("owner")


def _job(owner, **fields) -> Job:
    return Job.objects.create(name="tests.core.count", label="Import answers", user=owner, **fields)


def test_owner_sees_running_job_with_accessible_progress_and_polling(client, owner):
    job = _job(owner, status=JobStatus.RUNNING, progress_done=3, progress_total=12, message="Reading row 3")
    sign_in_as(client, owner)
    response = client.get(reverse("core:job_detail", args=[job.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="job-progress">' in html
    assert '<progress id="job-progress" max="12" value="3">25%</progress>' in html
    assert "Reading row 3" in html
    assert f'hx-get="{reverse("core:job_status", args=[job.pk])}"' in html
    assert 'hx-trigger="every 1s"' in html


def test_partial_polls_while_running_and_stops_when_finished(client, owner):
    job = _job(owner, status=JobStatus.RUNNING)
    sign_in_as(client, owner)
    url = reverse("core:job_status", args=[job.pk])
    running = client.get(url, headers={"HX-Request": "true"})
    assert running.status_code == 200
    assert "<h1>" not in running.content.decode()
    assert "hx-swap-oob" not in running.content.decode()

    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, result={"url": "/frameworks/", "label": "Open it"})
    finished = client.get(url, headers={"HX-Request": "true"})
    html = finished.content.decode()
    assert finished.status_code == 286  # htmx stops polling
    assert '<a class="button" href="/frameworks/">Open it</a>' in html
    assert 'hx-swap-oob="innerHTML:#job-announce"' in html


def test_finished_page_does_not_poll_and_ignores_foreign_result_links(client, owner):
    job = _job(owner, status=JobStatus.SUCCEEDED, result={"url": "https://example.org/", "label": "Away"})
    sign_in_as(client, owner)
    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "hx-trigger" not in html
    assert "example.org" not in html
    assert "The job has finished." in html


def test_failed_job_shows_its_error_and_details_only_to_staff(client, owner, make_user):
    job = _job(owner, status=JobStatus.FAILED, error="Row 7: unknown indicator code.", error_detail="Traceback secret")
    sign_in_as(client, owner)
    html = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "Row 7: unknown indicator code." in html
    assert "Traceback secret" not in html
    sign_in_as(client, make_user("staffer", is_staff=True))
    assert "Traceback secret" in client.get(reverse("core:job_detail", args=[job.pk])).content.decode()


def test_other_users_get_404_and_anonymous_users_sign_in(client, owner, make_user):
    job = _job(owner)
    url = reverse("core:job_detail", args=[job.pk])
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    sign_in_as(client, make_user("someone-else"))
    assert client.get(url).status_code == 404
    assert client.get(reverse("core:job_status", args=[job.pk]), headers={"HX-Request": "true"}).status_code == 404


def test_job_list_shows_only_own_jobs(client, owner, make_user):
    mine = _job(owner)
    other = Job.objects.create(name="tests.core.count", label="Someone else's export", user=make_user("other"))
    sign_in_as(client, owner)
    html = client.get(reverse("core:job_list")).content.decode()
    assert str(mine.pk) in html
    assert str(other.pk) not in html
