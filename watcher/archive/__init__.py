"""Evidence others can read: WARC files of stored versions, and captures from them."""
