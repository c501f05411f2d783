"""Return requests for delivered orders and their receipt or refund."""

from __future__ import annotations

from datetime import datetime, timedelta

from orchestration.samples.world import World, utc_z

RETURN_REASONS = ["Không vừa size", "Sản phẩm lỗi", "Giao sai màu", "Không giống hình", "Đổi ý"]


def on_return_request(world: World, when: datetime, order: dict) -> None:
    rng = world.rng
    sku, _, price, qty = rng.choice(order["lines"])
    returned_qty = rng.randint(1, qty)
    channel = (
        order["channel"]
        if order["channel"] != "manual"
        else {"FB": "facebook", "ZL": "zalo", "DT": "phone"}[order["kenh"]]
    )
    ret = {
        "return_id": f"RT{world.next_id('return'):06d}",
        "order_id": order["order_id"],
        "sales_channel": channel,
        "sku": sku,
        "quantity": returned_qty,
        "requested": when,
        "received": None,
        "status": "requested",
        "reason": rng.choice(RETURN_REASONS),
        "refund": price * returned_qty,
    }
    emit_return(world, ret, when)
    world.schedule(when + timedelta(days=rng.uniform(2, 6)), "return_received", ret)


def on_return_received(world: World, when: datetime, ret: dict) -> None:
    ret["status"], ret["received"] = ("received" if world.rng.random() < 0.2 else "refunded"), when
    emit_return(world, ret, when)


def emit_return(world: World, ret: dict, updated: datetime) -> None:
    world.emit(
        "returns",
        updated.date(),
        {
            "return_id": ret["return_id"],
            "order_id": ret["order_id"],
            "sales_channel": ret["sales_channel"],
            "sku": ret["sku"],
            "quantity": ret["quantity"],
            "requested_at": utc_z(ret["requested"]),
            "received_at": utc_z(ret["received"]) if ret["received"] else "",
            "updated_at": utc_z(updated),
            "reason": ret["reason"],
            "refund_amount": ret["refund"] if ret["status"] == "refunded" else 0,
            "status": ret["status"],
        },
    )
