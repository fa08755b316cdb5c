"""A local MJPEG-over-HTTP server (multipart/x-mixed-replace), as IP cameras serve."""

from __future__ import annotations

import http.server
import threading

BOUNDARY = b"frame"


class MjpegServer:
    """Serve one JPEG again and again at ``fps`` on 127.0.0.1; ``stop`` drops every client."""

    def __init__(self, jpeg: bytes, port: int = 0, fps: float = 20.0) -> None:  # noqa: D107
        self.jpeg, self.port, self.period_s = jpeg, port, 1.0 / fps
        self._stopped = threading.Event()
        self._server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> int:
        """Listen (on the same port as before after a stop) and serve; return the port."""
        server_self = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self.send_response(200)
                self.send_header(
                    "Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY.decode()}"
                )
                self.end_headers()
                jpeg = server_self.jpeg
                part = b"--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n%s\r\n"
                try:
                    while not server_self._stopped.wait(server_self.period_s):
                        self.wfile.write(part % (BOUNDARY, len(jpeg), jpeg))
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self._stopped.clear()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.port

    def stop(self) -> None:
        """Stop listening and end every open stream."""
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
