"""Arrival's own date and number formats where Django's locale defaults do not fit an international public
(settings.FORMAT_MODULE_PATH); every other language keeps Django's CLDR-based formats."""
