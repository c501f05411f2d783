"""What every domain of the simulated retailer shares: the customer pool, the random sources, the
calendar of future events, and the rows collected for each day's exports."""

from __future__ import annotations

import heapq
import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

LOCAL_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh has no daylight saving time

FIRST_NAMES = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Minh",
    "Nam",
    "Ngọc",
    "Phương",
    "Quân",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
    "Yến",
]
LAST_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE_NAMES = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Hữu", "Thanh"]


def ascii_fold(text: str) -> str:
    """'Nguyễn Đức' -> 'Nguyen Duc' (for e-mail handles)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode()


CITIES = ["Hà Nội", "TP. Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Nha Trang", "Huế", "Biên Hòa"]
LEAD_SOURCES = [
    ("Facebook Ads", 30),
    ("Google Ads", 20),
    ("Organic Search", 18),
    ("Referral", 10),
    ("TikTok", 12),
    ("Walk-in", 10),
]


def utc_z(moment_local: datetime) -> str:
    return (moment_local - LOCAL_OFFSET).strftime("%Y-%m-%dT%H:%M:%SZ")


def offset_iso(moment_local: datetime) -> str:
    return moment_local.strftime("%Y-%m-%dT%H:%M:%S+07:00")


@dataclass
class Customer:
    customer_id: str
    name: str
    phone: str  # national form 0xxxxxxxxx
    email: str
    city: str
    lead_source: str
    created: datetime
    in_crm: bool


@dataclass
class Export:
    """One day's file of one source: rows to write plus injected dirt."""

    rows: list = field(default_factory=list)


class World:
    """The state the domains share while the days are simulated. `rng` makes the world's draws, in
    one fixed order across all domains; `phone_rng` only how phones and e-mails are written."""

    def __init__(self, out: Path, start: date, days: int, scale: float, seed: int):
        self.out, self.start, self.days, self.scale, self.seed = out, start, days, scale, seed
        self.rng = random.Random(f"{seed}:world")
        self.phone_rng = random.Random(f"{seed}:phones")
        self.exports: dict[str, dict[date, Export]] = defaultdict(lambda: defaultdict(Export))
        self.pending: list = []  # heap of (day, sequence, kind, payload) for future events
        self.sequence = 0
        self.counters: dict[str, int] = defaultdict(int)
        self.manifest: dict = {
            "arguments": {"start": start.isoformat(), "days": days, "scale": scale, "seed": seed},
            "sources": {},
        }
        self.customers = [self.new_customer(i) for i in range(int(3000 * scale))]

    def next_id(self, kind: str) -> int:
        self.counters[kind] += 1
        return self.counters[kind]

    def schedule(self, when: datetime, kind: str, payload: dict) -> None:
        self.sequence += 1
        heapq.heappush(self.pending, (when, self.sequence, kind, payload))

    def emit(self, source: str, day: date, row: dict) -> None:
        if self.start <= day < self.start + timedelta(days=self.days):
            self.exports[source][day].rows.append(row)

    def phone_as_written(self, phone: str | None) -> str:
        """The same number as different tools write it."""
        if not phone:
            return ""
        national = phone[1:]
        style = self.phone_rng.randrange(4)
        if style == 0:
            return phone
        if style == 1:
            return f"+84 {national[:3]} {national[3:6]} {national[6:]}"
        if style == 2:
            return f"84-{national[:3]}-{national[3:6]}-{national[6:]}"
        return f"+84{national}"

    def email_as_written(self, email: str | None) -> str:
        if not email:
            return ""
        return (
            email
            if self.phone_rng.random() < 0.6
            else email.title()
            if self.phone_rng.random() < 0.5
            else email.upper()
        )

    def new_customer(self, index: int) -> Customer:
        rng = self.rng
        last, middle, first = rng.choice(LAST_NAMES), rng.choice(MIDDLE_NAMES), rng.choice(FIRST_NAMES)
        phone = "0" + rng.choice("3579") + "".join(rng.choice("0123456789") for _ in range(8))
        handle = ascii_fold(f"{first}.{last}{index}".lower())
        email = f"{handle}@{rng.choice(['gmail.com', 'yahoo.com', 'outlook.com', 'fpt.vn'])}"
        created = datetime.combine(self.start, datetime.min.time()) - timedelta(days=rng.randint(1, 700))
        lead = rng.choices([s for s, _ in LEAD_SOURCES], [w for _, w in LEAD_SOURCES])[0]
        return Customer(
            f"CRM{100000 + index}",
            f"{last} {middle} {first}",
            phone,
            email if rng.random() < 0.85 else "",
            rng.choice(CITIES),
            lead,
            created,
            in_crm=rng.random() < 0.9,
        )

    def pick_customer(self) -> Customer:
        # A skewed pick: some customers buy and write to us far more often than others.
        index = int(len(self.customers) * (self.rng.random() ** 1.6))
        return self.customers[min(index, len(self.customers) - 1)]

    def local_time_on(self, day: date, earliest: int = 7, latest: int = 23) -> datetime:
        seconds = self.rng.randint(earliest * 3600, latest * 3600 - 1)
        return datetime.combine(day, datetime.min.time()) + timedelta(seconds=seconds)

    def daily_count(self, base: float, day: date) -> int:
        weekend = 1.25 if day.weekday() >= 5 else 1.0
        mean = base * self.scale * weekend
        return max(0, int(self.rng.gauss(mean, mean**0.5)))
