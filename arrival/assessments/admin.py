"""Staff view of frameworks and assessments. Everything is read-only here: answers, validation and
publication go through the services (permission-checked and audited), and framework versions come from
their files (`arrival setup`)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from arrival.assessments.models import (
    Answer,
    Assessment,
    DomainScore,
    Indicator,
    IndicatorComment,
    IndicatorFramework,
    ScoreRecord,
    Validation,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndicatorFramework)
class IndicatorFrameworkAdmin(ReadOnlyAdmin):
    list_display = ("code", "version", "title", "is_current", "frozen_at", "sha256")
    exclude = ("content",)


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "framework", "domain_code", "answer_type", "is_outcome")
    list_filter = ("framework", "domain_code", "is_outcome")
    search_fields = ("code", "question")


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = ("indicator", "value", "special", "evidence_url", "evidence_reference", "updated_by", "updated_at")


class DomainScoreInline(ReadOnlyInline):
    model = DomainScore
    fields = ("domain_code", "score", "band", "coverage", "low", "high")


class ValidationInline(ReadOnlyInline):
    model = Validation
    fields = ("validator", "validator_actor", "decision", "summary", "decided_at")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("government", "cycle", "status", "framework", "is_demo", "published_at")
    list_filter = ("status", "cycle", "is_demo", "framework")
    list_select_related = ("government", "framework")
    search_fields = ("government__name",)
    inlines = [DomainScoreInline, ValidationInline, AnswerInline]


@admin.register(ScoreRecord)
class ScoreRecordAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "framework_label", "overall", "partial", "coverage", "computed_at")
    list_select_related = ("assessment__government",)


@admin.register(IndicatorComment)
class IndicatorCommentAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "indicator", "kind", "author", "created_at")
    list_filter = ("kind",)
    list_select_related = ("assessment__government", "indicator", "author")
