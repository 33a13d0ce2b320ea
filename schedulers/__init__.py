"""Scheduled jobs (APScheduler); the jobs arrive with the bonus and cashier issues."""
