"""A running Arrival instance for the backup test: `python -m tests.core.running_instance` migrates the database
DATABASE_URL names, fills it with published assessments (scores), a published practice, resident proposals with
supports and an attachment, prints `ready`, then a thread keeps writing (supports given and withdrawn, each an
audited multi-row write) until a line `stop` arrives on stdin; `count` prints how many writes committed so far."""

from __future__ import annotations

import os
import sys
import threading


def fill() -> tuple[object, list[object], list[object]]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from arrival.core.attachments import attachment_create
    from tests.assessments.factories import AssessmentFactory, answer_all, officer_for, publish
    from tests.participation.factories import open_process, posted, resident
    from tests.practices.factories import published_practice

    for level in (2, 3):
        assessment = AssessmentFactory()
        team = officer_for(assessment.government)
        answer_all(assessment, level=level, user=team)
        publish(assessment, team=team)
    published_practice()
    process = open_process()
    authors = [resident() for _ in range(4)]
    proposals = [posted(process, author) for author in authors]
    attachment_create(user=authors[0], file=SimpleUploadedFile("plan.txt", b"Where the bench would go.\n"),
                      record=proposals[0])
    return process, authors, proposals


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from arrival.participation import services
    from tests.participation.factories import SUPPORT_AT

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    _process, authors, proposals = fill()
    committed = 0
    stop = threading.Event()

    def write() -> None:
        nonlocal committed
        while not stop.is_set():
            for supporter in authors:
                for proposal in proposals:
                    if proposal.author_id == supporter.pk:
                        continue
                    services.support_create(user=supporter, proposal=proposal, at=SUPPORT_AT)
                    services.support_withdraw(user=supporter, proposal=proposal, at=SUPPORT_AT)
                    committed += 2
        connection.close()

    writer = threading.Thread(target=write)
    print("ready", flush=True)
    writer.start()
    for line in sys.stdin:
        if line.strip() == "count":
            print(committed, flush=True)
        elif line.strip() == "stop":
            break
    stop.set()
    writer.join()
    print(committed, flush=True)


if __name__ == "__main__":
    main()
