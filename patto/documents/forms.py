from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from .inspection import ACCEPT, max_bytes
from .services import check_upload


def _help():
    return _("PDF, JPEG, PNG, DOCX or ODT, at most %(limit)s.") % {"limit": filesizeformat(max_bytes())}


_allowed_help = lazy(_help, str)  # in the reader's language, with the limit in force


class AttachmentField(forms.FileField):
    """A file checked by content and scanned by the antivirus while the form is validated, so every
    problem is reported together and nothing is written until the whole form is valid. Its cleaned
    value is a CheckedUpload for ``services.store_attachment``."""

    widget = forms.FileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _allowed_help())
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": ACCEPT, "class": "form-control"})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return check_upload(upload) if upload else None
