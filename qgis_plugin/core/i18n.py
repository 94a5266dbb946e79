"""Translation helpers: one Qt translation context for the whole plugin."""

from __future__ import annotations

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
