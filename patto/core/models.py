from django.db import models
from django.utils import timezone


class FormSubmission(models.Model):
    """A create form's one-time token, once it was used (see ``patto.core.idempotency``).

    Core's only table: a technical one, about requests, not about anyone's data. The user is kept as the
    key of the account that sent the form (core knows no app's models); the result is the URL the first
    submit was sent on to, an opaque path."""

    token = models.CharField(max_length=64, unique=True)
    user_key = models.CharField(max_length=64)
    result_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.result_url
