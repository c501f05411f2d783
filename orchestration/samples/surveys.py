"""CSAT, NPS and CES surveys sent after a delivery or a solved ticket, and the answers to them."""

from __future__ import annotations

from datetime import datetime, timedelta

from orchestration.samples.world import World, offset_iso, utc_z

COMMENTS = {
    "good": [
        "Nhân viên tư vấn nhiệt tình, rất hài lòng",
        "Giao hàng nhanh, đóng gói cẩn thận",
        "Sản phẩm đẹp, đúng như mô tả",
        "Sẽ tiếp tục ủng hộ shop",
        "Hỗ trợ đổi size rất nhanh",
    ],
    "mid": ["Sản phẩm tạm ổn", "Giao hàng hơi lâu nhưng chấp nhận được", "Chất vải bình thường"],
    "bad": [
        "Giao hàng quá chậm, tôi rất thất vọng",
        "Gọi tổng đài chờ rất lâu mới có người nghe",
        "Sản phẩm bị lỗi mà đổi trả phức tạp",
        "Nhân viên trả lời chậm, không giải quyết được vấn đề",
        "Đơn hàng giao trễ ba ngày so với hẹn",
    ],
}


def survey_invite(
    world: World,
    kind: str,
    channel: str,
    sent: datetime,
    order: dict | None = None,
    ticket: dict | None = None,
    late: bool = False,
) -> None:
    rng = world.rng
    if kind == "CSAT":
        scale = (1, 5) if channel in ("email", "web", "voice", "delivery") else (1, 10)
    else:
        scale = {"NPS": (0, 10), "CES": (1, 7)}[kind]
    customer = (order or ticket)["customer"]
    touchpoint = {"delivery": "delivery"}.get(channel, channel)
    survey = {
        "id": f"SV{world.next_id('survey'):07d}",
        "kind": kind,
        "scale": scale,
        "sent": sent,
        "channel": touchpoint,
        "order_id": order["order_id"] if order else "",
        "ticket_id": ticket["id"] if ticket else "",
        "customer": customer,
        "score": None,
        "comment": "",
        "responded": None,
    }
    emit_survey(world, survey, sent)
    if rng.random() < 0.37:
        low, high = scale
        if kind == "NPS":
            score = rng.choices(
                range(0, 11),
                [4, 2, 3, 4, 5, 8, 10, 14, 14, 18, 18]
                if not late
                else [10, 8, 10, 12, 12, 12, 10, 9, 7, 5, 5],
            )[0]
        else:
            weights = [1 + i * (1 if not late else 0.3) for i in range(high - low + 1)]
            score = rng.choices(range(low, high + 1), weights)[0]
        share = (score - low) / (high - low)
        mood = "good" if share >= 0.75 else "mid" if share >= 0.5 else "bad"
        survey["score"] = score
        survey["comment"] = rng.choice(COMMENTS[mood]) if rng.random() < 0.55 else ""
        world.schedule(sent + timedelta(hours=rng.uniform(0.2, 72)), "survey_answer", survey)


def on_survey_answer(world: World, when: datetime, survey: dict) -> None:
    survey["responded"] = when
    emit_survey(world, survey, when)


def emit_survey(world: World, survey: dict, updated: datetime) -> None:
    customer = survey["customer"]
    answered = survey["responded"] is not None
    stamp = utc_z if survey["kind"] != "NPS" else offset_iso  # the tool mixes both notations
    world.emit(
        "survey_responses",
        updated.date(),
        {
            "Response ID": survey["id"],
            "Survey": {
                "CSAT": "Khảo sát hài lòng",
                "NPS": "Khả năng giới thiệu",
                "CES": "Mức độ dễ dàng",
            }[survey["kind"]],
            "Question type": survey["kind"],
            "Scale min": survey["scale"][0],
            "Scale max": survey["scale"][1],
            "Score": survey["score"] if answered else "",
            "Comment": survey["comment"] if answered else "",
            "Sent at": stamp(survey["sent"]),
            "Responded at": stamp(survey["responded"]) if answered else "",
            "Updated at": stamp(updated),
            "Channel": survey["channel"],
            "Ticket ID": survey["ticket_id"],
            "Order ID": survey["order_id"],
            "Email": world.email_as_written(customer.email),
            "Phone": world.phone_as_written(customer.phone),
        },
    )
