from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "wenyi.review"
    label = "review"
    verbose_name = _("Expert review")

    def ready(self) -> None:
        from wenyi.campaigns import loader
        from wenyi.review import loading, todo  # noqa: F401 - todo registers its to-dos
        from wenyi.review.models import Criterion, Round, RoundChecker

        # the campaign file's [[review_rounds]] become draft rounds (review.loading)
        loader.register_section(
            loading.SECTION, loading.sync_rounds, (Round, Criterion, RoundChecker)
        )
