"""The themes shipped with journal_site; this marker lets the installed package carry them."""
