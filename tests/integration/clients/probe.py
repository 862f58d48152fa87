#!/usr/bin/python3
"""A real client request of a few bytes, for daemons no client of Debian's talks to in one line.

probe.py [--unix] ADDRESS [--greeting REGEX] [--send HEX | --text TEXT] [--expect REGEX] [--timeout SEC]

Connects to ADDRESS (HOST:PORT over TCP, or the socket path with --unix), sends the bytes
(--send in hex, --text with \\r \\n \\0 escapes), reads until REGEX matches what came back (as
Latin-1 text, or as hex when REGEX starts with 'hex:') or the peer closes or the timeout, and
prints what came back (printable text, else hex). Exits 0 when REGEX matched (or, without one,
when anything came back), 1 otherwise, 2 on a bad argument. With --greeting it first reads what
the server says first until that REGEX matched, then sends (an SMTP server refuses a client that
talks before its 220).

    mqtt CONNECT:  probe.py 127.0.0.1:1883 --send 100c00044d5154540402003c0000 --expect hex:^20020000
    IMAP greeting: probe.py 127.0.0.1:143 --expect '^\\* OK'
    SMTP EHLO:     probe.py 127.0.0.1:25 --greeting '^220 ' --text 'EHLO x\\r\\n' --expect '^250 '
"""
import argparse
import re
import socket
import sys
import time


def main():
        ap = argparse.ArgumentParser()
        ap.add_argument("address")
        ap.add_argument("--unix", action="store_true")
        ap.add_argument("--greeting")
        ap.add_argument("--send")
        ap.add_argument("--text")
        ap.add_argument("--expect")
        ap.add_argument("--timeout", type=float, default=5.0)
        a = ap.parse_args()
        data = b""
        if a.send:
                data = bytes.fromhex(a.send)
        elif a.text:
                data = a.text.encode("latin-1").decode("unicode_escape").encode("latin-1")
        hexmode = bool(a.expect and a.expect.startswith("hex:"))
        pattern = re.compile(a.expect[4:] if hexmode else a.expect, re.M) if a.expect else None

        deadline = time.monotonic() + a.timeout
        try:
                if a.unix:
                        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                        s.settimeout(a.timeout)
                        s.connect(a.address)
                else:
                        host, _, port = a.address.rpartition(":")
                        s = socket.create_connection((host.strip("[]"), int(port)), timeout=a.timeout)
                got = b""
                if a.greeting:
                        greeting = re.compile(a.greeting, re.M)
                        while not greeting.search(got.decode("latin-1")):
                                s.settimeout(max(0.05, deadline - time.monotonic()))
                                chunk = s.recv(65536)
                                if not chunk:
                                        break
                                got += chunk
                if data:
                        s.sendall(data)
                while time.monotonic() < deadline:
                        s.settimeout(max(0.05, deadline - time.monotonic()))
                        try:
                                chunk = s.recv(65536)
                        except socket.timeout:
                                break
                        if not chunk:
                                break
                        got += chunk
                        view = got.hex() if hexmode else got.decode("latin-1")
                        if pattern and pattern.search(view):
                                break
                        if not pattern:
                                break
                s.close()
        except OSError as e:
                print(f"probe: {a.address}: {e}", file=sys.stderr)
                return 1
        text = got.decode("latin-1")
        printable = all(c.isprintable() or c in "\r\n\t" for c in text)
        print(text if printable else got.hex())
        if pattern:
                return 0 if pattern.search(got.hex() if hexmode else text) else 1
        return 0 if got else 1


if __name__ == "__main__":
        sys.exit(main())
