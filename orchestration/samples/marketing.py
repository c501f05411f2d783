"""The ad platforms' daily reports and the web analytics sessions, from a random source of their own
per day (they draw nothing from the shared one)."""

from __future__ import annotations

import random
from datetime import date

from orchestration.samples.world import World

FB_OBJECTIVES = ["Thu hút", "Chuyển đổi", "Remarketing"]
GOOGLE_CAMPAIGNS = ["Search - Thương hiệu", "Search - Sản phẩm", "Shopping", "PMax", "Display"]


def simulate_marketing(world: World, day: date) -> None:
    rng = random.Random(f"{world.seed}:ads:{day.isoformat()}")
    conversions_total = 0
    for number in range(6):
        impressions = int(rng.uniform(8000, 40000) * world.scale)
        clicks = int(impressions * rng.uniform(0.008, 0.025))
        spend_usd = round(impressions / 1000 * rng.uniform(1.2, 3.5), 2)
        results = int(clicks * rng.uniform(0.01, 0.04))
        conversions_total += results
        world.emit(
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
        impressions = int(rng.uniform(5000, 30000) * world.scale)
        clicks = int(impressions * rng.uniform(0.02, 0.06))
        cost = int(clicks * rng.uniform(2500, 6000))
        conversions = round(clicks * rng.uniform(0.02, 0.05), 2)
        world.emit(
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
        sessions = int(rng.uniform(300, 1500) * world.scale)
        transactions = int(sessions * rng.uniform(0.005, 0.03))
        world.emit(
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
