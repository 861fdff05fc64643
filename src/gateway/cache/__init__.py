"""The response cache (reference §5), done as upstream's documentation promises rather than as its
code does: ``max_age`` in seconds, only successful answers stored, and a key that covers the
provider, the endpoint, the target URL, the provider-format body and a hash of the credentials, so
two API keys never share an entry. Entries live behind the key-value port: process memory, Redis
or Workers KV. A config with no ``cache`` never reads or writes it.
"""
