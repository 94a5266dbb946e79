"""Translation helpers: one Qt translation context for the whole plugin."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

CONTEXT = "PolicyLink"
I18N_DIR = Path(__file__).resolve().parents[1] / "i18n"

_translator: QTranslator | None = None


def tr(text: str) -> str:
    """Translate a user-visible string in the plugin's translation context.

    Parameters
    ----------
    text : str
        English source text (the key in ``i18n/policylink_*.ts``).

    Returns
    -------
    str
        The translation for the current QGIS locale, or ``text`` itself.
    """
    return QCoreApplication.translate(CONTEXT, text)


def user_locale() -> str:
    """Return the QGIS user interface locale, e.g. ``"zh_CN"`` or ``"en_US"``.

    Returns
    -------
    str
        ``locale/userLocale`` from the QGIS settings, else the system locale.
    """
    value = QgsSettings().value("locale/userLocale", "") or QLocale.system().name()
    return str(value)


def install_translator(locale: str | None = None) -> str | None:
    """Load ``i18n/policylink_<locale>.qm`` (or its language-only variant) into the application.

    Parameters
    ----------
    locale : str, optional
        Locale such as ``"zh_CN"``; defaults to :func:`user_locale`.

    Returns
    -------
    str or None
        Path of the loaded ``.qm`` file, or None when there is no translation (English UI).
    """
    global _translator
    remove_translator()
    locale = locale or user_locale()
    for name in (locale[:5], locale[:2]):
        qm = I18N_DIR / f"policylink_{name}.qm"
        if qm.is_file():
            translator = QTranslator()
            if translator.load(str(qm)):
                QCoreApplication.installTranslator(translator)
                _translator = translator
                return str(qm)
    return None


def remove_translator() -> None:
    """Uninstall the translator installed by :func:`install_translator`, if any."""
    global _translator
    if _translator is not None:
        QCoreApplication.removeTranslator(_translator)
        _translator = None


#: Messages of the analyses layer (``policylink.analyses``, ``policylink.inputs``,
#: ``policylink.weights`` and the numerics under them) that reach the plugin's users, by key: the
#: English text as raised, with ``{placeholders}`` for the parts that vary (names, numbers). The
#: analyses stay free of Qt; :func:`translate_error` recognises a message by its template and
#: translates it through the ``.ts`` file (``scripts/update_plugin_ts.py`` collects these texts).
#: A message not listed here is shown in English. More specific templates come first.
ANALYSIS_MESSAGES = {
    "local_few_linked": "{n} unit(s) have neighbours: local statistics need at least 3 "
    "(choose other weights, e.g. knn:K)",
    "local_constant_in": "the variable is constant in {year}: local statistics are undefined",
    "local_constant": "the variable is constant: local statistics are undefined",
    "local_permutations": "permutations {n}: local statistics need permutations for their "
    "p-values; give at least 99 (default 999)",
    "moran_constant": "{variable} is constant (or varies only by rounding): Moran's I is "
    "undefined (zero variance), no p-value is reported",
    "moran_no_links": "no unit has a neighbour in these weights: Moran's I is undefined",
    "moran_few_units": "{n} unit(s): a global Moran test needs at least {minimum} units",
    "missing_value_in": "missing value for unit {unit} in {year}",
    "missing_value": "missing value for unit {unit}",
    "field_not_found": "field not found (fields: {fields})",
    "no_features": "the layer has no features",
    "id_field_not_found": "id field not found in the layer",
    "duplicate_id": "duplicate unit id",
    "empty_geometry": "empty geometry",
    "contiguity_points": "{kind} contiguity needs polygons; for points choose knn:K or "
    "distance:METRES weights",
    "no_crs": "the layer has no coordinate reference system: distances in metres cannot be "
    "known; set its CRS (e.g. EPSG:4326) and try again",
    "degrees_crs": "the layer's CRS is {crs} (degrees), but its coordinates span {span}, which "
    "are not longitudes (-180 to 180) and latitudes (-90 to 90): metres in a degrees CRS? set "
    "the layer's true CRS",
    "crs_mismatch": "the layer's CRS is {crs}, but its coordinates reprojected to WGS 84 span "
    "{span}, outside the globe: the CRS does not match the coordinates; set the layer's true CRS",
    "year_required": "a year is required with a panel",
    "sdm_needs_panel": "a spatial panel model needs a panel (a period column)",
    "did_years": "the panel has {n} year(s): a DID needs at least two years (before and after "
    "adoption) with year fixed effects",
    "did_units": "the panel has {n} unit(s): a DID needs at least two units",
    "did_fe": "fewer than two units are observed in two or more years: unit fixed effects leave "
    "nothing to estimate (give each unit several years)",
    "did_outcome": "the outcome does not vary once unit and year fixed effects are removed: "
    "there is nothing to explain",
    "did_treatment": "the treatment does not vary once unit and year fixed effects are removed "
    "(no unit treated within the panel years, every unit treated throughout, or all units "
    "adopting in the same year): its effect cannot be estimated",
    "did_exact_fit": "the regression fits the outcome exactly (standard error 0.0): no "
    "inference is possible; give more units or years",
    "cs_no_post": "no group-time ATT after adoption could be estimated: each cohort needs "
    "comparison units (never or not yet treated) in its base year and later years, more of "
    "them than covariates",
    "did_w_treatment": "the share of treated neighbours does not vary once unit and year fixed "
    "effects are removed (no unit treated within the panel years, every unit treated "
    "throughout, or all units adopting in the same year): its effect cannot be estimated",
}


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """Each template of :data:`ANALYSIS_MESSAGES` as a whole-message pattern."""
    out = []
    for template in ANALYSIS_MESSAGES.values():
        parts = re.split(r"\{(\w+)\}", template)  # literal, name, literal, name, ...
        rx = "".join(re.escape(p) if k % 2 == 0 else f"(?P<{p}>.+?)" for k, p in enumerate(parts))
        out.append((re.compile(rx, re.DOTALL), template))
    return out


def translate_message(text: str) -> str:
    """Translate one message of the analyses layer when it is a known one.

    Parameters
    ----------
    text : str
        An English message as raised (e.g. a :class:`policylink.errors.Problem`'s message).

    Returns
    -------
    str
        The message in the interface language (its varying parts kept), or ``text`` unchanged
        when no template of :data:`ANALYSIS_MESSAGES` matches it whole.
    """
    for rx, template in _patterns():
        m = rx.fullmatch(text)
        if m:
            return tr(template).format(**m.groupdict())
    return text


def translate_error(exc: BaseException) -> str:
    """The user-facing text of an error of the analyses layer, in the interface language.

    An :class:`policylink.errors.InputError` is rebuilt problem by problem (where: file or
    layer, row, column; what: the known message translated; the offending value); any other
    error's text is translated when it is a known message.

    Parameters
    ----------
    exc : BaseException
        The error (a ``KeyError``'s text is its first argument, without quotes).

    Returns
    -------
    str
    """
    from policylink.errors import InputError

    if isinstance(exc, InputError):
        n = len(exc.problems) + exc.truncated
        lines = [tr("{n} problem(s) found; nothing was written:").format(n=n)]
        for p in exc.problems:
            where = [str(p.file)]
            if p.row is not None:
                where.append(tr("row {row}").format(row=p.row))
            if p.column is not None:
                where.append(tr("column {column}").format(column=repr(p.column)))
            line = f"{', '.join(where)}: {translate_message(p.message)}"
            if p.value is not None:
                line += " " + tr("(value {value})").format(value=repr(p.value))
            lines.append(f"  - {line}")
        if exc.truncated:
            lines.append("  " + tr("... and {n} more").format(n=exc.truncated))
        return "\n".join(lines)
    if isinstance(exc, KeyError) and exc.args:
        return translate_message(str(exc.args[0]))
    return translate_message(str(exc))
