"""python-app: a small stdlib-only HTTP service.

    python app.py            serve on $PORT (default 8000); GET /healthz answers "ok"
    python app.py --check    print a one-line self-report and exit
"""
import json
import os
import platform
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def report() -> str:
    return f"python-app ok uid={os.getuid()} python={platform.python_version()}"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body, ctype = b"ok\n", "text/plain"
        elif self.path == "/":
            body = (json.dumps({"app": "python-app", "uid": os.getuid()}) + "\n").encode()
            ctype = "application/json"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("python-app: " + (fmt % args) + "\n")


def main() -> None:
    if "--check" in sys.argv:
        print(report())
        return
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer(("", port), Handler)
    print(f"python-app listening on :{port} ({report()})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
