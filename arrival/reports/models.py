"""Prepared files: the latest built copy of every export address (open data and documents)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PreparedFile(models.Model):
    """The file a GET on one export address serves, built by a background job when its source changed.

    `key` names the address's file: the export kind, its parameters, the format and the language. `source`
    names the record it is made from ("assessments.assessment:12"), so a change to that record rebuilds every
    file made from it. A rebuild writes a new stored file and only then points the row at it, so a GET always
    has a complete file to serve.
    """

    key = models.CharField(_("file"), max_length=200, unique=True)
    kind = models.CharField(_("export"), max_length=80)
    params = models.JSONField(_("parameters"), default=dict)
    fmt = models.CharField(_("format"), max_length=10)
    language = models.CharField(_("language"), max_length=10, blank=True)
    source = models.CharField(_("source"), max_length=120, db_index=True)
    path = models.CharField(_("stored as"), max_length=300)
    media_type = models.CharField(_("type"), max_length=120)
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    built_at = models.DateTimeField(_("built"))
    builds = models.PositiveIntegerField(_("builds"), default=1)

    class Meta:
        verbose_name = _("prepared file")
        verbose_name_plural = _("prepared files")

    def __str__(self) -> str:
        return self.key
