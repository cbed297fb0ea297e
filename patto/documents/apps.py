from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "patto.documents"
    verbose_name = _("Documents")

    def ready(self):
        from patto.core.health import register_check

        from .antivirus import health

        register_check("antivirus", health)
