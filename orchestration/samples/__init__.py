"""Deterministic generator of realistic sample exports for every source in sources.yml.

    python -m orchestration.samples --out data/landing --start 2025-07-01 --days 92 --scale 1

The same arguments give byte-identical files. One simulated retailer: a customer pool that buys
on several channels, orders that are shipped by three carriers and sometimes returned, tickets,
calls, chats and surveys from the same people, ad campaigns and web sessions. Each export uses
its tool's own column names, vocabularies and formats. Files are written day by day; only small
pools (customers, open tickets, shipments in flight) are kept in memory.

Known dirt is injected on fixed days (the 3rd to 6th day of the range) and listed in
<out>/_manifest.json with file and line: duplicate rows, a re-delivered export, malformed lines,
unparseable values, an unknown status word, out-of-range scores and a missing required value.

The modules: world (the shared state and random sources), one a domain (marketing, sales,
returns, shipping, support, surveys), layouts (each export's path and columns), dirt (the
injected faults) and writers (the files and the manifest). Not runtime code: nothing in
orchestration.lib or orchestration.defs imports it.
"""

from __future__ import annotations

import heapq
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

from orchestration.samples import marketing, returns, sales, shipping, support, surveys
from orchestration.samples.world import World
from orchestration.samples.writers import write_day, write_manifest

# What a scheduled event of each kind does: handler(world, when, payload).
HANDLERS = {
    "order_cancel": sales.on_order_cancel,
    "ship": shipping.on_ship,
    "shipment_step": shipping.on_shipment_step,
    "return_request": returns.on_return_request,
    "return_received": returns.on_return_received,
    "ticket_reply": support.on_ticket_reply,
    "ticket_solve": support.on_ticket_solve,
    "ticket_reopen": support.on_ticket_reopen,
    "ticket_close": support.on_ticket_close,
    "ticket_merge": support.on_ticket_merge,
    "survey_answer": surveys.on_survey_answer,
}


def generate(out_dir: Path, start: date, days: int, scale: float = 1.0, seed: int = 42) -> dict:
    """Write the sample exports into out_dir (replacing it) and return the manifest."""
    world = World(Path(out_dir), start, days, scale, seed)
    if world.out.exists():
        shutil.rmtree(world.out)
    world.out.mkdir(parents=True)
    sales.emit_initial_crm(world)
    for offset in range(days):
        day = start + timedelta(days=offset)
        marketing.simulate_marketing(world, day)
        sales.simulate_orders(world, day)
        support.simulate_support(world, day)
        process_pending(world, datetime.combine(day + timedelta(days=1), datetime.min.time()))
        write_day(world, day)
    write_manifest(world)
    return world.manifest


def process_pending(world: World, until: datetime) -> None:
    """Run the scheduled events before `until`, earliest first (in scheduling order on a tie)."""
    while world.pending and world.pending[0][0] < until:
        when, _, kind, payload = heapq.heappop(world.pending)
        HANDLERS[kind](world, when, payload)
