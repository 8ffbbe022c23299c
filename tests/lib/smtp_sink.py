#!/usr/bin/python3
"""smtp_sink.py: a real SMTP server for the tests (aiosmtpd, Debian's
python3-aiosmtpd), on loopback. Each message it accepts is written to DIR
as N.eml (the bytes of DATA, as received) with N.env beside it (envelope
sender, then one recipient a line), written whole then renamed, so that a
test never reads half a message.

Rules make it answer like a troubled server, per recipient:
  --rule ADDRESS=451:2   the first 2 RCPT TO for ADDRESS get "451 4.3.0"
                         (a temporary failure), later ones are accepted;
  --rule ADDRESS=550     every RCPT TO for ADDRESS gets "550 5.1.1"
                         (no such user: a permanent failure).
Accepted messages get "250 2.0.0 Ok: queued as SINK<N>", as Postfix says.
With --starttls it offers STARTTLS and requires it before MAIL FROM, with
a self-signed certificate for 127.0.0.1 made at start (DIR/cert.pem, the
CA file for the client). It writes DIR/ready once listening, and stops on
SIGTERM.

usage: smtp_sink.py --port PORT --dir DIR [--starttls] [--rule ADDRESS=CODE[:COUNT]]...
"""
import argparse
import asyncio
import os
import signal
import ssl
import subprocess
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, rules):
        self.directory = directory
        self.rules = rules  # address -> [code, remaining or None]
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        rule = self.rules.get(address.lower())
        if rule:
            code, remaining = rule
            if remaining is None or remaining > 0:
                if remaining is not None:
                    rule[1] = remaining - 1
                if code.startswith("4"):
                    return f"{code} 4.3.0 <{address}>: try again later"
                return f"{code} 5.1.1 <{address}>: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            number = self.count
        base = os.path.join(self.directory, f"{number:04d}")
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(content)
        with open(base + ".env.tmp", "w", encoding="utf-8") as f:
            f.write(envelope.mail_from + "\n")
            for rcpt in envelope.rcpt_tos:
                f.write(rcpt + "\n")
        os.rename(base + ".env.tmp", base + ".env")
        os.rename(base + ".eml.tmp", base + ".eml")
        return f"250 2.0.0 Ok: queued as SINK{number:04d}"


def parse_rules(texts):
    rules = {}
    for text in texts or []:
        address, _, code = text.rpartition("=")
        code, _, count = code.partition(":")
        if not address or not code.isdigit():
            sys.exit(f"smtp_sink: bad rule {text!r}")
        rules[address.lower()] = [code, int(count) if count else None]
    return rules


def tls_context(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--rule", action="append")
    parser.add_argument("--starttls", action="store_true")
    args = parser.parse_args()
    sink = Sink(args.dir, parse_rules(args.rule))
    tls = {}
    if args.starttls:
        tls = {"tls_context": tls_context(args.dir), "require_starttls": True}
    # decode_data=False: the bytes as sent, accents and all.
    controller = Controller(sink, hostname="127.0.0.1", port=args.port, decode_data=False, **tls)
    controller.start()
    with open(os.path.join(args.dir, "ready"), "w", encoding="utf-8") as f:
        f.write(f"{args.port}\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass
    controller.stop()


if __name__ == "__main__":
    main()
