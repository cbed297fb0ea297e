import rules

from patto.accounts.rules import is_auditor

rules.add_perm("audit.view_trail", is_auditor)
