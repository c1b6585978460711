"""Who may do what on the public portal, declared once.

- The office of the campaign's owner unit (the one that runs the review and the
  results) publishes and takes off works and news, and writes the news.
- A supervisor of the review reads the office's portal pages and changes nothing (403).
- Everyone else gets 404 on the office's pages. The public pages need no login and
  show only what is published (unpublished: 404 to everyone there, the office too:
  the office previews on its own pages).
"""

import rules

from wenyi.review.rules import runs_review, supervises


def campaign_of(obj):
    """The campaign of a portal object (a news item, a publication, a work), or the
    campaign itself."""
    if obj is None:
        return None
    if hasattr(obj, "owner_unit"):
        return obj
    return obj.campaign


@rules.predicate
def is_portal_office(user, obj) -> bool:
    return obj is not None and runs_review(user, campaign_of(obj))


@rules.predicate
def is_portal_supervisor(user, obj) -> bool:
    return obj is not None and supervises(user, campaign_of(obj))


# the office's portal pages: which works are on it, the news (read)
rules.add_perm("portal.view_office", is_portal_office | is_portal_supervisor)
# publish and take off works and news; write, change and delete news
rules.add_perm("portal.manage", is_portal_office)
