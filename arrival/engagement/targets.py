"""Which records take comments and reports through the API, and the process each belongs to.

Pages need no registration: `{% comments_for %}` and `{% report_button %}` sign the target and process they
were rendered for, so a form cannot be pointed at another record or process. The API receives a bare
"app_label.model" and id, so an app opens its records to API comments by registering them in AppConfig.ready:

    comment_target_register("consultations.contribution",
                            process=lambda contribution: contribution.consultation.process,
                            can_view=lambda user, contribution: user.has_perm("consultations.view_contribution", contribution))

`process(target)` gives the process whose phases gate comments (None = no gate); `can_view(user, target)` says
whether `user` may read the record (None = everyone may); `can_comment(user, target)` narrows who may comment
beyond the phase gate — e.g. a consultation open only to a network's members (None = every signed-in user).
`can_comment` is checked by `comment_create` for pages and the API alike. Engagement registers its own comments (readable
when the record they are on is).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db import models

if TYPE_CHECKING:
    from arrival.engagement.models import Process


@dataclass(frozen=True)
class CommentTarget:
    label: str
    process: Callable[[Any], Process | None] | None = None
    can_view: Callable[[Any, Any], bool] | None = None
    can_comment: Callable[[Any, Any], bool] | None = None


_targets: dict[str, CommentTarget] = {}


def comment_target_register(
    label: str, *, process: Callable[[Any], Process | None] | None = None, can_view: Callable[[Any, Any], bool] | None = None,
    can_comment: Callable[[Any, Any], bool] | None = None,
) -> None:
    """Open records of `label` ("app_label.model") to comments and reports through the API."""
    _targets[label.lower()] = CommentTarget(label=label.lower(), process=process, can_view=can_view,
                                            can_comment=can_comment)


def comment_target_get(label: str) -> CommentTarget | None:
    return _targets.get(label.lower())


def target_process_for(target: models.Model) -> Process | None:
    """The process registered for `target`'s kind, else its own `process` attribute, else None."""
    entry = comment_target_get(target._meta.label_lower)
    if entry is not None and entry.process is not None:
        return entry.process(target)
    from arrival.engagement.models import Process

    own = getattr(target, "process", None)
    return own if isinstance(own, Process) else None


def target_commentable(user: Any, target: models.Model) -> bool:
    """Does the registering app let `user` comment on `target`? Unregistered kinds add no condition."""
    entry = comment_target_get(target._meta.label_lower)
    return entry is None or entry.can_comment is None or bool(entry.can_comment(user, target))


def target_viewable(user: Any, target: models.Model) -> bool:
    """May `user` read `target` through the API? Registered kinds only."""
    entry = comment_target_get(target._meta.label_lower)
    if entry is None:
        return False
    return entry.can_view is None or bool(entry.can_view(user, target))


# --- Signed references, for forms rendered by the template tags ------------------------------------------

_SALT = "arrival.engagement.target"


def target_sign(target: models.Model, process: Any = None) -> str:
    return signing.dumps({"t": target._meta.label_lower, "i": str(target.pk), "p": getattr(process, "pk", None)},
                         salt=_SALT, compress=True)


def target_unsign(token: str) -> tuple[str, str, int | None]:
    """(label, id, process id) from a token; raises signing.BadSignature."""
    data = signing.loads(token, salt=_SALT)
    return data["t"], data["i"], data["p"]


def _comment_process(comment: Any) -> Any:
    return comment.process


def _comment_viewable(user: Any, comment: Any) -> bool:
    target = comment.target
    return target is not None and target_viewable(user, target)


comment_target_register("engagement.comment", process=_comment_process, can_view=_comment_viewable)
