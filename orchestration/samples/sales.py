"""Orders on the six sales channels, each written in its channel's own export, and the CRM's
customer list."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from orchestration.samples.world import Customer, World

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


def emit_initial_crm(world: World) -> None:
    for customer in world.customers:
        if customer.in_crm:
            world.emit("crm_customers", world.start, crm_row(world, customer, customer.created))


def crm_row(world: World, customer: Customer, modified: datetime) -> dict:
    return {
        "Customer ID": customer.customer_id,
        "Full name": customer.name,
        "Email": world.email_as_written(customer.email),
        "Phone": world.phone_as_written(customer.phone),
        "City": customer.city,
        "Lead source": customer.lead_source,
        "Created date": customer.created.strftime("%Y-%m-%d %H:%M:%S"),
        "Last modified": modified.strftime("%Y-%m-%d %H:%M:%S"),
    }


def simulate_orders(world: World, day: date) -> None:
    for channel, base in CHANNEL_VOLUME.items():
        for _ in range(world.daily_count(base, day)):
            new_order(world, channel, day)


def new_order(world: World, channel: str, day: date) -> None:
    rng = world.rng
    customer = (
        world.pick_customer()
        if rng.random() < 0.85
        else world.new_customer(len(world.customers) + world.next_id("guest") + 100000)
    )
    ordered = world.local_time_on(day, 8, 22)
    items = rng.sample(PRODUCTS, k=rng.choices([1, 2, 3], [60, 30, 10])[0])
    lines = [(sku, name, price, rng.choices([1, 2, 3], [75, 20, 5])[0]) for sku, name, price in items]
    number = world.next_id(f"order:{channel}")
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
        "utm": utm_for(customer),
        "status": "placed",
        "updated": ordered,
        "kenh": order_id[:2],
        "store": order_id[2:6],
    }
    if channel == "store":
        emit_order(world, order, day)
        return
    emit_order(world, order, day)
    fate = rng.random()
    if fate < 0.05:
        world.schedule(ordered + timedelta(hours=rng.uniform(1, 20)), "order_cancel", order)
    else:
        world.schedule(ordered + timedelta(hours=rng.uniform(3, 26)), "ship", order)


def utm_for(customer: Customer) -> tuple[str, str]:
    return {
        "Facebook Ads": ("facebook", "paid_social"),
        "Google Ads": ("google", "cpc"),
        "Organic Search": ("google", "organic"),
        "TikTok": ("tiktok", "paid_social"),
        "Referral": ("zalo.me", "referral"),
    }.get(customer.lead_source, ("", ""))


def order_total(order: dict) -> int:
    return sum(price * qty for _, _, price, qty in order["lines"]) + order["shipping_fee"]


def emit_order(world: World, order: dict, day: date) -> None:
    """Write the order's current state into its channel's export of `day`."""
    channel, status, customer = order["channel"], order["status"], order["customer"]
    updated, ordered = order["updated"], order["ordered"]
    phone = world.phone_as_written(customer.phone)
    email = world.email_as_written(customer.email)
    total = order_total(order)
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
            world.emit(
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
            world.emit(
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
                world.emit(
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
            world.emit(
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
            world.emit(
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
                    "customer_phone": phone if world.rng.random() < 0.6 else "",
                    "payment_method": world.rng.choice(["cash", "card", "qr", "ewallet"]),
                },
            )
        else:
            word = MANUAL_STATUS_WORDS[status]
            world.emit(
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
                    "Ghi chú": world.rng.choice(["", "", "Giao giờ hành chính", "Gọi trước khi giao"]),
                },
            )


def on_order_cancel(world: World, when: datetime, order: dict) -> None:
    order["status"], order["updated"] = "cancelled", when
    emit_order(world, order, when.date())
