from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Django's password authentication, without Django's model permissions: Patto's permissions are the
    `rules` predicates (need-to-know), so the permission tables are never consulted (and cost no query)."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False
