from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import RULES, Kind, delivery_choices

MANDATORY_HELP = _("Cannot be turned off: it asks you to act within a set time.")


class InlineRadios(forms.RadioSelect):
    """The three choices on one line, in Bootstrap Italia's markup (input, then its label), in a fieldset."""

    template_name = "notifications/widgets/radio_inline.html"
    option_template_name = "forms/widgets/checkbox_option.html"

    def __init__(self):
        super().__init__(attrs={"class": "form-check-input"})


class PreferencesForm(forms.Form):
    """How to be told of each kind of notification by e-mail: at once, in the daily digest, or not (it is
    always in Patto's inbox). Kinds that cannot be turned off do not offer "off", and say why."""

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            mandatory = RULES[kind].mandatory
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=delivery_choices(kind),
                initial=current[kind],
                widget=InlineRadios(),
                help_text=MANDATORY_HELP if mandatory else "",
                error_messages={"invalid_choice": MANDATORY_HELP} if mandatory else {},
            )
