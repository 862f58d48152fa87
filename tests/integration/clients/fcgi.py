#!/usr/bin/python3
"""A FastCGI request to Debian's php8.2-fpm (its pool www listens on /run/php/php8.2-fpm.sock),
for test-debian-daemons.sh: asks for a script that is not there, which php-fpm itself answers
("Status: 404 Not Found" / "Primary script unknown"). Prints the answer; exits 0 on a FastCGI
answer that says it came from PHP (X-Powered-By or Status), 1 otherwise."""
import socket
import struct
import sys

SOCK = sys.argv[1] if len(sys.argv) > 1 else "/run/php/php8.2-fpm.sock"


def record(kind, content, rid=1):
        return struct.pack("!BBHHBx", 1, kind, rid, len(content), 0) + content


def pair(k, v):
        k, v = k.encode(), v.encode()
        return bytes([len(k)]) + bytes([len(v)]) + k + v


params = b"".join(pair(k, v) for k, v in [
        ("SCRIPT_FILENAME", "/nonexistent/corpus.php"), ("SCRIPT_NAME", "/corpus.php"),
        ("REQUEST_METHOD", "GET"), ("SERVER_PROTOCOL", "HTTP/1.1"), ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("REQUEST_URI", "/corpus.php"), ("QUERY_STRING", ""), ("SERVER_SOFTWARE", "corpus"),
        ("REMOTE_ADDR", "127.0.0.1"), ("SERVER_NAME", "localhost"), ("SERVER_PORT", "80")])
msg = (record(1, struct.pack("!HB5x", 1, 0)) + record(4, params) + record(4, b"") + record(5, b""))
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
try:
        s.connect(SOCK)
        s.sendall(msg)
        got = b""
        while True:
                chunk = s.recv(65536)
                if not chunk:
                        break
                got += chunk
except OSError as e:
        print(f"fcgi: {SOCK}: {e}", file=sys.stderr)
        sys.exit(1)
out = b""
while len(got) >= 8:
        _, kind, _, clen, plen = struct.unpack("!BBHHB", got[:7])
        if kind in (6, 7):  # FCGI_STDOUT, FCGI_STDERR
                out += got[8:8 + clen]
        got = got[8 + clen + plen:]
text = out.decode("latin-1")
print(text.strip())
sys.exit(0 if ("X-Powered-By: PHP" in text or "Status:" in text or "Primary script unknown" in text) else 1)
