"""/stats (admins only, silent for others), /aide, and the command menu."""

from __future__ import annotations

import pytest

from tests.helpers_cmd import WAIT, cmd_env, make_profile

pytestmark = pytest.mark.timeout(120)

ADMIN = 900


async def test_stats_ignored_silently_for_non_admins(tmp_path) -> None:
    async with cmd_env(tmp_path, settings_overrides={"admin_ids": frozenset({ADMIN})}) as env:
        user = env.user(601)
        for command in ("/stats", "/stats users", "/STATS"):
            await user.send(command)
        await user.send("/aide")
        # Updates are handled in order: any answer to /stats would come before the help.
        [help_message] = await user.replies(timeout=WAIT, count=1)
        assert "Ce que je sais faire" in help_message.text
        assert not await user.replies(timeout=0.5)


async def test_stats_without_any_admin_configured(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(602)
        await user.send("/stats")
        await user.send("/help")
        [only] = await user.replies(timeout=WAIT, count=1)
        assert "Ce que je sais faire" in only.text


async def test_stats_for_admin(tmp_path) -> None:
    async with cmd_env(tmp_path, settings_overrides={"admin_ids": frozenset({ADMIN})}) as env:
        storage = env.services.storage
        await make_profile(env, 603)
        await make_profile(env, 604, alerts_enabled=False)
        await storage.mark_sent(603, ["100AAAA", "100AAAB"])
        await storage.record_ft_error("offres_search", 500)
        await storage.record_ft_error("offres_search", None)
        admin = env.user(ADMIN)
        await admin.send("/stats")
        reply = (await admin.replies(timeout=WAIT, count=1))[-1]
        # 603 and 604; the admin only sent /stats, which stores nothing about them.
        assert "Utilisateurs : 2" in reply.text
        assert "Abonnés aux alertes : 1" in reply.text
        assert "Offres envoyées aujourd'hui : 2" in reply.text
        assert "Erreurs France Travail (24 h) : 2" in reply.text
        assert "offres_search : 2" in reply.text


async def test_help_lists_every_command_with_examples(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        user = env.user(605)
        await user.send("/aide")
        text = (await user.replies(timeout=WAIT, count=1))[-1].text
        for command in (
            "/start",
            "/profil",
            "/match G1803",
            "/match serveur",
            "/metiers",
            "/recherche boulanger à Lyon",
            "/offre 193XKZP",
            "/favoris",
            "/alertes 07:30",
            "/mesdonnees",
            "/supprimer",
        ):
            assert command in text
        assert "/stats" not in text


async def test_command_menu_has_the_french_commands(tmp_path) -> None:
    async with cmd_env(tmp_path) as env:
        menu = {c["command"] for commands in env.tg.commands.values() for c in commands}
        assert {
            "start",
            "profil",
            "match",
            "metiers",
            "recherche",
            "offre",
            "favoris",
            "alertes",
            "mesdonnees",
            "supprimer",
            "aide",
        } <= menu
        assert "stats" not in menu
