"""A second market for the tests: Loja Aurora, a Brazilian online shop whose platform exports its
whole history as one file per table (orders, order items, reviews, customers), Portuguese headers,
semicolons, decimal commas, local times of America/Sao_Paulo (UTC-3; purchase times in ISO 8601
with their offset), money in BRL with cents,
customers known only by ids (no phone, no e-mail: each order has its own customer id, which the
customer table links to the person's unique id, as marketplaces export them).

Every row is written out below, so that the KPIs of tests/test_onboarding.py can be computed by
hand. Known dirt: an order without lines (cancelled before it was invoiced), a review line repeated
word for word, multi-line quoted comments, a phone number typed into a comment.

    python -m tests.markets.aurora --out data/landing    # files named for the export day
"""

from __future__ import annotations

import argparse
import csv
from datetime import date, datetime, timedelta
from pathlib import Path

EXPORT_DAY = date(2026, 3, 31)
SOURCES_FILE = Path(__file__).with_name("aurora_sources.yml")
# Seed rows for the shop's status words: (seed, rows).
SEED_ROWS = {
    "sales__order_status_map": [
        ("aurora_pedidos", "faturado", "placed"),
        ("aurora_pedidos", "enviado", "shipped"),
        ("aurora_pedidos", "entregue", "delivered"),
        ("aurora_pedidos", "cancelado", "cancelled"),
    ],
    "delivery__carrier_status_map": [
        ("correios", "faturado", "created"),
        ("correios", "enviado", "in_transit"),
        ("correios", "entregue", "delivered"),
        ("correios", "cancelado", "cancelled"),
    ],
}

CAMERA, TENT, SOCKS = ("P-CAM", "89,90"), ("P-TEN", "1.039,20"), ("P-MEI", "25,50")

# Orders: id, person, status, purchased, handed to the carrier, delivered, promised, payment, items.
ORDERS = [
    (
        "A1",
        "U1",
        "entregue",
        "05/01/2025 10:00",
        "06/01/2025 09:00",
        "09/01/2025 15:00",
        "10/01/2025",
        "cartao",
        [CAMERA, CAMERA],
    ),
    # 23:30 in São Paulo on 31 January is 02:30 UTC on 1 February: a January order here.
    (
        "A2",
        "U2",
        "entregue",
        "31/01/2025 23:30",
        "01/02/2025 10:00",
        "07/02/2025 12:00",
        "05/02/2025",
        "pix",
        [TENT],
    ),
    (
        "A3",
        "U1",
        "entregue",
        "14/02/2025 09:15",
        "15/02/2025 08:00",
        "18/02/2025 18:00",
        "20/02/2025",
        "pix",
        [SOCKS],
    ),
    ("A4", "U3", "cancelado", "20/02/2025 20:00", "", "", "26/02/2025", "boleto", [CAMERA]),
    ("A5", "U4", "cancelado", "27/02/2025 11:00", "", "", "05/03/2025", "boleto", []),  # no lines
]
# One order a month from March 2025 to February 2026 for the same person.
for month in range(12):
    first = date(2025 + (month + 2) // 12, (month + 2) % 12 + 1, 1)
    stamp = first.strftime("%m/%Y")
    ORDERS.append(
        (
            f"M{month + 1:02d}",
            "U5",
            "entregue",
            f"10/{stamp} 12:00",
            f"11/{stamp} 09:00",
            f"14/{stamp} 12:00",
            f"15/{stamp}",
            "cartao",
            [SOCKS],
        )
    )
ORDERS += [
    (
        "B1",
        "U2",
        "entregue",
        "02/03/2026 14:00",
        "03/03/2026 09:00",
        "06/03/2026 10:00",
        "06/03/2026",
        "cartao",
        [TENT, SOCKS],
    ),
    (
        "B2",
        "U6",
        "enviado",
        "10/03/2026 10:00",
        "11/03/2026 09:00",
        "",
        "16/03/2026",
        "pix",
        [("P-CAM", "79,90")],
    ),
    ("B3", "U7", "faturado", "28/03/2026 16:45", "", "", "04/04/2026", "pix", [SOCKS]),
]

# Reviews (CSAT 1 to 5): id, order, score, comment, sent, answered.
REVIEWS = [
    ("R1", "A1", 5, "Chegou antes do prazo,\nrecomendo!", "10/01/2025 09:00", "10/01/2025 20:00"),
    (
        "R2",
        "A2",
        2,
        "Atrasou dois dias.\nMe liguem: +55 11 91234-5678",
        "08/02/2025 09:00",
        "09/02/2025 10:00",
    ),
    ("R3", "A3", 4, "", "19/02/2025 09:00", "19/02/2025 12:00"),
    ("R4", "B1", 5, "Perfeito", "07/03/2026 09:00", "08/03/2026 10:00"),
]


def write(out: Path, day: date = EXPORT_DAY) -> list[Path]:
    """Write the four exports of `day` under out/aurora/; return their paths."""
    folder = out / "aurora"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = day.isoformat()
    orders = [
        [
            "ID do pedido",
            "ID do cliente",
            "Situação",
            "Data da compra",
            "Data de envio",
            "Data de entrega",
            "Previsão de entrega",
            "Forma de pagamento",
        ],
        *[[o[0], f"c-{o[0]}", o[2], _iso(o[3]), *o[4:8]] for o in ORDERS],
    ]
    items = [["ID do pedido", "Item", "Produto", "Preço", "Frete"]]
    for order in ORDERS:
        items += [[order[0], str(n), sku, price, "0,00"] for n, (sku, price) in enumerate(order[8], 1)]
    items.insert(3, items[2])  # A1's second line, repeated word for word
    reviews = [
        ["ID da avaliação", "ID do pedido", "Nota", "Comentário", "Enviada em", "Respondida em"],
        *[[r[0], r[1], str(r[2]), *r[3:]] for r in REVIEWS],
    ]
    reviews.append(reviews[3])  # R3 again, word for word
    customers = [["ID do cliente", "ID único do cliente", "Cidade", "UF", "Data de cadastro"]]
    customers += [
        [f"c-{o[0]}", o[1], "São Paulo", "SP", (_day(o[3]) - timedelta(days=1)).strftime("%d/%m/%Y")]
        for o in ORDERS
    ]
    paths = []
    for name, rows in [
        ("pedidos", orders),
        ("itens_pedido", items),
        ("avaliacoes", reviews),
        ("clientes", customers),
    ]:
        path = folder / f"{name}_{stamp}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)
        paths.append(path)
    return paths


def _iso(local: str) -> str:
    """The purchase time as the platform's API writes it: ISO 8601 with the offset of São Paulo."""
    return datetime.strptime(local, "%d/%m/%Y %H:%M").strftime("%Y-%m-%dT%H:%M:00-03:00")


def _day(local: str) -> date:
    return datetime.strptime(local, "%d/%m/%Y %H:%M").date()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    for path in write(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
