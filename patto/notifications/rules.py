"""Action permissions: the e-mails that were not sent are the technical administrator's to look after."""

import rules

from patto.accounts.rules import is_technical_admin

rules.add_perm("notifications.view_emails", is_technical_admin)
rules.add_perm("notifications.retry_email", is_technical_admin)
