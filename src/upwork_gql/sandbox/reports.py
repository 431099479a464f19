"""Time reports (``contractTimeReport``), derived from the seeded work diaries.

One row per hourly contract, day and task: the day's 10-minute diary cells grouped by memo, so
the report and ``workDiaryContract`` agree (hours = cells / 6, charges = hours x hourly rate).
Rows are ordered by day, then contract, then task.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from upwork_gql.sandbox.engine import SEED_KEY, SandboxGraphQLError

if TYPE_CHECKING:
    from upwork_gql.sandbox.data import OrgData, SandboxData

#: Task codes of the memos the work diaries use.
TASK_CODES: Mapping[str, str] = {
    "Implementing feature": "DEV",
    "Code review": "REVIEW",
    "Testing": "QA",
    "Meeting": "MEET",
}


def _date(text: Any, field: str) -> dt.date:
    cleaned = str(text).strip()
    for fmt, size in (("%Y-%m-%d", 10), ("%Y%m%d", 8)):
        try:
            return dt.datetime.strptime(cleaned[:size], fmt).date()
        except ValueError:
            continue
    raise SandboxGraphQLError(
        f"Invalid date '{text}' in timeReportDate_bt.{field}: expected YYYY-MM-DD",
        "ValidationError",
    )


def build_rows(org: OrgData) -> list[dict[str, Any]]:
    """Every time report row of an organization (its hourly contracts over the diary days)."""
    rows: list[dict[str, Any]] = []
    for day in org.diary_dates():
        moment = dt.date.fromisoformat(day)
        monday = moment - dt.timedelta(days=moment.weekday())
        for contract_id in org.hourly_contract_ids():
            contract = org.contract(contract_id)
            rate = float(contract["hourlyChargeRate"]["rawValue"])
            cells = org.diary_cells(contract_id, day)
            by_memo = Counter(str(cell["memo"]) for cell in cells)
            for memo in sorted(by_memo):
                hours = round(by_memo[memo] / 6, 2)
                charges = round(hours * rate, 2)
                code = TASK_CODES.get(memo, "WORK")
                rows.append(
                    {
                        "dateWorkedOn": day,
                        "weekWorkedOn": monday.isoformat(),
                        "monthWorkedOn": str(moment.month),
                        "yearWorkedOn": str(moment.year),
                        "freelancer": contract["freelancer"]["userDetails"],
                        "team": {"id": org.id, "name": org.config.name},
                        "contract": {
                            "id": contract_id,
                            "title": contract["title"],
                            SEED_KEY: len(rows),
                        },
                        "termId": f"{contract_id}01",
                        "task": code,
                        "taskDescription": memo,
                        "memo": memo,
                        "totalHoursWorked": hours,
                        "totalCharges": charges,
                        "totalOnlineHoursWorked": hours,
                        "totalOnlineCharge": charges,
                        "totalOfflineHoursWorked": 0.0,
                        "totalOfflineCharge": 0.0,
                        "billRate": {
                            "id": f"{contract_id}-rate",
                            "value": int(rate),
                            "code": "HOURLY",
                            "offerRef": contract_id,
                        },
                        SEED_KEY: len(rows),
                    }
                )
    return rows


def select_rows(
    data: SandboxData, default_org: OrgData, filt: Mapping[str, Any] | None
) -> Sequence[dict[str, Any]]:
    """The rows a ``TimeReportFilter`` selects (no filter: the current organization's rows)."""
    if not filt:
        return default_org.time_report_rows
    org_id = filt.get("organizationId_eq")
    org = data.orgs.get(str(org_id)) if org_id is not None else default_org
    if org is None:
        raise SandboxGraphQLError(f"Organization {org_id} not found or not accessible")
    rows: Sequence[dict[str, Any]] = org.time_report_rows
    period = filt.get("timeReportDate_bt")
    if isinstance(period, Mapping):
        start = period.get("rangeStart")
        end = period.get("rangeEnd")
        low = _date(start, "rangeStart").isoformat() if start else None
        high = _date(end, "rangeEnd").isoformat() if end else None
        if low and high and low > high:
            raise SandboxGraphQLError(
                f"timeReportDate_bt: rangeStart {low} is after rangeEnd {high}",
                "ValidationError",
            )
        rows = [
            row
            for row in rows
            if (low is None or row["dateWorkedOn"] >= low)
            and (high is None or row["dateWorkedOn"] <= high)
        ]
    contract_ids = filt.get("contractIds")
    if contract_ids:
        wanted = {str(c) for c in contract_ids if c is not None}
        rows = [row for row in rows if row["contract"]["id"] in wanted]
    return rows
