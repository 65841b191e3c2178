"""Provider layer: the provider table (info.py) and one adapter per API family; SDKs are imported lazily."""
