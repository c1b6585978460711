"""Who may do what with API tokens."""

import rules


@rules.predicate
def owns_token(user, token) -> bool:
    return token is not None and token.user_id == user.pk


@rules.predicate
def is_usable(user, token) -> bool:
    return token is not None and token.revoked_at is None


rules.add_perm("api.tokens", rules.is_authenticated & rules.is_active)
rules.add_perm("api.revoke_token", owns_token & is_usable)
