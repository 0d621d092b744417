from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "arrival.engagement"
    label = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        from arrival.accounts.personal_data import register_personal_data
        from arrival.engagement import phases  # noqa: F401 - registers engagement's own phase types
        from arrival.engagement.handoffs import notification_kind_register
        from arrival.engagement.services import personal_data_erase_provider, personal_data_export

        register_personal_data("engagement", export=personal_data_export, erase=personal_data_erase_provider)
        group = _("Comments and moderation")
        notification_kind_register("engagement.reply", group=group, label=_("Someone replied to your comment"))
        notification_kind_register("engagement.reported", group=group,
                                   label=_("Something in a process you moderate was reported"))
        notification_kind_register("engagement.moderated", group=group,
                                   label=_("A moderator hid or restored what you wrote"))
