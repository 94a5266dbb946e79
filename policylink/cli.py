"""The ``policylink`` command line.

Each module of :mod:`policylink.commands` that defines ``register(group)`` adds its commands to
the main group, so features plug in without editing this file.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import warnings

import click
import psycopg

from policylink import __version__
from policylink.errors import PolicyLinkError

# The venv shares Debian's site-packages (for QGIS); Debian's mpl_toolkits then shadows the pip
# matplotlib's 3D toolkit, which PolicyLink never uses. Keep that warning off the user's screen.
warnings.filterwarnings("ignore", message="Unable to import Axes3D", category=UserWarning)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policylink")
def cli() -> None:
    """PolicyLink: how policies spread between cities and what they do to carbon emissions.

    The database is $DATABASE_URL when set, otherwise the embedded PostGIS of this checkout
    (started on first use; see `policylink db --help`).
    """


def _register_commands() -> None:
    import policylink.commands as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        register = getattr(mod, "register", None)
        if register is not None:
            register(cli)


_register_commands()


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
        cli.main(args=argv, prog_name="policylink", standalone_mode=False)
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
    except psycopg.OperationalError as exc:
        # Unreachable or refused database: one line, no traceback, no password.
        from policylink.etl.db import redact

        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        click.echo(f"error: cannot use the database: {redact(first)}", err=True)
        click.echo("hint: check DATABASE_URL, or run `policylink db up`.", err=True)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
