"""The links that let a person choose a password: a reset (``PASSWORD_RESET_TIMEOUT``, one hour) or the
invitation of a new account (``PATTO_INVITATION_HOURS``, 72 hours by default). Both sign the account's
password hash, so they stop working once a password is chosen; resending an invitation gives the account a
new unusable password, so the previous invitation stops working too."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "patto.accounts.tokens.InvitationTokenGenerator"  # never valid as a reset token, nor back

    def check_token(self, user, token):
        # Django's check reads PASSWORD_RESET_TIMEOUT; an invitation has its own validity.
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return 0 <= self._num_seconds(self._now()) - timestamp <= settings.PATTO_INVITATION_HOURS * 3600


invitation_token_generator = InvitationTokenGenerator()


class SetPasswordTokens:
    """What the "choose your password" page accepts: a reset token or an invitation token."""

    def make_token(self, user):
        return default_token_generator.make_token(user)

    def check_token(self, user, token):
        return default_token_generator.check_token(user, token) or invitation_token_generator.check_token(user, token)


set_password_tokens = SetPasswordTokens()
