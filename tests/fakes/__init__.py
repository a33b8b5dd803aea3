"""Loopback fakes of the platforms: stateful aiohttp servers on 127.0.0.1 speaking each wire protocol."""
