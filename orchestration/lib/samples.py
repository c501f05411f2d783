"""Deterministic generator of realistic sample exports for every source in sources.yml.

    python -m orchestration.lib.samples --out data/landing --start 2025-07-01 --days 92 --scale 1

The same arguments give byte-identical files. One simulated retailer: a customer pool that buys
on several channels, orders that are shipped by three carriers and sometimes returned, tickets,
calls, chats and surveys from the same people, ad campaigns and web sessions. Each export uses
its tool's own column names, vocabularies and formats. Files are written day by day; only small
pools (customers, open tickets, shipments in flight) are kept in memory.

Known dirt is injected on fixed days (the 3rd to 6th day of the range) and listed in
<out>/_manifest.json with file and line: duplicate rows, a re-delivered export, malformed lines,
unparseable values, an unknown status word, out-of-range scores and a missing required value.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import io
import json
import random
import re
import shutil
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

LOCAL_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh has no daylight saving time
DIRT_KINDS = (
    "malformed_lines",
    "unparseable_values",
    "out_of_range",
    "unknown_values",
    "missing_required",
    "duplicate_rows",
)

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
PRODUCTS = [
    ("SKU-AO-001", "Áo thun cotton basic", 149000),
    ("SKU-AO-002", "Áo sơ mi linen", 389000),
    ("SKU-QU-001", "Quần jean slim fit", 459000),
    ("SKU-QU-002", "Quần short kaki", 259000),
    ("SKU-VA-001", "Váy hoa mùa hè", 529000),
    ("SKU-GI-001", "Giày sneaker trắng", 890000),
    ("SKU-GI-002", "Dép quai ngang", 129000),
    ("SKU-TU-001", "Túi tote canvas", 199000),
    ("SKU-MU-001", "Mũ lưỡi trai", 99000),
    ("SKU-KH-001", "Khẩu trang vải", 49000),
    ("SKU-AK-001", "Áo khoác gió", 650000),
    ("SKU-BA-001", "Balo laptop", 1250000),
]
MANUAL_STATUS_WORDS = {
    "placed": "Đã xác nhận",
    "shipped": "Đã xác nhận",
    "delivered": "Đã giao",
    "cancelled": "Đã hủy",
    "returned": "Đã giao",
    "failed": "Đã hủy",
}
CHANNEL_VOLUME = {"website": 50, "shopee": 40, "lazada": 30, "tiktok_shop": 25, "store": 20, "manual": 8}
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
FB_OBJECTIVES = ["Thu hút", "Chuyển đổi", "Remarketing"]
GOOGLE_CAMPAIGNS = ["Search - Thương hiệu", "Search - Sản phẩm", "Shopping", "PMax", "Display"]
RETURN_REASONS = ["Không vừa size", "Sản phẩm lỗi", "Giao sai màu", "Không giống hình", "Đổi ý"]


def local_text(moment: datetime, fmt: str) -> str:
    return moment.strftime(fmt)


def utc_z(moment_local: datetime) -> str:
    return (moment_local - LOCAL_OFFSET).strftime("%Y-%m-%dT%H:%M:%SZ")


def offset_iso(moment_local: datetime) -> str:
    return moment_local.strftime("%Y-%m-%dT%H:%M:%S+07:00")


def money(amount: float) -> str:
    return f"{amount:.0f}"


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


class Generator:
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
        self.customers = [self._new_customer(i) for i in range(int(3000 * scale))]

    # ------------------------------------------------------------------ helpers
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

    def _new_customer(self, index: int) -> Customer:
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

    # ------------------------------------------------------------------ simulation
    def run(self) -> dict:
        if self.out.exists():
            shutil.rmtree(self.out)
        self.out.mkdir(parents=True)
        self.emit_initial_crm()
        for offset in range(self.days):
            day = self.start + timedelta(days=offset)
            self.simulate_marketing(day)
            self.simulate_orders(day)
            self.simulate_support(day)
            self.process_pending(datetime.combine(day + timedelta(days=1), datetime.min.time()))
            self.write_day(day)
        self.write_manifest()
        return self.manifest

    def emit_initial_crm(self) -> None:
        for customer in self.customers:
            if customer.in_crm:
                self.emit("crm_customers", self.start, self.crm_row(customer, customer.created))

    def crm_row(self, customer: Customer, modified: datetime) -> dict:
        return {
            "Customer ID": customer.customer_id,
            "Full name": customer.name,
            "Email": self.email_as_written(customer.email),
            "Phone": self.phone_as_written(customer.phone),
            "City": customer.city,
            "Lead source": customer.lead_source,
            "Created date": customer.created.strftime("%Y-%m-%d %H:%M:%S"),
            "Last modified": modified.strftime("%Y-%m-%d %H:%M:%S"),
        }

    def simulate_marketing(self, day: date) -> None:
        rng = random.Random(f"{self.seed}:ads:{day.isoformat()}")
        conversions_total = 0
        for number in range(6):
            impressions = int(rng.uniform(8000, 40000) * self.scale)
            clicks = int(impressions * rng.uniform(0.008, 0.025))
            spend_usd = round(impressions / 1000 * rng.uniform(1.2, 3.5), 2)
            results = int(clicks * rng.uniform(0.01, 0.04))
            conversions_total += results
            self.emit(
                "facebook_ads",
                day,
                {
                    "Reporting starts": day.isoformat(),
                    "Reporting ends": day.isoformat(),
                    "Campaign name": f"FB | {FB_OBJECTIVES[number % 3]} {number + 1}",
                    "Campaign ID": f"2385{number:02d}771200{number}",
                    "Ad set name": f"Ad set {number + 1}",
                    "Impressions": impressions,
                    "Link clicks": clicks,
                    "Amount spent (USD)": f"{spend_usd:.2f}",
                    "Results": results,
                    "Purchases conversion value": f"{results * rng.uniform(15, 30):.2f}",
                },
            )
        for number in range(5):
            impressions = int(rng.uniform(5000, 30000) * self.scale)
            clicks = int(impressions * rng.uniform(0.02, 0.06))
            cost = int(clicks * rng.uniform(2500, 6000))
            conversions = round(clicks * rng.uniform(0.02, 0.05), 2)
            self.emit(
                "google_ads",
                day,
                {
                    "Day": day.isoformat(),
                    "Campaign ID": f"1893{number:02d}4455{number}",
                    "Campaign": f"GG | {GOOGLE_CAMPAIGNS[number]}",
                    "Currency code": "VND",
                    "Impr.": f"{impressions:,}",
                    "Clicks": f"{clicks:,}",
                    "Cost": f"{cost:,}",
                    "Conversions": f"{conversions:.2f}",
                    "Conv. value": f"{int(conversions * rng.uniform(300000, 600000)):,}",
                },
            )
        groups = [
            ("Organic Search", "google / organic"),
            ("Paid Search", "google / cpc"),
            ("Paid Social", "facebook / paid"),
            ("Direct", "(direct) / (none)"),
            ("Referral", "zalo.me / referral"),
            ("Email", "newsletter / email"),
            ("Organic Social", "tiktok.com / referral"),
        ]
        for group, source_medium in groups:
            sessions = int(rng.uniform(300, 1500) * self.scale)
            transactions = int(sessions * rng.uniform(0.005, 0.03))
            self.emit(
                "ga4_sessions",
                day,
                {
                    "event_date": day.strftime("%Y%m%d"),
                    "session_default_channel_group": group,
                    "session_source_medium": source_medium,
                    "sessions": sessions,
                    "engaged_sessions": int(sessions * rng.uniform(0.4, 0.7)),
                    "transactions": transactions,
                    "purchase_revenue": transactions * int(rng.uniform(300000, 700000)),
                },
            )

    # ------------------------------------------------------------------ orders
    def simulate_orders(self, day: date) -> None:
        for channel, base in CHANNEL_VOLUME.items():
            for _ in range(self.daily_count(base, day)):
                self.new_order(channel, day)

    def new_order(self, channel: str, day: date) -> None:
        rng = self.rng
        customer = (
            self.pick_customer()
            if rng.random() < 0.85
            else self._new_customer(len(self.customers) + self.next_id("guest") + 100000)
        )
        ordered = self.local_time_on(day, 8, 22)
        items = rng.sample(PRODUCTS, k=rng.choices([1, 2, 3], [60, 30, 10])[0])
        lines = [(sku, name, price, rng.choices([1, 2, 3], [75, 20, 5])[0]) for sku, name, price in items]
        number = self.next_id(f"order:{channel}")
        order_id = {
            "website": f"#W{100000 + number}",
            "shopee": f"{day.strftime('%y%m%d')}{rng.choice('ABCDEFGHJK')}{number:05d}",
            "lazada": f"{500000000000000 + number * 7919}",
            "tiktok_shop": f"{576000000000000000 + number * 104729}",
            "store": f"R-{rng.choice(['HN01', 'HN02', 'SG01'])}-{number:06d}",
            "manual": f"{rng.choice(['FB', 'ZL', 'DT'])}-{number:05d}",
        }[channel]
        order = {
            "channel": channel,
            "order_id": order_id,
            "customer": customer,
            "lines": lines,
            "ordered": ordered,
            "shipping_fee": rng.choice([0, 15000, 22000, 30000]),
            "utm": self.utm_for(customer),
            "status": "placed",
            "updated": ordered,
            "kenh": order_id[:2],
            "store": order_id[2:6],
        }
        if channel == "store":
            self.emit_order(order, day)
            return
        self.emit_order(order, day)
        fate = rng.random()
        if fate < 0.05:
            self.schedule(ordered + timedelta(hours=rng.uniform(1, 20)), "order_cancel", order)
        else:
            self.schedule(ordered + timedelta(hours=rng.uniform(3, 26)), "ship", order)

    def utm_for(self, customer: Customer) -> tuple[str, str]:
        return {
            "Facebook Ads": ("facebook", "paid_social"),
            "Google Ads": ("google", "cpc"),
            "Organic Search": ("google", "organic"),
            "TikTok": ("tiktok", "paid_social"),
            "Referral": ("zalo.me", "referral"),
        }.get(customer.lead_source, ("", ""))

    def order_total(self, order: dict) -> int:
        return sum(price * qty for _, _, price, qty in order["lines"]) + order["shipping_fee"]

    def emit_order(self, order: dict, day: date) -> None:
        """Write the order's current state into its channel's export of `day`."""
        channel, status, customer = order["channel"], order["status"], order["customer"]
        updated, ordered = order["updated"], order["ordered"]
        phone = self.phone_as_written(customer.phone)
        email = self.email_as_written(customer.email)
        total = self.order_total(order)
        if channel == "manual":
            # The hand-kept sheet is edited in place: a change that shows nothing new in it (placed
            # and shipped are both "Đã xác nhận") adds no row to that day's download.
            shown = (day, MANUAL_STATUS_WORDS[status])
            if order.get("sheet_shown") == shown:
                return
            order["sheet_shown"] = shown
        for index, (sku, name, price, qty) in enumerate(order["lines"]):
            if channel == "website":
                financial = {
                    "placed": "pending",
                    "shipped": "paid",
                    "delivered": "paid",
                    "cancelled": "voided",
                    "returned": "refunded",
                    "failed": "voided",
                }[status]
                fulfillment = {"placed": "unfulfilled", "cancelled": "unfulfilled"}.get(status, "fulfilled")
                self.emit(
                    "web_orders",
                    day,
                    {
                        "Name": order["order_id"],
                        "Email": email,
                        "Phone": phone,
                        "Financial Status": financial,
                        "Fulfillment Status": fulfillment,
                        "Created at": ordered.strftime("%Y-%m-%d %H:%M:%S +0700"),
                        "Updated at": updated.strftime("%Y-%m-%d %H:%M:%S +0700"),
                        "Cancelled at": updated.strftime("%Y-%m-%d %H:%M:%S +0700")
                        if status == "cancelled"
                        else "",
                        "Lineitem name": name,
                        "Lineitem sku": sku,
                        "Lineitem quantity": qty,
                        "Lineitem price": price,
                        "Shipping": order["shipping_fee"] if index == 0 else 0,
                        "Discount Amount": 0,
                        "Total": total,
                        "UTM Source": order["utm"][0],
                        "UTM Medium": order["utm"][1],
                    },
                )
            elif channel == "shopee":
                word = {
                    "placed": "Chờ xác nhận",
                    "shipped": "Đang giao",
                    "delivered": "Đã giao",
                    "cancelled": "Đã hủy",
                    "returned": "Trả hàng/Hoàn tiền",
                    "failed": "Đã hủy",
                }[status]
                self.emit(
                    "shopee_orders",
                    day,
                    {
                        "Mã đơn hàng": order["order_id"],
                        "Ngày đặt hàng": ordered.strftime("%Y-%m-%d %H:%M"),
                        "Trạng Thái Đơn Hàng": word,
                        "Thời gian cập nhật": updated.strftime("%Y-%m-%d %H:%M"),
                        "SKU phân loại hàng": sku,
                        "Tên sản phẩm": name,
                        "Số lượng": qty,
                        "Giá ưu đãi": price,
                        "Tổng giá trị đơn hàng (VND)": total,
                        "Phí vận chuyển (dự kiến)": order["shipping_fee"],
                        "Tên Người nhận": customer.name,
                        "Số điện thoại": phone,
                        "Tên đăng nhập người mua": customer.email.split("@")[0] if customer.email else "",
                    },
                )
            elif channel == "lazada":
                word = {
                    "placed": "pending",
                    "shipped": "shipped",
                    "delivered": "delivered",
                    "cancelled": "canceled",
                    "returned": "returned",
                    "failed": "failed",
                }[status]
                for unit in range(qty):
                    self.emit(
                        "lazada_orders",
                        day,
                        {
                            "orderItemId": f"{order['order_id']}{index}{unit}",
                            "orderNumber": order["order_id"],
                            "createTime": ordered.strftime("%d %b %Y %H:%M"),
                            "updateTime": updated.strftime("%d %b %Y %H:%M"),
                            "status": word,
                            "sellerSku": sku,
                            "itemName": name,
                            "unitPrice": price,
                            "paidPrice": price,
                            "shippingFee": order["shipping_fee"] if index == unit == 0 else 0,
                            "customerEmail": email,
                            "billingPhone": phone,
                        },
                    )
            elif channel == "tiktok_shop":
                word = {
                    "placed": "Awaiting Shipment",
                    "shipped": "In Transit",
                    "delivered": "Delivered",
                    "cancelled": "Cancelled",
                    "returned": "Completed",
                    "failed": "Cancelled",
                }[status]
                self.emit(
                    "tiktok_orders",
                    day,
                    {
                        "Order ID": order["order_id"],
                        "Order Status": word,
                        "Seller SKU": sku,
                        "Product Name": name,
                        "Quantity": qty,
                        "SKU Unit Original Price": price,
                        "SKU Subtotal After Discount": price * qty,
                        "Shipping Fee After Discount": order["shipping_fee"] if index == 0 else 0,
                        "Order Amount": total,
                        "Created Time": ordered.strftime("%d/%m/%Y %H:%M:%S"),
                        "Updated Time": updated.strftime("%d/%m/%Y %H:%M:%S"),
                        "Buyer Username": customer.email.split("@")[0] if customer.email else "",
                        "Phone #": phone,
                    },
                )
            elif channel == "store":
                self.emit(
                    "pos_sales",
                    day,
                    {
                        "receipt_no": order["order_id"],
                        "store_code": order["store"],
                        "sold_at": ordered.strftime("%Y-%m-%d %H:%M:%S"),
                        "sku": sku,
                        "product_name": name,
                        "qty": qty,
                        "unit_price": price,
                        "line_total": price * qty,
                        "customer_phone": phone if self.rng.random() < 0.6 else "",
                        "payment_method": self.rng.choice(["cash", "card", "qr", "ewallet"]),
                    },
                )
            else:
                word = MANUAL_STATUS_WORDS[status]
                self.emit(
                    "manual_orders",
                    day,
                    {
                        "Mã đơn": order["order_id"],
                        "Ngày đặt": ordered.strftime("%d/%m/%Y %H:%M"),
                        "Kênh": {"FB": "Facebook", "ZL": "Zalo", "DT": "Điện thoại"}[order["kenh"]],
                        "Tên khách hàng": customer.name,
                        "Số điện thoại": phone,
                        "Email": email,
                        "Mã sản phẩm": sku,
                        "Tên sản phẩm": name,
                        "Số lượng": qty,
                        "Đơn giá": f"{price:,} ₫".replace(",", "."),
                        "Thành tiền": f"{price * qty:,} ₫".replace(",", "."),
                        "Trạng thái": word,
                        "Ghi chú": self.rng.choice(["", "", "Giao giờ hành chính", "Gọi trước khi giao"]),
                    },
                )

    def process_pending(self, until: datetime) -> None:
        while self.pending and self.pending[0][0] < until:
            when, _, kind, payload = heapq.heappop(self.pending)
            getattr(self, f"on_{kind}")(when, payload)

    def on_order_cancel(self, when: datetime, order: dict) -> None:
        order["status"], order["updated"] = "cancelled", when
        self.emit_order(order, when.date())

    def on_ship(self, when: datetime, order: dict) -> None:
        rng = self.rng
        order["status"], order["updated"] = "shipped", when
        self.emit_order(order, when.date())
        carrier = rng.choices(CARRIERS, [45, 35, 20])[0]
        number = self.next_id(f"waybill:{carrier}")
        waybill_id = {
            "ghn": f"GHN{number:07d}V",
            "ghtk": f"S21{number:06d}.BO.{number * 31 % 999999:06d}",
            "viettel_post": f"{1820000000 + number}",
        }[carrier]
        promised = when.date() + timedelta(days=rng.choice([2, 2, 3, 3, 4]))
        cod = (
            self.order_total(order)
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
        self.emit_waybill(shipment)
        self.schedule(
            when + timedelta(hours=rng.uniform(2, 10)), "shipment_step", {**shipment, "step": "picked"}
        )

    def on_shipment_step(self, when: datetime, shipment: dict) -> None:
        rng, step = self.rng, shipment["step"]
        shipment["status"], shipment["updated"] = step, when
        order = shipment["order"]
        if step in ("delivered", "returned"):
            shipment["finished"] = when
        self.emit_waybill(shipment)
        if step == "picked":
            # Actual delivery day relative to the promise: early, exactly on it, or late.
            delta = rng.choices([-1, 0, 1, 2, 3, 4], [20, 45, 17, 10, 5, 3])[0]
            arrive = datetime.combine(shipment["promised"] + timedelta(days=delta), datetime.min.time())
            arrive = max(arrive + timedelta(hours=rng.uniform(8, 19)), when + timedelta(hours=6))
            fate = rng.random()
            nxt = "failed" if fate < 0.07 else "delivered"
            self.schedule(
                arrive - timedelta(hours=3),
                "shipment_step",
                {**shipment, "step": "delivering", "next": nxt, "arrive": arrive},
            )
        elif step == "delivering":
            self.schedule(shipment["arrive"], "shipment_step", {**shipment, "step": shipment["next"]})
        elif step == "failed":
            if rng.random() < 0.5:  # second attempt the next day
                self.schedule(when + timedelta(days=1), "shipment_step", {**shipment, "step": "delivered"})
            else:
                self.schedule(when + timedelta(days=1), "shipment_step", {**shipment, "step": "returning"})
        elif step == "returning":
            self.schedule(
                when + timedelta(days=rng.randint(2, 4)), "shipment_step", {**shipment, "step": "returned"}
            )
        elif step == "returned":
            order["status"], order["updated"] = "failed", when
            self.emit_order(order, when.date())
        elif step == "delivered":
            order["status"], order["updated"] = "delivered", when
            self.emit_order(order, when.date())
            late = when.date() > shipment["promised"]
            survey = rng.random()
            if survey < 0.35:
                self.survey_invite("CSAT", "delivery", when + timedelta(hours=2), order=order, late=late)
            elif survey < 0.65:
                self.survey_invite("NPS", "delivery", when + timedelta(hours=2), order=order, late=late)
            if rng.random() < 0.07:
                self.schedule(when + timedelta(days=rng.uniform(2, 25)), "return_request", order)

    def emit_waybill(self, shipment: dict) -> None:
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
            self.emit("ghn_waybills", day, row)
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
            self.emit("ghtk_waybills", day, row)
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
            self.emit("viettelpost_waybills", day, row)
        self.emit(
            "tracking_events",
            day,
            {
                "carrier": carrier,
                "waybill": shipment["waybill_id"],
                "status": code,
                "event_time": offset_iso(updated),
                "location": self.rng.choice(CITIES),
                "note": {"failed": "Khách không nghe máy", "returned": "Đã hoàn hàng về shop"}.get(
                    status, ""
                ),
            },
        )

    def on_return_request(self, when: datetime, order: dict) -> None:
        rng = self.rng
        sku, _, price, qty = rng.choice(order["lines"])
        returned_qty = rng.randint(1, qty)
        channel = (
            order["channel"]
            if order["channel"] != "manual"
            else {"FB": "facebook", "ZL": "zalo", "DT": "phone"}[order["kenh"]]
        )
        ret = {
            "return_id": f"RT{self.next_id('return'):06d}",
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
        self.emit_return(ret, when)
        self.schedule(when + timedelta(days=rng.uniform(2, 6)), "return_received", ret)

    def on_return_received(self, when: datetime, ret: dict) -> None:
        ret["status"], ret["received"] = ("received" if self.rng.random() < 0.2 else "refunded"), when
        self.emit_return(ret, when)

    def emit_return(self, ret: dict, updated: datetime) -> None:
        self.emit(
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

    # ------------------------------------------------------------------ support
    def simulate_support(self, day: date) -> None:
        for _ in range(self.daily_count(40, day)):
            self.new_ticket(day)
        for _ in range(self.daily_count(60, day)):
            self.new_call(day)
        for _ in range(self.daily_count(50, day)):
            self.new_chat(day)

    def new_ticket(self, day: date) -> None:
        rng = self.rng
        customer = self.pick_customer()
        channel = rng.choices(
            ["email", "web", "chat", "voice", "facebook", "zalo"], [30, 15, 20, 10, 15, 10]
        )[0]
        created = self.local_time_on(day, 7, 22)
        ticket = {
            "id": 40000 + self.next_id("ticket"),
            "customer": customer,
            "channel": channel,
            "created": created,
            "status": "new",
            "group": "Tier 1",
            "merged_into": None,
            "subject": rng.choice(TICKET_SUBJECTS),
            "priority": rng.choice(["low", "normal", "normal", "high"]),
            "order_id": f"#W{100000 + rng.randint(1, max(1, self.counters['order:website']))}"
            if rng.random() < 0.4 and self.counters["order:website"]
            else None,
        }
        self.ticket_event(ticket, created, "comment", "end-user", body=ticket["subject"])
        self.emit_ticket(ticket, created)
        if channel in ("email", "web"):
            self.ticket_event(
                ticket,
                created + timedelta(seconds=rng.randint(5, 40)),
                "comment",
                "system",
                via="rule",
                body="Cảm ơn bạn đã liên hệ. Chúng tôi đã nhận được yêu cầu.",
            )
        if channel in ("chat", "facebook", "zalo"):
            self.ticket_event(
                ticket,
                created + timedelta(seconds=rng.randint(2, 20)),
                "comment",
                "bot",
                body="Xin chào! Trợ lý ảo có thể giúp gì cho bạn?",
            )
        if rng.random() < 0.03 and self.counters["ticket"] > 5:
            target = ticket["id"] - rng.randint(1, 5)
            self.schedule(
                created + timedelta(hours=rng.uniform(0.5, 6)),
                "ticket_merge",
                {"ticket": ticket, "into": target},
            )
            return
        mean_reply = {"email": 4 * 3600, "web": 4 * 3600, "voice": 300}.get(channel, 600)
        reply = created + timedelta(seconds=min(rng.expovariate(1 / mean_reply), 3 * 86400) + 30)
        self.schedule(reply, "ticket_reply", ticket)

    def ticket_event(
        self,
        ticket: dict,
        when: datetime,
        kind: str,
        role: str,
        via: str = "web",
        previous: str = "",
        value: str = "",
        body: str = "",
    ) -> None:
        self.emit(
            "helpdesk_ticket_events",
            when.date(),
            {
                "id": f"EV{self.next_id('event'):08d}",
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

    def set_status(self, ticket: dict, when: datetime, status: str) -> None:
        self.ticket_event(ticket, when, "status_change", "agent", previous=ticket["status"], value=status)
        ticket["status"] = status
        self.emit_ticket(ticket, when)

    def emit_ticket(self, ticket: dict, when: datetime) -> None:
        customer = ticket["customer"]
        self.emit(
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
                    "email": self.email_as_written(customer.email) or None,
                    "phone": self.phone_as_written(customer.phone) or None,
                },
                "group": ticket["group"],
                "merged_into_id": ticket["merged_into"],
                "subject": ticket["subject"],
                "custom_fields": {"order_id": ticket["order_id"]},
            },
        )

    def on_ticket_reply(self, when: datetime, ticket: dict) -> None:
        rng = self.rng
        if ticket["status"] == "new":
            self.set_status(ticket, when, "open")
        self.ticket_event(ticket, when, "comment", "agent", body="Chào anh/chị, em đã kiểm tra yêu cầu ạ.")
        ticket["replies"] = ticket.get("replies", 0) + 1
        if rng.random() < 0.1 and ticket["group"] == "Tier 1":
            self.ticket_event(
                ticket,
                when + timedelta(minutes=5),
                "group_change",
                "agent",
                previous="Tier 1",
                value="Tier 2",
            )
            ticket["group"] = "Tier 2"
            self.emit_ticket(ticket, when + timedelta(minutes=5))
        if rng.random() < (0.35 if ticket["replies"] == 1 else 0.2):
            # The customer answers and the agent replies again.
            self.ticket_event(
                ticket,
                when + timedelta(hours=rng.uniform(1, 12)),
                "comment",
                "end-user",
                body="Cảm ơn, nhưng tôi vẫn cần hỗ trợ thêm.",
            )
            self.schedule(when + timedelta(hours=rng.uniform(13, 30)), "ticket_reply", ticket)
            return
        self.schedule(when + timedelta(hours=rng.uniform(0.2, 30)), "ticket_solve", ticket)

    def on_ticket_solve(self, when: datetime, ticket: dict) -> None:
        rng = self.rng
        self.set_status(ticket, when, "solved")
        if not ticket.get("surveyed"):
            ticket["surveyed"] = True
            if rng.random() < 0.6:
                self.survey_invite("CSAT", ticket["channel"], when + timedelta(minutes=30), ticket=ticket)
            elif rng.random() < 0.5:
                self.survey_invite("CES", ticket["channel"], when + timedelta(minutes=30), ticket=ticket)
        if rng.random() < 0.08 and not ticket.get("reopened"):
            ticket["reopened"] = True
            reopen = when + timedelta(hours=rng.uniform(2, 48))
            self.schedule(reopen, "ticket_reopen", ticket)
        else:
            self.schedule(when + timedelta(days=4), "ticket_close", ticket)

    def on_ticket_reopen(self, when: datetime, ticket: dict) -> None:
        self.ticket_event(ticket, when, "comment", "end-user", body="Vấn đề vẫn chưa được giải quyết.")
        self.set_status(ticket, when, "open")
        self.schedule(when + timedelta(hours=self.rng.uniform(1, 20)), "ticket_reply", ticket)

    def on_ticket_close(self, when: datetime, ticket: dict) -> None:
        if ticket["status"] == "solved":
            self.set_status(ticket, when, "closed")

    def on_ticket_merge(self, when: datetime, payload: dict) -> None:
        ticket = payload["ticket"]
        ticket["merged_into"] = payload["into"]
        self.ticket_event(ticket, when, "merge", "agent", value=str(payload["into"]))
        self.set_status(ticket, when, "closed")

    def new_call(self, day: date) -> None:
        rng = self.rng
        customer = self.pick_customer()
        queued = self.local_time_on(day, 8, 21)
        wait = int(rng.expovariate(1 / 14))
        patience = rng.expovariate(1 / 90)
        number = self.next_id("call")
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
        self.emit(
            "call_records",
            day,
            {
                "Call ID": f"CL{day.strftime('%Y%m%d')}{number:06d}",
                "Caller": self.phone_as_written(customer.phone),
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

    def new_chat(self, day: date) -> None:
        rng = self.rng
        customer = self.pick_customer()
        started = self.local_time_on(day, 7, 23)
        handled = rng.choices(["bot", "bot_to_human", "human"], [40, 35, 25])[0]
        first_human = (
            started + timedelta(seconds=int(rng.expovariate(1 / 70)) + 5) if handled != "bot" else None
        )
        ended = (first_human or started) + timedelta(seconds=int(rng.uniform(60, 900)))
        self.emit(
            "chat_sessions",
            day,
            {
                "session_id": f"CH{self.next_id('chat'):07d}",
                "started_at": utc_z(started),
                "ended_at": utc_z(ended),
                "channel": rng.choices(["website", "facebook_messenger", "zalo_oa"], [45, 35, 20])[0],
                "handled_by": handled,
                "visitor_email": self.email_as_written(customer.email) if rng.random() < 0.5 else "",
                "visitor_phone": self.phone_as_written(customer.phone) if rng.random() < 0.5 else "",
                "agent_id": f"AG{rng.randint(1, 12):02d}" if first_human else "",
                "first_human_reply_at": utc_z(first_human) if first_human else "",
                "bot_messages": rng.randint(1, 6) if handled != "human" else 0,
                "agent_messages": rng.randint(1, 10) if first_human else 0,
                "visitor_messages": rng.randint(1, 10),
                "ticket_id": "",
            },
        )

    # ------------------------------------------------------------------ surveys
    def survey_invite(
        self,
        kind: str,
        channel: str,
        sent: datetime,
        order: dict | None = None,
        ticket: dict | None = None,
        late: bool = False,
    ) -> None:
        rng = self.rng
        if kind == "CSAT":
            scale = (1, 5) if channel in ("email", "web", "voice", "delivery") else (1, 10)
        else:
            scale = {"NPS": (0, 10), "CES": (1, 7)}[kind]
        customer = (order or ticket)["customer"]
        touchpoint = {"delivery": "delivery"}.get(channel, channel)
        survey = {
            "id": f"SV{self.next_id('survey'):07d}",
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
        self.emit_survey(survey, sent)
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
            self.schedule(sent + timedelta(hours=rng.uniform(0.2, 72)), "survey_answer", survey)

    def on_survey_answer(self, when: datetime, survey: dict) -> None:
        survey["responded"] = when
        self.emit_survey(survey, when)

    def emit_survey(self, survey: dict, updated: datetime) -> None:
        customer = survey["customer"]
        answered = survey["responded"] is not None
        stamp = utc_z if survey["kind"] != "NPS" else offset_iso  # the tool mixes both notations
        self.emit(
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
                "Email": self.email_as_written(customer.email),
                "Phone": self.phone_as_written(customer.phone),
            },
        )

    # ------------------------------------------------------------------ writing
    def write_day(self, day: date) -> None:
        for name, spec in SOURCE_FILES.items():
            export = self.exports[name].pop(day, Export())
            path = self.out / spec["path"].format(date=day.isoformat())
            path.parent.mkdir(parents=True, exist_ok=True)
            rows = [list(spec["columns"])] + [
                [row.get(c, "") for c in spec["columns"]] for row in export.rows
            ]
            entry = self.manifest["sources"].setdefault(
                name,
                {
                    "files": 0,
                    "rows": 0,
                    "dirt": dict.fromkeys(DIRT_KINDS, 0),
                    "duplicate_files": [],
                    "dirt_lines": [],
                },
            )
            lines = inject_dirt(name, day - self.start, rows, spec, entry, path.relative_to(self.out))
            write_file(path, spec, lines)
            entry["files"] += 1
            entry["rows"] += sum(1 for line in lines[1:] if not isinstance(line, str))
            if name == "shopee_orders" and day - self.start == timedelta(days=3):
                copy = path.with_name(path.stem + " (1)" + path.suffix)
                shutil.copyfile(path, copy)
                entry["files"] += 1
                entry["duplicate_files"].append(copy.relative_to(self.out).as_posix())

    def write_manifest(self) -> None:
        (self.out / "_manifest.json").write_text(
            json.dumps(self.manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )


def _columns(*names: str) -> tuple[str, ...]:
    return names


SOURCE_FILES = {
    "facebook_ads": {
        "path": "marketing/facebook_ads/facebook_ads_{date}.csv",
        "columns": _columns(
            "Reporting starts",
            "Reporting ends",
            "Campaign name",
            "Campaign ID",
            "Ad set name",
            "Impressions",
            "Link clicks",
            "Amount spent (USD)",
            "Results",
            "Purchases conversion value",
        ),
    },
    "google_ads": {
        "path": "marketing/google_ads/google_ads_{date}.csv",
        "title": True,
        "columns": _columns(
            "Day",
            "Campaign ID",
            "Campaign",
            "Currency code",
            "Impr.",
            "Clicks",
            "Cost",
            "Conversions",
            "Conv. value",
        ),
    },
    "ga4_sessions": {
        "path": "marketing/ga4/ga4_sessions_{date}.ndjson",
        "format": "ndjson",
        "columns": _columns(
            "event_date",
            "session_default_channel_group",
            "session_source_medium",
            "sessions",
            "engaged_sessions",
            "transactions",
            "purchase_revenue",
        ),
    },
    "web_orders": {
        "path": "sales/web/web_orders_{date}.csv",
        "columns": _columns(
            "Name",
            "Email",
            "Phone",
            "Financial Status",
            "Fulfillment Status",
            "Created at",
            "Updated at",
            "Cancelled at",
            "Lineitem name",
            "Lineitem sku",
            "Lineitem quantity",
            "Lineitem price",
            "Shipping",
            "Discount Amount",
            "Total",
            "UTM Source",
            "UTM Medium",
        ),
    },
    "shopee_orders": {
        "path": "sales/shopee/shopee_orders_{date}.csv",
        "bom": True,
        "columns": _columns(
            "Mã đơn hàng",
            "Ngày đặt hàng",
            "Trạng Thái Đơn Hàng",
            "Thời gian cập nhật",
            "SKU phân loại hàng",
            "Tên sản phẩm",
            "Số lượng",
            "Giá ưu đãi",
            "Tổng giá trị đơn hàng (VND)",
            "Phí vận chuyển (dự kiến)",
            "Tên Người nhận",
            "Số điện thoại",
            "Tên đăng nhập người mua",
        ),
    },
    "lazada_orders": {
        "path": "sales/lazada/lazada_orders_{date}.csv",
        "columns": _columns(
            "orderItemId",
            "orderNumber",
            "createTime",
            "updateTime",
            "status",
            "sellerSku",
            "itemName",
            "unitPrice",
            "paidPrice",
            "shippingFee",
            "customerEmail",
            "billingPhone",
        ),
    },
    "tiktok_orders": {
        "path": "sales/tiktok/tiktok_orders_{date}.csv",
        "bom": True,
        "columns": _columns(
            "Order ID",
            "Order Status",
            "Seller SKU",
            "Product Name",
            "Quantity",
            "SKU Unit Original Price",
            "SKU Subtotal After Discount",
            "Shipping Fee After Discount",
            "Order Amount",
            "Created Time",
            "Updated Time",
            "Buyer Username",
            "Phone #",
        ),
    },
    "pos_sales": {
        "path": "sales/pos/pos_sales_{date}.csv",
        "delimiter": ";",
        "columns": _columns(
            "receipt_no",
            "store_code",
            "sold_at",
            "sku",
            "product_name",
            "qty",
            "unit_price",
            "line_total",
            "customer_phone",
            "payment_method",
        ),
    },
    "manual_orders": {
        "path": "sales/manual/don_hang_thu_cong_{date}.xlsx",
        "format": "xlsx",
        "columns": _columns(
            "Mã đơn",
            "Ngày đặt",
            "Kênh",
            "Tên khách hàng",
            "Số điện thoại",
            "Email",
            "Mã sản phẩm",
            "Tên sản phẩm",
            "Số lượng",
            "Đơn giá",
            "Thành tiền",
            "Trạng thái",
            "Ghi chú",
        ),
    },
    "returns": {
        "path": "sales/returns/returns_{date}.csv",
        "columns": _columns(
            "return_id",
            "order_id",
            "sales_channel",
            "sku",
            "quantity",
            "requested_at",
            "received_at",
            "updated_at",
            "reason",
            "refund_amount",
            "status",
        ),
    },
    "crm_customers": {
        "path": "sales/crm/crm_customers_{date}.csv",
        "columns": _columns(
            "Customer ID",
            "Full name",
            "Email",
            "Phone",
            "City",
            "Lead source",
            "Created date",
            "Last modified",
        ),
    },
    "ghn_waybills": {
        "path": "shipping/ghn/ghn_waybills_{date}.csv",
        "columns": _columns(
            "order_code",
            "client_order_code",
            "created_date",
            "leadtime",
            "status",
            "cod_amount",
            "total_fee",
            "updated_date",
            "finish_date",
        ),
    },
    "ghtk_waybills": {
        "path": "shipping/ghtk/ghtk_waybills_{date}.csv",
        "columns": _columns(
            "label_id",
            "partner_id",
            "created",
            "deliver_date",
            "status_id",
            "pick_money",
            "ship_money",
            "modified",
            "done_at",
        ),
    },
    "viettelpost_waybills": {
        "path": "shipping/viettelpost/vtp_waybills_{date}.csv",
        "columns": _columns(
            "ORDER_NUMBER",
            "ORDER_REFERENCE",
            "ORDER_SYSTEMDATE",
            "EXPECTED_DELIVERY",
            "ORDER_STATUS",
            "MONEY_COLLECTION",
            "MONEY_TOTAL",
            "LAST_UPDATE",
            "DELIVERY_DATE",
        ),
    },
    "tracking_events": {
        "path": "shipping/tracking/tracking_events_{date}.ndjson",
        "format": "ndjson",
        "columns": _columns("carrier", "waybill", "status", "event_time", "location", "note"),
    },
    "helpdesk_tickets": {
        "path": "support/helpdesk/tickets_{date}.ndjson",
        "format": "ndjson",
        "columns": _columns(
            "id",
            "created_at",
            "updated_at",
            "status",
            "via",
            "priority",
            "requester",
            "group",
            "merged_into_id",
            "subject",
            "custom_fields",
        ),
    },
    "helpdesk_ticket_events": {
        "path": "support/helpdesk/ticket_events_{date}.ndjson",
        "format": "ndjson",
        "columns": _columns(
            "id",
            "ticket_id",
            "created_at",
            "type",
            "author_role",
            "via",
            "public",
            "previous_value",
            "value",
            "body",
        ),
    },
    "call_records": {
        "path": "support/callcenter/call_records_{date}.csv",
        "columns": _columns(
            "Call ID",
            "Caller",
            "Queue",
            "Start Time",
            "Answer Time",
            "End Time",
            "Status",
            "Agent",
            "Wait (s)",
            "Talk (s)",
            "Ticket ID",
        ),
    },
    "chat_sessions": {
        "path": "support/livechat/chat_sessions_{date}.csv",
        "columns": _columns(
            "session_id",
            "started_at",
            "ended_at",
            "channel",
            "handled_by",
            "visitor_email",
            "visitor_phone",
            "agent_id",
            "first_human_reply_at",
            "bot_messages",
            "agent_messages",
            "visitor_messages",
            "ticket_id",
        ),
    },
    "survey_responses": {
        "path": "support/surveys/survey_responses_{date}.csv",
        "columns": _columns(
            "Response ID",
            "Survey",
            "Question type",
            "Scale min",
            "Scale max",
            "Score",
            "Comment",
            "Sent at",
            "Responded at",
            "Updated at",
            "Channel",
            "Ticket ID",
            "Order ID",
            "Email",
            "Phone",
        ),
    },
}

# Known dirt: (source, day offset, kind, column to damage, damaged value). Each faulty row is an
# extra copy of the day's first data row with exactly one fault, placed right after it.
DIRT = [
    ("web_orders", 2, "duplicate_rows", None, None),
    ("web_orders", 2, "duplicate_rows", None, None),
    ("pos_sales", 4, "duplicate_rows", None, None),
    ("call_records", 2, "malformed_lines", None, None),
    ("helpdesk_ticket_events", 3, "malformed_lines", None, None),
    ("ghtk_waybills", 2, "unparseable_values", "deliver_date", "31/02/2025"),
    ("manual_orders", 3, "unparseable_values", "Đơn giá", "N/A"),
    ("tiktok_orders", 4, "unknown_values", "Order Status", "Pending Review"),
    ("survey_responses", 4, "out_of_range", None, None),
    ("survey_responses", 5, "out_of_range", None, None),
    ("lazada_orders", 5, "missing_required", "sellerSku", ""),
]


def inject_dirt(name: str, offset: timedelta, rows: list, spec: dict, entry: dict, relative: Path) -> list:
    """Return the file's lines (header first) with this day's dirt added; record it in the manifest."""
    todo = [d for d in DIRT if d[0] == name and d[1] == offset.days]
    if not todo or len(rows) < 2:
        return rows
    lines = list(rows)
    first = lines[1]
    columns = list(spec["columns"])
    title_lines = 2 if spec.get("title") else 0
    for position, (_, _, kind, column, value) in enumerate(todo, start=2):
        if kind == "duplicate_rows":
            extra = list(first)
        elif kind == "malformed_lines":
            extra = (
                '{"id": "EV-broken", "ticket_id": 4'
                if spec.get("format") == "ndjson"
                else ",".join(str(v) for v in first[:3])
            )
        elif kind == "out_of_range":
            extra = list(first)
            extra[columns.index("Response ID")] = f"{first[columns.index('Response ID')]}-X{offset.days}"
            extra[columns.index("Question type")] = "CSAT"
            low, high = (1, 10) if offset.days == 4 else (1, 5)
            extra[columns.index("Scale min")], extra[columns.index("Scale max")] = low, high
            extra[columns.index("Score")] = high + 1
            extra[columns.index("Responded at")] = extra[columns.index("Updated at")]
        else:
            extra = list(first)
            extra[columns.index(column)] = value
        lines.insert(position, extra)
        entry["dirt"][kind] += 1
        entry["dirt_lines"].append(
            {"file": relative.as_posix(), "line": title_lines + 1 + position, "kind": kind, "column": column}
        )
    return lines


def write_file(path: Path, spec: dict, lines: list) -> None:
    fmt = spec.get("format", "csv")
    if fmt == "ndjson":
        header = lines[0]
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for line in lines[1:]:
                if isinstance(line, str):
                    handle.write(line + "\n")
                    continue
                record = {key: value for key, value in zip(header, line, strict=True)}
                handle.write(
                    json.dumps({k: (None if v == "" else v) for k, v in record.items()}, ensure_ascii=False)
                    + "\n"
                )
        return
    if fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        workbook.properties.created = datetime(2025, 1, 1)
        sheet = workbook.create_sheet("Đơn hàng")
        for line in lines:
            sheet.append(list(line))
        buffer = io.BytesIO()
        workbook.save(buffer)
        # Re-zip with fixed timestamps: openpyxl stamps every zip entry with the current time.
        with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
                fixed.compress_type = zipfile.ZIP_DEFLATED
                data = source.read(info.filename)
                if info.filename == "docProps/core.xml":  # openpyxl sets "modified" to now on save
                    data = re.sub(
                        rb"<dcterms:modified([^>]*)>[^<]*<",
                        rb"<dcterms:modified\1>2025-01-01T00:00:00Z<",
                        data,
                    )
                target.writestr(fixed, data)
        return
    buffer = io.StringIO()
    if spec.get("title"):
        buffer.write("Campaign report\n")
        buffer.write(f'"{path.stem[-10:]} - {path.stem[-10:]}"\n')
    writer = csv.writer(buffer, delimiter=spec.get("delimiter", ","), lineterminator="\n")
    for line in lines:
        if isinstance(line, str):
            buffer.write(line + "\n")
        else:
            writer.writerow(line)
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if spec.get("bom") else b"") + data)


def generate(out_dir: Path, start: date, days: int, scale: float = 1.0, seed: int = 42) -> dict:
    """Write the sample exports into out_dir (replacing it) and return the manifest."""
    return Generator(Path(out_dir), start, days, scale, seed).run()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("data/landing"))
    parser.add_argument("--start", type=date.fromisoformat, default=date(2025, 7, 1))
    parser.add_argument("--days", type=int, default=92)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.start, args.days, args.scale, args.seed)
    rows = sum(entry["rows"] for entry in manifest["sources"].values())
    print(f"wrote {len(manifest['sources'])} sources, {rows} rows into {args.out}")


if __name__ == "__main__":
    main()
