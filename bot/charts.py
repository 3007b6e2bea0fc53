"""Charts for admins (matplotlib, no screen): progress by child unit, submissions by day."""
