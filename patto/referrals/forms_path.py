"""The forms a family's case manager sends from the path: a professional for the team, a transfer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patto.accounts.roles import AUSL, EDUCATIONAL_SERVICE, ROLE_KINDS, SCHOOL, THIRD_SECTOR
from patto.cases.models import TeamMember
from patto.cases.queries import TEAM_ROLE_FIT
from patto.core.forms import StyledFormMixin
from patto.governance.queries import institutions_in_standing

from .queries import SOCIAL_SERVICE_KINDS

# Who is asked for a professional: the health authority, the third sector, schools and educational services
# (a school only with the family's consent, which the service checks and explains).
PROFESSIONAL_KINDS = (AUSL, THIRD_SECTOR, SCHOOL, EDUCATIONAL_SERVICE)


def professional_team_roles():
    """The team roles someone at those institutions can hold (the role fits a membership that exists there):
    neither the case manager nor a social worker, who work at the social service."""
    return [
        (value, label)
        for value, label in TeamMember.TeamRole.choices
        if value != TeamMember.TeamRole.CASE_MANAGER
        and any(kind in ROLE_KINDS[role] for role in TEAM_ROLE_FIT[value] for kind in PROFESSIONAL_KINDS)
    ]


def _institution_label(institution):
    return f"{institution.name} ({institution.get_kind_display()})"


class ProfessionalRequestForm(StyledFormMixin, forms.Form):
    receiver = forms.ModelChoiceField(
        label=_("Ask the institution"),
        queryset=None,
        help_text=_(
            "The institutions of the district that have signed the pact. Their head of service names the "
            "person, who then joins the team. A school only if the family agreed to share with it."
        ),
    )
    team_role = forms.ChoiceField(label=_("Role in the team"), choices=())
    text = forms.CharField(
        label=_("What you ask for"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_(
            "What the family needs and what the team expects (e.g. a psychological assessment of the child). "
            "The receiving service reads it; write no more than it needs."
        ),
    )

    def __init__(self, *args, path, **kwargs):
        super().__init__(*args, **kwargs)
        receiver = self.fields["receiver"]
        receiver.queryset = (
            institutions_in_standing()
            .filter(district_id=path.family.district_id, kind__in=PROFESSIONAL_KINDS)
            .order_by("kind", "name")
        )
        receiver.label_from_instance = _institution_label
        self.fields["team_role"].choices = [("", "---------"), *professional_team_roles()]


class TransferRequestForm(StyledFormMixin, forms.Form):
    receiver = forms.ModelChoiceField(
        label=_("Social service that takes the path over"),
        queryset=None,
        help_text=_(
            "The social service of the comune the family moved to, or the Ambito's. Choose your own service "
            "to hand the path to a colleague. A social worker of that service becomes the case manager when "
            "they accept; until then you stay the case manager."
        ),
    )
    text = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("For example: the family moved to another comune on a given date."),
    )

    def __init__(self, *args, path, **kwargs):
        super().__init__(*args, **kwargs)
        receiver = self.fields["receiver"]
        receiver.queryset = (
            institutions_in_standing()
            .filter(district_id=path.family.district_id, kind__in=SOCIAL_SERVICE_KINDS)
            .order_by("kind", "name")
        )
        receiver.label_from_instance = _institution_label
