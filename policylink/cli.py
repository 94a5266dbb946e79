"""The ``policylink`` command line.

The main group is lazy: :data:`COMMANDS` names every top-level command, the module of
:mod:`policylink.commands` whose ``register(group)`` adds it and its one-line help. ``policylink
--help`` is written from that table alone, and a command's module (with its pandas, libpysal,
... imports) is imported only when that command is run or asked for its help. A test checks the
table against what each module's ``register`` really adds (tests/test_startup.py).
"""

from __future__ import annotations

import importlib
import sys
import warnings

import click

from policylink import __version__
from policylink.errors import PolicyLinkError

# The venv shares Debian's site-packages (for QGIS); Debian's mpl_toolkits then shadows the pip
# matplotlib's 3D toolkit, which PolicyLink never uses. Keep that warning off the user's screen.
warnings.filterwarnings("ignore", message="Unable to import Axes3D", category=UserWarning)

#: Top-level command -> (module under ``policylink.commands``, one-line help). The help is the
#: command's own short help (``get_short_help_str``); a new command module must be added here.
COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("db", "Manage the embedded PostGIS database of this checkout."),
    "demo": (
        "demo",
        "Run the main job and write out/report.html plus every figure (PNG) and table (CSV).",
    ),
    "did": (
        "did",
        "Staggered DID: TWFE, event study, placebo, PSM, CS, imputation, SA, Bacon, HonestDiD, "
        "spatial.",
    ),
    "diffusion": (
        "diffusion",
        "Policy diffusion: event history analysis, dyads, networks and dynamics of adoption.",
    ),
    "geary": (
        "stats",
        "Global Geary's C of --variable for every year (C < 1: similar neighbours).",
    ),
    "lisa": (
        "stats",
        "Local spatial autocorrelation: LISA clusters (HH, LL, HL, LH) or Gi* hot/cold spots.",
    ),
    "load": (
        "load",
        "Load boundaries, policy events, panels and the bundled data into the database.",
    ),
    "map": ("map", "Draw a map: KIND is pilots, adoption, links, lisa or choropleth."),
    "migrate": ("db", "Apply pending schema migrations and changed view definitions."),
    "model": (
        "model",
        "Dynamic spatial panels, one-year SAR/SEM/SDM by ML or GMM, and LM tests after fitting.",
    ),
    "moran": ("stats", "Global Moran's I of --variable for every year, in one table."),
    "sdm": (
        "stats",
        "Spatial panel model (SDM, SAR, SEM, SAC, SDEM or GNS) with LeSage-Pace effects.",
    ),
    "views": (
        "db",
        "Create and refresh the SQL views (the public interface for database users).",
    ),
    "weights": (
        "weights",
        "Export spatial weights (as ``weights export``), or ``weights report`` their connectivity.",
    ),
}


def load_command_module(module: str) -> click.Group:
    """Import ``policylink.commands.<module>`` and return a group holding what it registers.

    Parameters
    ----------
    module : str
        Module name under :mod:`policylink.commands`.

    Returns
    -------
    click.Group
        A throwaway group to which the module's ``register`` added its commands.
    """
    mod = importlib.import_module(f"policylink.commands.{module}")
    holder = click.Group(module)
    mod.register(holder)
    return holder


class LazyGroup(click.Group):
    """A click group whose commands come from :data:`COMMANDS`, imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, sorted (as click sorts them)."""
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, importing its module the first time."""
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            holder = load_command_module(COMMANDS[cmd_name][0])
            for name, cmd in holder.commands.items():
                self.commands.setdefault(name, cmd)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands from the table, as click would, without importing any of them."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            if name in COMMANDS:
                # a stand-in command shortens the text exactly as the real one would
                stand_in = click.Command(name, help=COMMANDS[name][1])
                rows.append((name, stand_in.get_short_help_str(limit)))
            elif not self.commands[name].hidden:
                rows.append((name, self.commands[name].get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policylink")
def cli() -> None:
    """PolicyLink: how policies spread between cities and what they do to carbon emissions.

    The database is $DATABASE_URL when set, otherwise the embedded PostGIS of this checkout
    (started on first use; see `policylink db --help`).
    """


def _database_error(exc: BaseException) -> bool:
    # psycopg is not imported up front (it costs ~0.2 s of start-up); an exception can only be
    # one of its errors if some command has imported it already.
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(exc, psycopg.Error)


def _database_message(exc: BaseException) -> tuple[str, str]:
    """One line saying what the database refused, and a hint on what to do about it."""
    import psycopg

    from policylink.etl.db import redact

    text = str(exc).strip()
    first = redact(text.splitlines()[0]) if text else type(exc).__name__
    if isinstance(exc, psycopg.OperationalError):
        # unreachable or refused database (no password in the message)
        return f"cannot use the database: {first}", "check DATABASE_URL, or run `policylink db up`."
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return (
            f"the database refused the command: {first}",
            "this login may only read (policylink_reader); use the owner's login to change data.",
        )
    # e.g. an object of the schema missing or edited outside PolicyLink
    return (
        f"the database could not run the command: {first}",
        "run `policylink migrate` (and `policylink load bundled` for the bundled data); "
        "if it persists, report it with the command line.",
    )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user-facing errors print a message (no traceback) and exit non-zero.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (defaults to ``sys.argv[1:]``).

    Returns
    -------
    int
        Process exit code.
    """
    try:
        # without standalone mode click returns the code of a ``ctx.exit(n)`` (it catches the
        # Exit itself); commands return nothing, so anything else is a normal end
        code = cli.main(args=argv, prog_name="policylink", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except PolicyLinkError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except Exception as exc:
        if not _database_error(exc):
            raise
        # Any error of the database driver: one line and a hint, no traceback, no password.
        message, hint = _database_message(exc)
        click.echo(f"error: {message}", err=True)
        click.echo(f"hint: {hint}", err=True)
        return 1
    return code if isinstance(code, int) and not isinstance(code, bool) else 0


def entry() -> None:
    """Console-script entry point (``policylink``): :func:`main`, then a quick process exit.

    At shutdown the interpreter runs its cyclic garbage collector over every object the
    imported libraries created (~100,000 once libpysal, scikit-learn or statsmodels are in):
    ~1 s of a 4-5 s ``policylink moran``. ``gc.freeze()`` moves them out of its reach, and the
    process ends in ~0.1 s. Nothing is lost: ``atexit`` handlers and the flushing of standard
    output still run, objects that are not in a reference cycle are still released, and the
    commands close their files and connections themselves. Only for a process about to end:
    :func:`main` is what the tests and other Python code call.

    Raises
    ------
    SystemExit
        Always, with :func:`main`'s exit code.
    """
    import gc

    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
