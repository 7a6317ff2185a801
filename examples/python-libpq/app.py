"""python-libpq: a stdlib HTTP service whose C extension links libpq.

    python app.py            serve on $PORT (default 8000); GET /healthz answers "ok", GET /libpq "libpq <version>"
    python app.py --check    print a one-line self-report and exit
"""
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pqinfo  # fails at start (libpq.so.5 missing) when the runtime lacks libpq5


def report() -> str:
    return f"python-libpq ok uid={os.getuid()} libpq={pqinfo.version()}"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body = b"ok\n"
        elif self.path == "/libpq":
            body = f"libpq {pqinfo.version()}\n".encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("python-libpq: " + (fmt % args) + "\n")


def main() -> None:
    if "--check" in sys.argv:
        print(report())
        return
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer(("", port), Handler)
    print(f"python-libpq listening on :{port} ({report()})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
