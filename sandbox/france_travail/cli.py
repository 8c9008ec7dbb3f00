"""Standalone emulator: ``python -m sandbox.france_travail --port 8082 --seed 42 --offers 3000``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from sandbox.france_travail.config import EmulatorConfig
from sandbox.france_travail.server import FranceTravailEmulator


async def _serve(args: argparse.Namespace) -> None:
    clients = {args.client_id: args.client_secret} if args.client_id else None
    config = EmulatorConfig(
        seed=args.seed,
        offer_count=args.offers,
        token_ttl=args.token_ttl,
        enforce_rate_limits=not args.no_rate_limit,
        clients=clients,
    )
    async with FranceTravailEmulator(config, host=args.host, port=args.port) as emu:
        print(f"France Travail emulator: {len(emu.offers)} offers (seed {args.seed})", flush=True)
        print(f"  FT_API_BASE_URL={emu.base_url}", flush=True)
        print(f"  FT_TOKEN_URL={emu.token_url}", flush=True)
        print(f"  FT_CLIENT_ID={emu.client_id}", flush=True)
        print(f"  FT_CLIENT_SECRET={emu.client_secret}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox.france_travail", description="Local France Travail API emulator"
    )
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost", "::1"])
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--offers", type=int, default=3000, help="number of generated offers")
    parser.add_argument("--token-ttl", type=float, default=1499.0)
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument("--client-id", default=None)
    parser.add_argument("--client-secret", default=None)
    args = parser.parse_args(argv)
    if bool(args.client_id) != bool(args.client_secret):
        parser.error("--client-id and --client-secret go together")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
