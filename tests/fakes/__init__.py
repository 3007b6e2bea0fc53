"""Fake platform servers on 127.0.0.1 that the real clients talk to in end-to-end tests."""
