"""A loopback SMTP server that accepts everything (no TLS) and keeps what it received."""

from __future__ import annotations

import socketserver
import threading


class FakeSmtp:
    def __init__(self, *, auth: bool = True):
        self.commands: list[str] = []
        self.messages: list[bytes] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, text: str) -> None:
                self.wfile.write(text.encode() + b"\r\n")

            def handle(self):
                self.reply("220 fake ESMTP")
                while line := self.rfile.readline():
                    command = line.decode().rstrip("\r\n")
                    outer.commands.append(command)
                    verb = command.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-fake\r\n" + (b"250-AUTH PLAIN LOGIN\r\n" if auth else b"")
                                         + b"250 8BITMIME\r\n")
                    elif verb == "AUTH":
                        self.reply("235 ok")
                    elif verb == "DATA":
                        self.reply("354 go on")
                        data = b""
                        while (chunk := self.rfile.readline()) != b".\r\n":
                            data += chunk
                        outer.messages.append(data)
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
