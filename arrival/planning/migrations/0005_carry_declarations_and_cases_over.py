"""Carry existing rounds over to the meaning issue 13 gives planning inputs.

1. Declarations: a service stored "not provided" now means capacity 0 (it used to leave the service
   unconstrained); its value becomes 0, so what the locality declared is what the planner uses. Nothing was stored
   as "no limit" before, so no declaration gains one.
2. Rounds keep the default rule for localities without a submitted declaration (key quota only) and get their
   case lists from the valid codes their cases already use.
3. Case records become closed by construction. Offending free text is cleared, not kept: an id that is not an
   opaque code becomes `case-<row id>` (and the round's plans' case-level assignments follow it); an origin that is
   not an ISO 3166 or M49 code, a group that is not a code and a category not among the round's are emptied;
   languages that are not ISO 639 codes, needs and skills outside the services and sectors are dropped. Each round
   cleaned is named on the migration's output.
"""

import re

from django.db import migrations

CASE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
GROUP_CODE = re.compile(r"[a-z0-9_-]{1,40}")


def _values(case):
    return (case.pseudonym, case.origin, case.group, case.category, case.languages, case.needs, case.skills)


def forwards(apps, schema_editor):
    from arrival.planning.cases import language_codes, origin_codes
    from arrival.planning.models import SECTOR_KEYS, SERVICE_KEYS

    DeclaredCapacity = apps.get_model("planning", "DeclaredCapacity")
    IntakeRound = apps.get_model("planning", "IntakeRound")
    Case = apps.get_model("planning", "Case")
    Plan = apps.get_model("planning", "Plan")
    DeclaredCapacity.objects.filter(state="not_provided").update(value=0.0)
    origins, languages = origin_codes(), language_codes()
    for intake_round in IntakeRound.objects.all().iterator():
        categories = set(intake_round.categories.values_list("code", flat=True))
        renamed: dict[str, str] = {}
        cleaned = 0
        round_languages: set[str] = set()
        round_groups: set[str] = set()
        taken = set(Case.objects.filter(round=intake_round).values_list("pseudonym", flat=True))
        for case in Case.objects.filter(round=intake_round).iterator():
            before = _values(case)
            if not CASE_ID.fullmatch(case.pseudonym or ""):
                new = f"case-{case.pk}"
                while new in taken:
                    new += "_"
                renamed[case.pseudonym] = new
                taken.add(new)
                case.pseudonym = new
            if case.origin and case.origin.upper() in origins:
                case.origin = case.origin.upper()
            elif case.origin:
                case.origin = ""
            if case.group and not GROUP_CODE.fullmatch(case.group):
                case.group = ""
            if case.category and case.category not in categories:
                case.category = ""
            case.languages = [str(c).lower() for c in (case.languages or []) if str(c).lower() in languages]
            case.needs = {
                k: v
                for k, v in (case.needs or {}).items()
                if k in SERVICE_KEYS and isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
            }
            case.skills = {
                k: v
                for k, v in (case.skills or {}).items()
                if k in SECTOR_KEYS and isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1
            }
            if not 1 <= (case.size or 0) <= 50:
                case.size = min(max(case.size or 1, 1), 50)
            round_languages.update(case.languages)
            if case.group:
                round_groups.add(case.group)
            if before != _values(case):
                cleaned += 1
                case.save()
        if renamed:
            for plan in Plan.objects.filter(round=intake_round):
                plan.assignment = [
                    [renamed.get(pseudonym, pseudonym), actor] for pseudonym, actor in plan.assignment
                ]
                plan.save(update_fields=["assignment"])
        if round_languages or round_groups:
            intake_round.case_languages = sorted(round_languages) or intake_round.case_languages
            intake_round.case_groups = sorted(round_groups) or intake_round.case_groups
            intake_round.save(update_fields=["case_languages", "case_groups"])
        if cleaned:
            print(f"\n  planning: round {intake_round.pk}: free text cleared from {cleaned} case record(s)")  # noqa: T201


class Migration(migrations.Migration):
    dependencies = [("planning", "0004_inputs_mean_what_is_declared")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
