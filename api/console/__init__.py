"""The back-office console: server-rendered pages under /console for staff."""
