from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "patto.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from patto.core.menu import register_entry

        # The inbox is the bell in the header (every signed-in page); the menu has the technical
        # administrator's list of e-mails not sent.
        register_entry(75, _("E-mails not sent"), "notifications:emails", permission="notifications.view_emails")
