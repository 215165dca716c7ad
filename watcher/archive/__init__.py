"""Evidence others can read: WARC files of stored versions and captures from them (warc), WACZ packages and
their checking (wacz), signatures with a key the user holds (signing) or a certificate and a timestamp (timestamped)."""
