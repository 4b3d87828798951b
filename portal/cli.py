"""The `portal` command: serve, migrate, demo, createuser, export, token, backup, restore,
remind, retention."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from portal.lib import db
from portal.lib.settings import Settings, SettingsError


async def _with_engine(settings: Settings, work):
    engine = db.engine_from_url(settings.database_url)
    db.use_engine(engine)
    await db.start(engine)
    try:
        return await work()
    finally:
        await db.stop(engine)


async def migrate() -> bool:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from portal.lib import data_version

    result = await run_forwards(app_name="all", migration_id="all")
    if not result.success:
        print(f"Migratie mislukt: {result.message}", file=sys.stderr)
        return False
    # After the migrations: a table that one of them made gets its trigger here.
    await data_version.install(db.current_engine())
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal", description="Fondsportaal")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    commands.add_parser("migrate", help="apply the database migrations")
    demo = commands.add_parser("demo", help="load demo data (development only)")
    demo.add_argument(
        "--if-empty", action="store_true", help="only when the database has no networks"
    )
    commands.add_parser(
        "demo-code", help="the demo coordinator's and admin's current log-in code (development)"
    )
    create = commands.add_parser("createuser", help="create an account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--superadmin", action="store_true", help="beheerder of all networks")
    token = commands.add_parser("token", help="personal API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    token_create = token_commands.add_parser("create", help="make a token for a coordinator")
    token_create.add_argument("--user", required=True, help="the coordinator's e-mail address")
    token_create.add_argument("--name", default="", help="what the token is for")
    commands.add_parser("outbox", help="send the e-mails waiting in the outbox")
    commands.add_parser("remind", help="queue due reminders (run daily) and send the outbox")
    retention = commands.add_parser(
        "retention", help="anonymise what is past its retention period (run daily)"
    )
    retention.add_argument(
        "--dry-run", action="store_true", help="only say what would be anonymised; change nothing"
    )
    export = commands.add_parser("export", help="export a workbook")
    export.add_argument("what", choices=["spuk"], help="spuk: the SPUK workbook of a budget year")
    export.add_argument("--network", required=True, help="the network's slug")
    export.add_argument("--year", type=int, required=True)
    export.add_argument("--output", required=True, help="the .xlsx file to write")
    backup_command = commands.add_parser(
        "backup", help="back up the database (FILE) and the uploads (FILE.uploads.tar.gz)"
    )
    backup_command.add_argument(
        "--output", required=True, help="the database back-up file to write"
    )
    restore_command = commands.add_parser(
        "restore", help="restore a back-up made by `portal backup`"
    )
    restore_command.add_argument("--input", required=True, help="the database back-up file to read")
    restore_command.add_argument(
        "--force", action="store_true", help="also into a non-empty database or in production"
    )
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"Configuratiefout: {error}", file=sys.stderr)
        return 2

    if args.command == "serve":
        import uvicorn

        uvicorn.run(
            "portal.asgi:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            proxy_headers=True,
            log_level="info",
        )
        return 0
    if args.command == "migrate":
        return 0 if asyncio.run(_with_engine(settings, migrate)) else 1
    if args.command == "demo-code":
        if settings.production:
            print("portal demo-code weigert in productie (PORTAL_ENV=production).", file=sys.stderr)
            return 1
        return _demo_code()
    if args.command == "demo":
        if settings.production:
            print("portal demo weigert in productie (PORTAL_ENV=production).", file=sys.stderr)
            return 2
        return asyncio.run(_with_engine(settings, lambda: _demo(args.if_empty)))
    if args.command == "createuser":
        return asyncio.run(_with_engine(settings, lambda: _createuser(args)))
    if args.command == "token":
        return asyncio.run(_with_engine(settings, lambda: _create_token(args)))
    if args.command == "remind":
        return asyncio.run(_with_engine(settings, lambda: _remind(settings)))
    if args.command == "retention":
        return asyncio.run(_with_engine(settings, lambda: _retention(settings, args.dry_run)))
    if args.command == "export":
        workbook = asyncio.run(_with_engine(settings, lambda: _spuk_workbook(args)))
        if workbook is None:
            return 1
        with open(args.output, "wb") as output:
            output.write(workbook)
        print(f"SPUK-werkmap {args.year} van {args.network} geschreven naar {args.output}.")
        return 0
    if args.command == "backup":
        from portal.backup import backup

        return asyncio.run(backup(settings, args.output))
    if args.command == "restore":
        from portal.backup import restore

        return asyncio.run(restore(settings, args.input, force=args.force))
    if args.command == "outbox":
        from portal.accounts.mail import deliver_pending

        sent = asyncio.run(_with_engine(settings, lambda: deliver_pending(settings)))
        print(f"{sent} e-mail(s) verstuurd.")
        return 0
    return 1


async def _remind(settings: Settings) -> int:
    from portal.accounts.mail import deliver_pending
    from portal.accounts.reminders import send_due
    from portal.app import register_domain_hooks
    from portal.lib import clock, db, once

    register_domain_hooks()
    queued = await send_due(clock.now(), settings.base_url)
    sent = await deliver_pending(settings)
    await once.forget_old(db.current_engine())
    print(f"{queued} herinnering(en) klaargezet, {sent} e-mail(s) verstuurd.")
    return 0


async def _retention(settings: Settings, dry_run: bool) -> int:
    from portal.accounts.retention_services import run
    from portal.app import register_domain_hooks
    from portal.lib import clock

    register_domain_hooks()
    summary = await run(clock.now().date(), settings.upload_dir, dry_run=dry_run)
    if dry_run:
        print("Proefdraai: er is niets veranderd.")
    for line in summary.lines():
        print(line)
    return 0


async def _spuk_workbook(args) -> bytes | None:
    from ledger.projects.spuk import SpukYearMissing, build_workbook, gather
    from portal.accounts.tables import Network
    from portal.lib import clock

    network = await Network.select(Network.id).where(Network.slug == args.network).first()
    if network is None:
        print(f"Er is geen netwerk '{args.network}'.", file=sys.stderr)
        return None
    try:
        data = await gather(network["id"], args.year)
    except SpukYearMissing as error:
        print(error, file=sys.stderr)
        return None
    return build_workbook(data, exported_at=clock.now())


async def _demo(if_empty: bool) -> int:
    from portal.demo import DEMO_PASSWORD, database_is_empty, load_demo_data

    if not await database_is_empty():
        if if_empty:
            print("Demodata staat er al.")
            _print_logins()
            return 0
        print(
            "De database is niet leeg; demodata wordt alleen in een lege database geladen.",
            file=sys.stderr,
        )
        return 1
    await load_demo_data()
    print(f"Demodata geladen. Elk account heeft het wachtwoord '{DEMO_PASSWORD}'.")
    _print_logins()
    return 0


def _print_logins() -> None:
    from portal.accounts.principal import ROLE_LABELS
    from portal.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, PEOPLE

    print(f"Demo-accounts (wachtwoord: {DEMO_PASSWORD}):")
    for email, _name, network, role, _kind, region, _org in PEOPLE:
        scope = ", ".join(x for x in (network, region) if x)
        print(f"  {email:<26} {ROLE_LABELS[role]}{' (' + scope + ')' if scope else ''}")
    print(
        "Coördinator en beheerder loggen in met tweestapsverificatie: zet sleutel "
        f"{DEMO_TOTP_SECRET} in een authenticator-app, of vraag de code met `portal demo-code`."
    )


def _demo_code() -> int:
    import pyotp

    from portal.accounts import totp
    from portal.demo import DEMO_TOTP_SECRET
    from portal.lib import clock

    now = clock.now()
    left = totp.STEP_SECONDS - int(now.timestamp()) % totp.STEP_SECONDS
    print(f"{pyotp.TOTP(DEMO_TOTP_SECRET).at(now)}  (nog {left} s geldig; daarna de volgende)")
    return 0


async def _createuser(args) -> int:
    from portal.accounts.rules import email_problem
    from portal.accounts.services import create_user
    from portal.accounts.tables import Membership, Role, User
    from portal.lib.passwords import hash_password, password_problem

    problem = email_problem(args.email)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if await User.exists().where(User.email == args.email.strip().lower()):
        print("Er bestaat al een account met dit e-mailadres.", file=sys.stderr)
        return 1
    password = getpass.getpass("Wachtwoord: ")
    problem = password_problem(password, email=args.email, name=args.name)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    user_id = await create_user(args.email, args.name, await hash_password(password))
    if args.superadmin:
        await Membership.insert(Membership(user=user_id, network=None, role=Role.admin.value))
    print(f"Account {args.email} aangemaakt.")
    return 0


async def _create_token(args) -> int:
    from portal.accounts.api_tokens import TokenRefused, create_token
    from portal.accounts.tables import User

    user = await User.select(User.id).where(User.email == args.user.strip().lower()).first()
    if user is None:
        print(f"Er is geen account met e-mailadres {args.user}.", file=sys.stderr)
        return 1
    try:
        _, secret = await create_token(
            user["id"], args.name or "Gemaakt op de opdrachtregel", actor_id=None
        )
    except TokenRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    print("API-sleutel gemaakt. Hij wordt maar één keer getoond; bewaar hem veilig:")
    print(secret)
    return 0


if __name__ == "__main__":
    sys.exit(main())
