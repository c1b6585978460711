"""Log in with a username or a mobile number."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrMobileBackend(ModelBackend):
    """Signs in by login name or mobile number. Grants no permissions: every permission
    is a rule (django-rules, the app's rules.py files); Django's model permissions are
    not used (the admin is for superusers, who hold every permission anyway), so asking
    for one costs no query."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        username = username.strip()
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.filter(person__mobile=username).first()
        if user is None:
            # run the hasher anyway so a missing login takes as long as a wrong one
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
