"""Prepared files: the first build answers 503 with Retry-After, a rebuild keeps serving the previous file,
builds are queued once, and `arrival prepare-exports` queues every public file not built yet."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from arrival.core.models import Job, JobStatus
from arrival.reports.models import PreparedFile
from arrival.reports.prepared import file_key
from arrival.reports.services import TASK_PREPARE
from tests.accounts.factories import sign_in_as
from tests.assessments.factories import AssessmentFactory, answer_all, officer_for, publish


@pytest.fixture(autouse=True)
def _jobs_in_a_worker(settings) -> None:  # noqa: ANN001
    settings.ARRIVAL_JOBS_EAGER = False


def _published():  # noqa: ANN202
    assessment = AssessmentFactory()
    answer_all(assessment, level=2, user=officer_for(assessment.government))
    return publish(assessment)


def test_prepare_exports_queues_every_public_file_not_built_yet() -> None:
    assessment = _published()
    Job.objects.all().delete()  # as on an installation upgraded from before prepared files
    out = io.StringIO()
    call_command("prepare_exports", "--kind", "assessments.open_data", stdout=out)
    assert out.getvalue().startswith("3 file build(s) queued")
    queued = {(j.kwargs["params"]["pk"], j.kwargs["fmt"]) for j in Job.objects.filter(name=TASK_PREPARE)}
    assert queued == {(assessment.pk, "csv"), (assessment.pk, "json"), (assessment.pk, "xlsx")}
    call_command("worker", "--once", stdout=io.StringIO())
    assert PreparedFile.objects.filter(kind="assessments.open_data").count() == 3
    out = io.StringIO()
    call_command("prepare_exports", "--kind", "assessments.open_data", stdout=out)
    assert out.getvalue().startswith("0 file build(s) queued")
    call_command("prepare_exports", "--kind", "assessments.open_data", "--rebuild", stdout=out)
    assert Job.objects.filter(name=TASK_PREPARE, status=JobStatus.QUEUED).count() == 3
    with pytest.raises(CommandError, match="No export kind"):
        call_command("prepare_exports", "--kind", "nothing.here", stdout=io.StringIO())


def test_a_rebuild_replaces_the_stored_file_and_removes_the_old_one(
    client, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    assessment = _published()
    call_command("worker", "--once", stdout=io.StringIO())
    row = PreparedFile.objects.get(kind="assessments.open_data", fmt="csv")
    old_path = row.path
    assert default_storage.exists(old_path) and row.builds == 1
    from arrival.reports.services import prepared_file_build

    with django_capture_on_commit_callbacks(execute=True):
        prepared_file_build(
            kind="assessments.open_data", params={"pk": assessment.pk}, fmt="csv", language="en"
        )
    row.refresh_from_db()
    assert row.builds == 2 and row.path != old_path
    assert default_storage.exists(row.path) and not default_storage.exists(old_path)


def test_a_failed_first_build_is_queued_again_by_the_next_get(client) -> None:  # noqa: ANN001
    assessment = AssessmentFactory()
    sign_in_as(client, officer_for(assessment.government))
    url = f"/assessments/{assessment.pk}/report.docx"
    assert client.get(url).status_code == 503
    Job.objects.filter(name=TASK_PREPARE).update(status=JobStatus.FAILED)
    response = client.get(url)
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert Job.objects.filter(name=TASK_PREPARE, status=JobStatus.QUEUED).count() == 1


@given(
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers() | st.text(max_size=5), max_size=4),
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers() | st.text(max_size=5), max_size=4),
)
def test_one_file_key_per_export_parameters_and_format(first: dict, second: dict) -> None:
    """Two addresses share a prepared file exactly when kind, parameters, format and language are equal, whatever
    the order the parameters were given in."""
    key = file_key(kind="k", params=first, fmt="csv", language="en")
    assert key == file_key(kind="k", params=dict(reversed(list(first.items()))), fmt="csv", language="en")
    assert (key == file_key(kind="k", params=second, fmt="csv", language="en")) == (first == second)
    assert key != file_key(kind="k", params=first, fmt="json", language="en")
    assert key != file_key(kind="k", params=first, fmt="csv", language="fr")
