"""Browser tests: Debian's Chromium driven by Playwright, against the app served on a free
port with demo data on a pinned day. Each page visited is checked with axe-core."""
