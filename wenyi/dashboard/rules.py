"""Who sees a campaign's dashboard, declared once.

The office of the campaign and the coordinators see it, each for the participating
units they manage (the office every one, a coordinator their own subtree). Everyone
else (art workers, experts, supervisors) gets 404: the dashboard is a manager's page
and tells an outsider nothing, not even that it exists.
"""

import rules

from wenyi.orgs.rules import is_manager

rules.add_perm("dashboard.view", is_manager)
