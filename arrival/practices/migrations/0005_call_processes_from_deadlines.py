# Step 2 of 3: every existing call gets its process: submissions from its creation to its deadline, then review
# and results. The phase types and periods are those of arrival/practices/phases.py, frozen here.

import datetime as dt

from django.db import migrations
from django.utils import timezone

PROCESS_KIND = "practices.callforpractices"
REVIEW_PERIOD = dt.timedelta(days=90)
RESULTS_PERIOD = dt.timedelta(days=365)
PHASES = (("practices.submissions", ["submit:practices.practice"]), ("practices.review", []),
          ("practices.results", []))


def create_call_processes(apps, schema_editor):
    CallForPractices = apps.get_model("practices", "CallForPractices")
    Process = apps.get_model("engagement", "Process")
    Phase = apps.get_model("engagement", "Phase")
    now = timezone.now()
    for call in CallForPractices.objects.filter(process__isnull=True).order_by("pk"):
        deadline = call.deadline
        opens = min(call.created_at, deadline - dt.timedelta(seconds=1))
        review_ends = deadline + REVIEW_PERIOD
        windows = ((opens, deadline), (deadline, review_ends), (review_ends, review_ends + RESULTS_PERIOD))
        process = Process.objects.create(kind=PROCESS_KIND, owner_id=call.owner_id, title=call.title[:300],
                                         time_zone="UTC", is_demo=call.is_demo)
        for position, ((phase_type, actions), (starts, ends)) in enumerate(zip(PHASES, windows, strict=True), 1):
            # Phases that began before the migration are not announced afterwards as news.
            Phase.objects.create(process=process, position=position, phase_type=phase_type, starts_at=starts,
                                 ends_at=ends, actions=actions, announced_at=now if starts <= now else None)
        call.process = process
        call.save(update_fields=["process"])


def remove_call_processes(apps, schema_editor):
    CallForPractices = apps.get_model("practices", "CallForPractices")
    Process = apps.get_model("engagement", "Process")
    Phase = apps.get_model("engagement", "Phase")
    for call in CallForPractices.objects.filter(process__isnull=False).select_related("process"):
        submissions = Phase.objects.filter(process=call.process, phase_type="practices.submissions").first()
        if submissions is not None:
            call.deadline = submissions.ends_at
        process_id = call.process_id
        call.process = None
        call.save(update_fields=["deadline", "process"])
        Process.objects.filter(pk=process_id).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("engagement", "0001_processes_comments_notifications"),
        ("practices", "0004_callforpractices_process"),
    ]

    operations = [migrations.RunPython(create_call_processes, remove_call_processes)]
