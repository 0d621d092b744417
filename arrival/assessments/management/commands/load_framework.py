"""`arrival load-framework FILE`: load an indicator framework version from a file anywhere on disk.

The file is checked in full (docs/framework-format.md), its scoring content checksummed, and loaded through
`services.framework_load`: a new version is created; the same version with the same scoring content updates
only its translations; a changed scoring content under an existing version is refused. On any error the
command names every problem, exits with status 1 and nothing is changed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from arrival.assessments.services import framework_load


class Command(BaseCommand):
    help = (
        "Load an indicator framework version from a YAML or JSON file: validate it, checksum its scoring "
        "content, refuse a changed scoring content under an existing version; translations may be added or "
        "fixed under the same version."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="Path of the framework file (format arrival-framework/1).")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            framework = framework_load(path=file)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        languages = sorted((framework.content or {}).get("translations") or {})
        self.stdout.write(
            f"{framework.label}: {framework.indicators.count()} indicators, scoring content "
            f"{framework.content_sha256[:12]}…, translations: {', '.join(languages) or 'none'}"
            + (" (current version)" if framework.is_current else "")
        )
