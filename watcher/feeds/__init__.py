"""Followed feeds: reading feeds and sitemaps for their article links (links), and finding what a site offers to follow (discover)."""
