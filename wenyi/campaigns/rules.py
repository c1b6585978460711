"""Permissions on a campaign's own records, declared once."""

import rules

from wenyi.orgs.rules import is_office, manages_unit

# the unit's managers register its leading group; the office sees who has not
rules.add_perm("campaigns.manage_leading_group", manages_unit)
rules.add_perm("campaigns.view_leading_groups_overview", is_office)
