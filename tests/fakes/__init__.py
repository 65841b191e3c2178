"""Fake provider servers on 127.0.0.1 speaking each vendor's wire format, with injectable faults."""
