"""Help desk tickets and their events, call center records and live chat sessions; a solved ticket
may bring a survey."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from orchestration.samples.surveys import survey_invite
from orchestration.samples.world import World, utc_z

TICKET_SUBJECTS = [
    "Đơn hàng chưa được giao",
    "Muốn đổi size sản phẩm",
    "Hỏi về chính sách đổi trả",
    "Sản phẩm bị lỗi",
    "Thanh toán không thành công",
    "Cần xuất hóa đơn VAT",
    "Giao nhầm sản phẩm",
    "Hỏi thời gian giao hàng",
]


def simulate_support(world: World, day: date) -> None:
    for _ in range(world.daily_count(40, day)):
        new_ticket(world, day)
    for _ in range(world.daily_count(60, day)):
        new_call(world, day)
    for _ in range(world.daily_count(50, day)):
        new_chat(world, day)


def new_ticket(world: World, day: date) -> None:
    rng = world.rng
    customer = world.pick_customer()
    channel = rng.choices(["email", "web", "chat", "voice", "facebook", "zalo"], [30, 15, 20, 10, 15, 10])[0]
    created = world.local_time_on(day, 7, 22)
    ticket = {
        "id": 40000 + world.next_id("ticket"),
        "customer": customer,
        "channel": channel,
        "created": created,
        "status": "new",
        "group": "Tier 1",
        "merged_into": None,
        "subject": rng.choice(TICKET_SUBJECTS),
        "priority": rng.choice(["low", "normal", "normal", "high"]),
        "order_id": f"#W{100000 + rng.randint(1, max(1, world.counters['order:website']))}"
        if rng.random() < 0.4 and world.counters["order:website"]
        else None,
    }
    ticket_event(world, ticket, created, "comment", "end-user", body=ticket["subject"])
    emit_ticket(world, ticket, created)
    if channel in ("email", "web"):
        ticket_event(
            world,
            ticket,
            created + timedelta(seconds=rng.randint(5, 40)),
            "comment",
            "system",
            via="rule",
            body="Cảm ơn bạn đã liên hệ. Chúng tôi đã nhận được yêu cầu.",
        )
    if channel in ("chat", "facebook", "zalo"):
        ticket_event(
            world,
            ticket,
            created + timedelta(seconds=rng.randint(2, 20)),
            "comment",
            "bot",
            body="Xin chào! Trợ lý ảo có thể giúp gì cho bạn?",
        )
    if rng.random() < 0.03 and world.counters["ticket"] > 5:
        target = ticket["id"] - rng.randint(1, 5)
        world.schedule(
            created + timedelta(hours=rng.uniform(0.5, 6)),
            "ticket_merge",
            {"ticket": ticket, "into": target},
        )
        return
    mean_reply = {"email": 4 * 3600, "web": 4 * 3600, "voice": 300}.get(channel, 600)
    reply = created + timedelta(seconds=min(rng.expovariate(1 / mean_reply), 3 * 86400) + 30)
    world.schedule(reply, "ticket_reply", ticket)


def ticket_event(
    world: World,
    ticket: dict,
    when: datetime,
    kind: str,
    role: str,
    via: str = "web",
    previous: str = "",
    value: str = "",
    body: str = "",
) -> None:
    world.emit(
        "helpdesk_ticket_events",
        when.date(),
        {
            "id": f"EV{world.next_id('event'):08d}",
            "ticket_id": ticket["id"],
            "created_at": utc_z(when),
            "type": kind,
            "author_role": role,
            "via": via,
            "public": kind == "comment",
            "previous_value": previous or None,
            "value": value or None,
            "body": body or None,
        },
    )


def set_status(world: World, ticket: dict, when: datetime, status: str) -> None:
    ticket_event(world, ticket, when, "status_change", "agent", previous=ticket["status"], value=status)
    ticket["status"] = status
    emit_ticket(world, ticket, when)


def emit_ticket(world: World, ticket: dict, when: datetime) -> None:
    customer = ticket["customer"]
    world.emit(
        "helpdesk_tickets",
        when.date(),
        {
            "id": ticket["id"],
            "created_at": utc_z(ticket["created"]),
            "updated_at": utc_z(when),
            "status": ticket["status"],
            "via": {"channel": ticket["channel"]},
            "priority": ticket["priority"],
            "requester": {
                "name": customer.name,
                "email": world.email_as_written(customer.email) or None,
                "phone": world.phone_as_written(customer.phone) or None,
            },
            "group": ticket["group"],
            "merged_into_id": ticket["merged_into"],
            "subject": ticket["subject"],
            "custom_fields": {"order_id": ticket["order_id"]},
        },
    )


def on_ticket_reply(world: World, when: datetime, ticket: dict) -> None:
    rng = world.rng
    if ticket["status"] == "new":
        set_status(world, ticket, when, "open")
    ticket_event(world, ticket, when, "comment", "agent", body="Chào anh/chị, em đã kiểm tra yêu cầu ạ.")
    ticket["replies"] = ticket.get("replies", 0) + 1
    if rng.random() < 0.1 and ticket["group"] == "Tier 1":
        ticket_event(
            world,
            ticket,
            when + timedelta(minutes=5),
            "group_change",
            "agent",
            previous="Tier 1",
            value="Tier 2",
        )
        ticket["group"] = "Tier 2"
        emit_ticket(world, ticket, when + timedelta(minutes=5))
    if rng.random() < (0.35 if ticket["replies"] == 1 else 0.2):
        # The customer answers and the agent replies again.
        ticket_event(
            world,
            ticket,
            when + timedelta(hours=rng.uniform(1, 12)),
            "comment",
            "end-user",
            body="Cảm ơn, nhưng tôi vẫn cần hỗ trợ thêm.",
        )
        world.schedule(when + timedelta(hours=rng.uniform(13, 30)), "ticket_reply", ticket)
        return
    world.schedule(when + timedelta(hours=rng.uniform(0.2, 30)), "ticket_solve", ticket)


def on_ticket_solve(world: World, when: datetime, ticket: dict) -> None:
    rng = world.rng
    set_status(world, ticket, when, "solved")
    if not ticket.get("surveyed"):
        ticket["surveyed"] = True
        if rng.random() < 0.6:
            survey_invite(world, "CSAT", ticket["channel"], when + timedelta(minutes=30), ticket=ticket)
        elif rng.random() < 0.5:
            survey_invite(world, "CES", ticket["channel"], when + timedelta(minutes=30), ticket=ticket)
    if rng.random() < 0.08 and not ticket.get("reopened"):
        ticket["reopened"] = True
        reopen = when + timedelta(hours=rng.uniform(2, 48))
        world.schedule(reopen, "ticket_reopen", ticket)
    else:
        world.schedule(when + timedelta(days=4), "ticket_close", ticket)


def on_ticket_reopen(world: World, when: datetime, ticket: dict) -> None:
    ticket_event(world, ticket, when, "comment", "end-user", body="Vấn đề vẫn chưa được giải quyết.")
    set_status(world, ticket, when, "open")
    world.schedule(when + timedelta(hours=world.rng.uniform(1, 20)), "ticket_reply", ticket)


def on_ticket_close(world: World, when: datetime, ticket: dict) -> None:
    if ticket["status"] == "solved":
        set_status(world, ticket, when, "closed")


def on_ticket_merge(world: World, when: datetime, payload: dict) -> None:
    ticket = payload["ticket"]
    ticket["merged_into"] = payload["into"]
    ticket_event(world, ticket, when, "merge", "agent", value=str(payload["into"]))
    set_status(world, ticket, when, "closed")


def new_call(world: World, day: date) -> None:
    rng = world.rng
    customer = world.pick_customer()
    queued = world.local_time_on(day, 8, 21)
    wait = int(rng.expovariate(1 / 14))
    patience = rng.expovariate(1 / 90)
    number = world.next_id("call")
    status, answered, ended, talk, agent = "ANSWERED", None, None, 0, ""
    if wait > 300:
        status, ended = "TIMEOUT", queued + timedelta(seconds=300)
        wait = 300
    elif wait > patience:
        status, ended, wait = "ABANDONED", queued + timedelta(seconds=int(patience)), int(patience)
    else:
        answered = queued + timedelta(seconds=wait)
        talk = int(rng.uniform(60, 600))
        ended = answered + timedelta(seconds=talk)
        agent = f"AG{rng.randint(1, 12):02d}"
    fmt = "%d/%m/%Y %H:%M:%S"
    world.emit(
        "call_records",
        day,
        {
            "Call ID": f"CL{day.strftime('%Y%m%d')}{number:06d}",
            "Caller": world.phone_as_written(customer.phone),
            "Queue": rng.choice(["CSKH", "Bán hàng"]),
            "Start Time": queued.strftime(fmt),
            "Answer Time": answered.strftime(fmt) if answered else "",
            "End Time": ended.strftime(fmt),
            "Status": status,
            "Agent": agent,
            "Wait (s)": wait,
            "Talk (s)": talk,
            "Ticket ID": "",
        },
    )


def new_chat(world: World, day: date) -> None:
    rng = world.rng
    customer = world.pick_customer()
    started = world.local_time_on(day, 7, 23)
    handled = rng.choices(["bot", "bot_to_human", "human"], [40, 35, 25])[0]
    first_human = started + timedelta(seconds=int(rng.expovariate(1 / 70)) + 5) if handled != "bot" else None
    ended = (first_human or started) + timedelta(seconds=int(rng.uniform(60, 900)))
    world.emit(
        "chat_sessions",
        day,
        {
            "session_id": f"CH{world.next_id('chat'):07d}",
            "started_at": utc_z(started),
            "ended_at": utc_z(ended),
            "channel": rng.choices(["website", "facebook_messenger", "zalo_oa"], [45, 35, 20])[0],
            "handled_by": handled,
            "visitor_email": world.email_as_written(customer.email) if rng.random() < 0.5 else "",
            "visitor_phone": world.phone_as_written(customer.phone) if rng.random() < 0.5 else "",
            "agent_id": f"AG{rng.randint(1, 12):02d}" if first_human else "",
            "first_human_reply_at": utc_z(first_human) if first_human else "",
            "bot_messages": rng.randint(1, 6) if handled != "human" else 0,
            "agent_messages": rng.randint(1, 10) if first_human else 0,
            "visitor_messages": rng.randint(1, 10),
            "ticket_id": "",
        },
    )
