import rules

from patto.accounts.rules import is_auditor, is_technical_admin

# The technical administrator reads only the platform's events, those with no institution
# (queries.events_visible_to); a district's auditor reads the district's.
rules.add_perm("audit.view_trail", is_auditor | is_technical_admin)
# "Who read this family's data?" and the subject-access report: the district's auditor (DPO) only.
rules.add_perm("audit.view_accesses", is_auditor)
