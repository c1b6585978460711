from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "wenyi.review"
    label = "review"
    verbose_name = _("Expert review")

    def ready(self) -> None:
        from wenyi.campaigns import loader
        from wenyi.review import loading, todo, votes  # noqa: F401 - todo registers its to-dos
        from wenyi.review.models import Criterion, PhoneCode, PublicVote, Round, RoundChecker

        # the campaign file's [[review_rounds]] become draft rounds (review.loading)
        loader.register_section(
            loading.SECTION, loading.sync_rounds, (Round, Criterion, RoundChecker)
        )
        # the file's [public_vote] becomes the campaign's PublicVote (review.votes); its
        # ballots and on-site counts are the public's and the office's data, not the file's
        loader.register_section(votes.SECTION, votes.sync_vote, (PublicVote, PhoneCode))
