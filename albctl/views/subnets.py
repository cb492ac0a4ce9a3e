"""The subnet discovery result as a table."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def print_choice(console: Console, choice: Any, scheme: str, vpc_id: str | None) -> None:
    table = Table(title=f"Subnets for an {scheme} ALB in {vpc_id or 'no VPC found'}")
    for column in ("subnet", "zone", "CIDR", "free IPs", "decision"):
        table.add_column(column)
    for s in choice.chosen:
        table.add_row(s.subnet_id, s.availability_zone, s.cidr, str(s.available_ips), "[green]chosen[/]")
    for s, reason in choice.rejected:
        table.add_row(s.subnet_id, s.availability_zone, s.cidr, str(s.available_ips), f"[red]rejected:[/] {reason}")
    console.print(table)
