from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "patto.referrals"
    label = "referrals"
    verbose_name = _("Requests and signals")
