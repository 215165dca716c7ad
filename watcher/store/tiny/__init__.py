"""The embedded backend (TinyDB files in a data folder): TinyStore (store) and the machinery only it uses."""
