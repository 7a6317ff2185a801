"""python-slim-cext: a stdlib HTTP service with a C extension built on the slim image.

    python app.py            serve on $PORT (default 8000); GET /healthz answers "ok", GET /sum "sum <n>"
    python app.py --check    print a one-line self-report and exit
"""
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import fastsum


def report() -> str:
    return f"python-slim-cext ok uid={os.getuid()} sum={fastsum.total(range(101))}"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body = b"ok\n"
        elif self.path == "/sum":
            body = f"sum {fastsum.total(range(101))}\n".encode()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("python-slim-cext: " + (fmt % args) + "\n")


def main() -> None:
    if "--check" in sys.argv:
        print(report())
        return
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer(("", port), Handler)
    print(f"python-slim-cext listening on :{port} ({report()})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
