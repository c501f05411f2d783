"""Shipments of the three carriers from pick-up to delivery or return, their waybill exports and
tracking events; a delivery may bring a survey or a return request."""

from __future__ import annotations

from datetime import datetime, timedelta

from orchestration.samples.sales import emit_order, order_total
from orchestration.samples.surveys import survey_invite
from orchestration.samples.world import CITIES, World, offset_iso

CARRIERS = ["ghn", "ghtk", "viettel_post"]
# Each carrier's own status words for: created, picked, delivering, delivered, failed attempt,
# returning, returned, cancelled.
CARRIER_CODES = {
    "ghn": dict(
        created="ready_to_pick",
        picked="picked",
        delivering="delivering",
        delivered="delivered",
        failed="delivery_fail",
        returning="return",
        returned="returned",
        cancelled="cancel",
    ),
    "ghtk": dict(
        created="1",
        picked="3",
        delivering="4",
        delivered="5",
        failed="9",
        returning="20",
        returned="21",
        cancelled="-1",
    ),
    "viettel_post": dict(
        created="-100",
        picked="105",
        delivering="500",
        delivered="501",
        failed="505",
        returning="502",
        returned="504",
        cancelled="503",
    ),
}


def on_ship(world: World, when: datetime, order: dict) -> None:
    rng = world.rng
    order["status"], order["updated"] = "shipped", when
    emit_order(world, order, when.date())
    carrier = rng.choices(CARRIERS, [45, 35, 20])[0]
    number = world.next_id(f"waybill:{carrier}")
    waybill_id = {
        "ghn": f"GHN{number:07d}V",
        "ghtk": f"S21{number:06d}.BO.{number * 31 % 999999:06d}",
        "viettel_post": f"{1820000000 + number}",
    }[carrier]
    promised = when.date() + timedelta(days=rng.choice([2, 2, 3, 3, 4]))
    cod = (
        order_total(order)
        if order["channel"] in ("shopee", "lazada", "tiktok_shop", "manual") or rng.random() < 0.3
        else 0
    )
    shipment = {
        "carrier": carrier,
        "waybill_id": waybill_id,
        "order": order,
        "created": when,
        "promised": promised,
        "cod": cod,
        "fee": rng.choice([18000, 22000, 25000, 30000, 35000]),
        "status": "created",
        "updated": when,
        "finished": None,
    }
    emit_waybill(world, shipment)
    world.schedule(
        when + timedelta(hours=rng.uniform(2, 10)), "shipment_step", {**shipment, "step": "picked"}
    )


def on_shipment_step(world: World, when: datetime, shipment: dict) -> None:
    rng, step = world.rng, shipment["step"]
    shipment["status"], shipment["updated"] = step, when
    order = shipment["order"]
    if step in ("delivered", "returned"):
        shipment["finished"] = when
    emit_waybill(world, shipment)
    if step == "picked":
        # Actual delivery day relative to the promise: early, exactly on it, or late.
        delta = rng.choices([-1, 0, 1, 2, 3, 4], [20, 45, 17, 10, 5, 3])[0]
        arrive = datetime.combine(shipment["promised"] + timedelta(days=delta), datetime.min.time())
        arrive = max(arrive + timedelta(hours=rng.uniform(8, 19)), when + timedelta(hours=6))
        fate = rng.random()
        nxt = "failed" if fate < 0.07 else "delivered"
        world.schedule(
            arrive - timedelta(hours=3),
            "shipment_step",
            {**shipment, "step": "delivering", "next": nxt, "arrive": arrive},
        )
    elif step == "delivering":
        world.schedule(shipment["arrive"], "shipment_step", {**shipment, "step": shipment["next"]})
    elif step == "failed":
        if rng.random() < 0.5:  # second attempt the next day
            world.schedule(when + timedelta(days=1), "shipment_step", {**shipment, "step": "delivered"})
        else:
            world.schedule(when + timedelta(days=1), "shipment_step", {**shipment, "step": "returning"})
    elif step == "returning":
        world.schedule(
            when + timedelta(days=rng.randint(2, 4)), "shipment_step", {**shipment, "step": "returned"}
        )
    elif step == "returned":
        order["status"], order["updated"] = "failed", when
        emit_order(world, order, when.date())
    elif step == "delivered":
        order["status"], order["updated"] = "delivered", when
        emit_order(world, order, when.date())
        late = when.date() > shipment["promised"]
        survey = rng.random()
        if survey < 0.35:
            survey_invite(world, "CSAT", "delivery", when + timedelta(hours=2), order=order, late=late)
        elif survey < 0.65:
            survey_invite(world, "NPS", "delivery", when + timedelta(hours=2), order=order, late=late)
        if rng.random() < 0.07:
            world.schedule(when + timedelta(days=rng.uniform(2, 25)), "return_request", order)


def emit_waybill(world: World, shipment: dict) -> None:
    carrier, status = shipment["carrier"], shipment["status"]
    code = CARRIER_CODES[carrier][status]
    created, updated, finished = shipment["created"], shipment["updated"], shipment["finished"]
    order_id = shipment["order"]["order_id"]
    day = updated.date()
    if carrier == "ghn":
        row = {
            "order_code": shipment["waybill_id"],
            "client_order_code": order_id,
            "created_date": offset_iso(created),
            "leadtime": shipment["promised"].isoformat(),
            "status": code,
            "cod_amount": shipment["cod"],
            "total_fee": shipment["fee"],
            "updated_date": offset_iso(updated),
            "finish_date": offset_iso(finished) if finished else "",
        }
        world.emit("ghn_waybills", day, row)
    elif carrier == "ghtk":
        row = {
            "label_id": shipment["waybill_id"],
            "partner_id": order_id,
            "created": created.strftime("%Y-%m-%d %H:%M:%S"),
            "deliver_date": shipment["promised"].strftime("%d/%m/%Y"),
            "status_id": code,
            "pick_money": shipment["cod"],
            "ship_money": shipment["fee"],
            "modified": updated.strftime("%Y-%m-%d %H:%M:%S"),
            "done_at": finished.strftime("%Y-%m-%d %H:%M:%S") if finished else "",
        }
        world.emit("ghtk_waybills", day, row)
    else:
        row = {
            "ORDER_NUMBER": shipment["waybill_id"],
            "ORDER_REFERENCE": order_id,
            "ORDER_SYSTEMDATE": created.strftime("%d/%m/%Y %H:%M:%S"),
            "EXPECTED_DELIVERY": shipment["promised"].strftime("%d/%m/%Y"),
            "ORDER_STATUS": code,
            "MONEY_COLLECTION": shipment["cod"],
            "MONEY_TOTAL": shipment["fee"],
            "LAST_UPDATE": updated.strftime("%d/%m/%Y %H:%M:%S"),
            "DELIVERY_DATE": finished.strftime("%d/%m/%Y %H:%M:%S") if finished else "",
        }
        world.emit("viettelpost_waybills", day, row)
    world.emit(
        "tracking_events",
        day,
        {
            "carrier": carrier,
            "waybill": shipment["waybill_id"],
            "status": code,
            "event_time": offset_iso(updated),
            "location": world.rng.choice(CITIES),
            "note": {"failed": "Khách không nghe máy", "returned": "Đã hoàn hàng về shop"}.get(status, ""),
        },
    )
