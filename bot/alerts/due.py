"""Which of a person's alerts are due now, and the plan of each due saved alert (pure).

`storage.due_for_alerts` returns everyone with at least one alert due (SQL does the selecting);
a person's profile may come back because of one saved alert only, so the cycle asks here which
of their alerts to serve:

- the profile alert: alerts on, today one of its days, its time reached, not served since local
  midnight, not paused today (`profile_alert_due`, the same rules as the SQL);
- each saved alert: `ft_client.alert_schedule.is_due` (frequency, time, pause, quiet days,
  on/off) and not served since local midnight (`saved_alert_due`): a local window ends a little
  before now (where the offers table is complete), so "served since today's alert time" could
  find an alert served at 07:59 for 08:00 due again.

A saved alert's window is `alert_schedule.window_start` (a changed alert looks back again), its
query the `/recherche` query of its criteria (newest first), its ranking the person's skills
against the alert's own jobs and place.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.alerts.planning import UserPlan
from bot.criteria import Criteria
from ft_client import OfferQuery
from ft_client.alert_schedule import is_due
from ft_client.alert_schedule import window_start as saved_window_start
from ft_client.matching import MatchProfile

if TYPE_CHECKING:
    from ft_client.referential import Referential
    from storage import Profile
    from storage.saved_alerts import SavedAlert


def profile_alert_due(
    profile: Profile, paused_until: date | None, local_now: datetime, midnight: datetime
) -> bool:
    """The profile alert's due rule (``Storage.due_for_alerts``), for one loaded profile."""
    today = local_now.date()
    if not profile.alerts_enabled or today.weekday() not in profile.alert_days:
        return False
    if paused_until is not None and today <= paused_until:
        return False
    if (local_now.hour, local_now.minute) < (profile.alert_time.hour, profile.alert_time.minute):
        return False
    return profile.last_alert_at is None or profile.last_alert_at < midnight


def saved_alert_due(alert: SavedAlert, local_now: datetime, midnight: datetime) -> bool:
    last = alert.last_served_at
    if last is not None and last >= midnight:
        return False
    return is_due(alert.schedule, local_now, last)


def criteria_of(alert: SavedAlert) -> Criteria:
    """The `/recherche` criteria a saved alert stands for (storage keeps the same fields under
    its own type, since storage never imports `bot`)."""
    c = alert.criteria
    return Criteria(**{f.name: getattr(c, f.name) for f in dataclasses.fields(c)})


def saved_alert_key(alert: SavedAlert, referential: Referential) -> OfferQuery | None:
    """The alert's query without dates (newest first); None when it cannot be asked (no job
    nor words: it would ask for the whole country; or a place the referential lost)."""
    criteria = criteria_of(alert)
    if not criteria.rome_codes and not (criteria.keywords or "").strip():
        return None
    try:
        query = criteria.query(referential)
    except ValueError:
        return None
    return dataclasses.replace(
        query,
        rome_codes=tuple(sorted(set(query.rome_codes))),
        contract_types=tuple(sorted(set(query.contract_types))),
        sort=1,
    )


def saved_match_profile(
    profile: Profile, alert: SavedAlert, referential: Referential
) -> MatchProfile:
    """The person's skills, the alert's jobs (the profile's when it searched by words) and
    the alert's place: what its offers are ranked with."""
    c = alert.criteria
    place = referential.place(c.commune_code) if c.commune_code else None
    codes = c.rome_codes or tuple(job.code for job in profile.target_jobs)
    return MatchProfile(
        skills=tuple(profile.skills),
        target_rome_codes=tuple(codes),
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        commune=c.commune_code if place else None,
        departement=place.departement if place else c.departement,
        radius_km=c.radius_km if place else None,
    )


def saved_plan(
    profile: Profile,
    alert: SavedAlert,
    referential: Referential,
    now: datetime,
    lookback_days: int,
) -> UserPlan | None:
    """The plan of one due saved alert; None when its query cannot be asked (then it is
    served with nothing, like a profile without a target job)."""
    key = saved_alert_key(alert, referential)
    if key is None:
        return None
    canonical = alert.criteria.canonical()
    return UserPlan(
        profile=profile,
        window_start=saved_window_start(
            now, alert.last_served_at, alert.served_criteria, canonical, lookback_days
        ),
        key=key,
        criteria_changed=alert.last_served_at is not None and alert.served_criteria != canonical,
        alert_no=alert.alert_no,
        label=alert.label,
        filters=alert.filters,
        served_for=canonical,
        match=saved_match_profile(profile, alert, referential),
    )
