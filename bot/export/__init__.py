"""Exports for admins: the official table (XLSX), a report draft (DOCX), the evidence (ZIP) and
the detail (CSV), built from a ``bot.domain.rollup.Subtree``."""
